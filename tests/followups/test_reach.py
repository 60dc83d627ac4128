"""Reaching out from This week: urgency order, drafts, links per channel the person has, "Sent?"."""

import datetime
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import time_machine
from django.urls import reverse

from contacts import services as contacts
from contacts.models import ContactPointKind, Meeting, MeetingKind
from followups import drafts
from followups.models import DraftTemplate, Reason, State
from tests.factories import make_event, make_followup, make_meeting, make_person, make_user

pytestmark = pytest.mark.django_db
FROZEN = "2026-11-18 10:00 +0900"
TODAY = datetime.date(2026, 11, 18)
URL = reverse("followups:week")


def person_with(owner, *, email="", mobile="", phone="", **values):
    points = []
    if email:
        points.append((ContactPointKind.EMAIL, email, email.lower()))
    if mobile:
        points.append((ContactPointKind.MOBILE, mobile, "+81" + mobile.replace("-", "")[1:]))
    if phone:
        points.append((ContactPointKind.PHONE, phone, "+81" + phone.replace("-", "")[1:]))
    values = {"family_name": "佐藤", "given_name": "花子"} | values
    return contacts.create_person(owner=owner, values=values, contact_points=points)


def thank_you(owner, person, *, memo="AIと営業の話", event_name="渋谷異業種交流会 & 勉強会"):
    event = make_event(owner=owner, name=event_name, date=datetime.date(2026, 11, 17))
    meeting = make_meeting(
        owner=owner, people=[person], date=event.date, kind=MeetingKind.FIRST_AT_EVENT, event=event, summary=memo
    )
    return make_followup(owner=owner, person=person, reason=Reason.THANK_YOU, due_on=TODAY, meeting=meeting)


REACH_SLOT = re.compile(r'<div class="week-reach-slot" data-reach-slot hx-get="([^"]+)"[^>]*>.*?</div>')


def shown(client) -> str:
    """This week as the browser ends up showing it: each item's reach-out box fetched into its slot."""
    page = client.get(URL).content.decode()
    return REACH_SLOT.sub(lambda m: client.get(m.group(1), headers={"HX-Request": "true"}).content.decode(), page)


def links(page: str, kind: str) -> list[str]:
    return [unescape(m) for m in re.findall(rf'href="([^"]*)" data-channel="{kind}"', page)]


def unescape(value: str) -> str:
    import html

    return html.unescape(value)


@time_machine.travel(FROZEN)
def test_thank_you_items_come_first_then_next_steps_give_back_birthdays_keep_in_touch(auth_client, user):
    order = [Reason.KEEP_IN_TOUCH, Reason.BIRTHDAY, Reason.GIVE_BACK, Reason.NEXT_STEP, Reason.THANK_YOU]
    for number, reason in enumerate(order):
        person = make_person(owner=user, family_name=f"順{number}")
        # The keep-in-touch item has the earliest date: the reason still wins.
        make_followup(owner=user, person=person, reason=reason, due_on=TODAY + datetime.timedelta(days=1 - number % 2))
    page = shown(auth_client)
    positions = [page.index(f"順{number}") for number in range(len(order))]
    assert positions == sorted(positions, reverse=True)


@time_machine.travel(FROZEN)
def test_the_thank_you_mail_link_carries_the_draft_with_the_event_date_and_memo(auth_client, user):
    person = person_with(user, email="hanako+work@example.jp")
    thank_you(user, person)
    page = shown(auth_client)
    (mail,) = links(page, "email")
    parts = urlsplit(mail)
    assert parts.scheme == "mailto" and unquote(parts.path) == "hanako+work@example.jp"
    assert "%0D%0A" in parts.query and " " not in parts.query and "&amp;" not in mail
    query = parse_qs(parts.query)
    assert query["subject"] == ["「渋谷異業種交流会 & 勉強会」でのお礼（owner）"]
    body = query["body"][0]
    assert body.startswith("佐藤 花子様\r\n\r\n")
    assert "11月17日の「渋谷異業種交流会 & 勉強会」" in body
    assert "「AIと営業の話」のお話" in body
    assert "今後ともどうぞよろしくお願いいたします。" in body


@time_machine.travel(FROZEN)
def test_tel_and_sms_links_appear_only_when_a_number_exists(auth_client, user):
    thank_you(user, person_with(user, family_name="無番", email="a@example.com"))
    thank_you(user, person_with(user, family_name="携帯", mobile="090-1234-5678"))
    thank_you(user, person_with(user, family_name="固定", phone="03-1234-5678"))
    page = shown(auth_client)
    assert links(page, "tel") == ["tel:+819012345678", "tel:+81312345678"]
    (sms,) = links(page, "sms")
    assert sms.startswith("sms:+819012345678?body=")
    assert "%0A" in sms and "\n" not in sms
    no_number = page[page.index("無番") : page.index("携帯")]
    assert "tel:" not in no_number and "sms:" not in no_number and "mailto:" in no_number


@time_machine.travel(FROZEN)
def test_line_is_offered_only_with_a_line_id_and_nothing_without_data(auth_client, user):
    thank_you(user, person_with(user, family_name="線", line="hanako_line"))
    thank_you(user, person_with(user, family_name="空"))
    page = shown(auth_client)
    (line,) = links(page, "line")
    assert line.startswith("https://line.me/R/share?text=")
    empty = page[page.index("空") :]
    empty = empty[: empty.index("</li>")]
    assert 'data-channel="email"' not in empty and 'data-channel="line"' not in empty
    assert 'data-channel="copy"' in empty  # the draft can always be copied


@time_machine.travel(FROZEN)
def test_a_western_name_gets_the_english_draft(auth_client, user):
    person = person_with(user, family_name="Smith", given_name="Jane", email="jane@example.com")
    thank_you(user, person, memo="hiking in Nagano", event_name="Tokyo Startup Night")
    (mail,) = links(shown(auth_client), "email")
    query = parse_qs(urlsplit(mail).query)
    assert query["subject"] == ["Thank you for Tokyo Startup Night"]
    assert "Dear Jane Smith,\r\n" in query["body"][0]
    assert "at Tokyo Startup Night on November 17." in query["body"][0]
    assert "about hiking in Nagano." in query["body"][0]


@time_machine.travel(FROZEN)
def test_a_draft_never_carries_another_persons_data(auth_client, user):
    mine = person_with(user, email="mine@example.com")
    other = person_with(user, family_name="別人")
    event = make_event(owner=user, name="合同会", date=datetime.date(2026, 11, 17))
    shared = make_meeting(
        owner=user, people=[mine, other], date=event.date, kind="first_at_event", event=event, summary="別人の借金の話"
    )
    make_followup(owner=user, person=mine, reason=Reason.THANK_YOU, due_on=TODAY, meeting=shared)
    stranger = make_user(username="stranger")
    DraftTemplate.objects.create(
        owner=stranger, reason=Reason.THANK_YOU, language="ja", subject="他人", body="他人の文面"
    )
    (mail,) = links(shown(auth_client), "email")
    body = parse_qs(urlsplit(mail).query)["body"][0]
    assert "借金" not in body and "別人" not in body and "他人" not in body
    assert "合同会" in body  # the event is theirs too


@time_machine.travel(FROZEN)
def test_an_own_draft_replaces_the_default_and_empty_lines_are_left_out(auth_client, user):
    DraftTemplate.objects.create(
        owner=user,
        reason=Reason.THANK_YOU,
        language="ja",
        subject="お礼 {name}",
        body="{name}様\nメモ: {memo}\n{my_name}",
    )
    thank_you(user, person_with(user, email="x@example.com"), memo="")
    mail = links(shown(auth_client), "email")[0]
    query = parse_qs(urlsplit(mail).query)
    assert query["subject"] == ["お礼 佐藤 花子"]
    assert query["body"] == ["佐藤 花子様\r\nowner"]


@time_machine.travel(FROZEN)
def test_sent_marks_done_and_logs_the_meeting_with_the_channel_kind_and_first_line(auth_client, user):
    person = person_with(user, email="x@example.com")
    item = thank_you(user, person)
    page = shown(auth_client)
    assert "data-sent hidden" in page
    response = auth_client.post(
        reverse("followups:followup_done", args=[item.pk]),
        {
            "log_meeting": "on",
            "kind": "email",
            "date": "2026-11-18",
            "summary": "「渋谷異業種交流会 & 勉強会」でのお礼",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.state == State.DONE
    meeting = Meeting.objects.filter(people=person, kind="email").get()
    assert meeting.summary == "「渋谷異業種交流会 & 勉強会」でのお礼"


def test_links_are_percent_encoded_per_rfc():
    draft = drafts.Draft(subject="a&b=c?", body="1行目\n2 行目 #100%")
    assert drafts.mailto("x@example.com", draft) == (
        "mailto:x@example.com?subject=a%26b%3Dc%3F&body=1%E8%A1%8C%E7%9B%AE%0D%0A2%20%E8%A1%8C%E7%9B%AE%20%23100%25"
    )
    assert drafts.sms("+819012345678", draft).endswith("?body=1%E8%A1%8C%E7%9B%AE%0A2%20%E8%A1%8C%E7%9B%AE%20%23100%25")
    assert (
        drafts.line_share(draft)
        == "https://line.me/R/share?text=1%E8%A1%8C%E7%9B%AE%0A2%20%E8%A1%8C%E7%9B%AE%20%23100%25"
    )


def test_placeholders_other_than_the_five_are_reported():
    assert drafts.unknown_placeholders("{name} {event} {phone} {my_name} {x}") == ["phone", "x"]


@time_machine.travel(FROZEN)
def test_the_page_runs_a_fixed_number_of_queries(auth_client, user, django_assert_max_num_queries):
    for number in range(3):
        thank_you(user, person_with(user, family_name=f"人{number}", email=f"p{number}@example.com"))
    auth_client.get(URL)
    with django_assert_max_num_queries(14) as few:
        auth_client.get(URL)
    for number in range(3, 15):
        thank_you(
            user, person_with(user, family_name=f"人{number}", email=f"p{number}@example.com", mobile="090-0000-0000")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        auth_client.get(URL)


@time_machine.travel(FROZEN)
def test_the_reach_out_box_runs_a_fixed_number_of_queries(auth_client, user, django_assert_max_num_queries):
    few = thank_you(user, person_with(user, family_name="少", email="a@example.com"))
    many = thank_you(
        user, person_with(user, family_name="多", email="b@example.com", mobile="090-0000-0000", phone="03-0000-0000")
    )
    urls = [reverse("followups:followup_reach", args=[item.pk]) for item in (few, many)]
    auth_client.get(urls[0], headers={"HX-Request": "true"})
    # session, user, the item with its person, meeting, event and meeting size, its numbers, the user's drafts
    with django_assert_max_num_queries(5) as counted:
        auth_client.get(urls[0], headers={"HX-Request": "true"})
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert "tel:" in auth_client.get(urls[1], headers={"HX-Request": "true"}).content.decode()
