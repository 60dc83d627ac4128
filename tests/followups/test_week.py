"""The "This week" page: sections, context, done / snooze / skip without leaving the page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Meeting, Person
from followups import rules
from followups.models import FollowUp, Reason, State
from tests.factories import make_followup, make_meeting, make_person

pytestmark = pytest.mark.django_db
FROZEN = "2026-11-18 10:00 +0900"  # a Wednesday
TODAY = datetime.date(2026, 11, 18)
URL = reverse("followups:week")
NEXT_WEEK_ALONE = {"HX-Request": "true", "HX-Target": "next-week"}


def days(n):
    return TODAY + datetime.timedelta(days=n)


@time_machine.travel(FROZEN)
def test_items_are_split_into_overdue_this_week_and_next_week_with_context(auth_client, user):
    late = make_person(owner=user, family_name="甲野", what_they_want="資金調達の相談相手")
    make_meeting(owner=user, people=[late], date=days(-20), summary="展示会で名刺交換")
    make_followup(owner=user, person=late, due_on=days(-2))
    make_followup(owner=user, person=make_person(owner=user, family_name="乙川"), due_on=days(3))
    make_followup(owner=user, person=make_person(owner=user, family_name="丙田"), due_on=days(6))
    make_followup(owner=user, person=make_person(owner=user, family_name="丁村"), due_on=days(20))
    # Next week's items come with ?next=1 (the page without JavaScript; htmx asks for them alone).
    page = auth_client.get(URL + "?next=1").content.decode()
    overdue, this_week, next_week = (
        page.index(t) for t in ('id="overdue-title"', 'id="this-week-title"', 'id="next-week-title"')
    )
    assert overdue < page.index("甲野") < this_week < page.index("乙川") < next_week < page.index("丙田")
    assert "丁村" not in page
    assert "資金調達の相談相手" in page and "展示会で名刺交換" in page


@time_machine.travel(FROZEN)
def test_done_with_a_meeting_logs_it_and_moves_the_keep_in_touch_date(
    auth_client, user, django_capture_on_commit_callbacks
):
    from networking.celery import app

    person = make_person(owner=user, keep_in_touch_days=30)
    make_meeting(owner=user, people=[person], date=days(-40))
    rules.recompute(Person.objects.filter(owner=user), today=TODAY)
    item = FollowUp.objects.get(person=person, reason=Reason.KEEP_IN_TOUCH)
    assert item.due_on == days(-10)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(
                reverse("followups:followup_done", args=[item.pk]),
                {"log_meeting": "on", "kind": "call", "date": "2026-11-18", "summary": "近況を聞いた"},
                headers={"HX-Request": "true"},
            )
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 200
    assert response["HX-Trigger"] == "followups-changed"
    item.refresh_from_db()
    assert item.state == State.DONE
    assert Meeting.objects.filter(people=person, kind="call", summary="近況を聞いた").exists()
    assert FollowUp.objects.get(person=person, reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).due_on == days(30)


@time_machine.travel(FROZEN)
def test_done_without_logging_logs_nothing(auth_client, user):
    item = make_followup(owner=user)
    auth_client.post(reverse("followups:followup_done", args=[item.pk]), {"log_meeting": "on", "only_done": "1"})
    item.refresh_from_db()
    assert item.state == State.DONE
    assert not Meeting.objects.exists()


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("choice", "expected"), [({"until": "tomorrow"}, days(1)), ({"until": "next_week"}, days(5)),
                             ({"until": "date", "date": "2026-12-24"}, datetime.date(2026, 12, 24))],
)  # fmt: skip
def test_snooze_moves_the_item_out_of_the_way(auth_client, user, choice, expected):
    item = make_followup(owner=user, due_on=days(-1))
    assert auth_client.post(reverse("followups:followup_snooze", args=[item.pk]), choice).status_code == 302
    item.refresh_from_db()
    assert (item.show_on, item.snoozed, item.state) == (expected, True, State.OPEN)
    assert item.is_overdue(TODAY) is False


@time_machine.travel(FROZEN)
def test_skip_keeps_the_reason(auth_client, user):
    item = make_followup(owner=user)
    auth_client.post(reverse("followups:followup_skip", args=[item.pk]), {"reason": "先方が休職中"})
    item.refresh_from_db()
    assert (item.state, item.skip_reason) == (State.SKIPPED, "先方が休職中")


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("action", "data"),
    [("followup_snooze", {"until": "someday"}), ("followup_snooze", {"until": "date", "date": "2026-02-31"}),
     ("followup_done", {"log_meeting": "on", "kind": "telepathy"}), ("followup_skip", {"reason": "x" * 500})],
)  # fmt: skip
def test_bad_input_gets_a_message_and_changes_nothing(auth_client, user, action, data):
    item = make_followup(owner=user)
    response = auth_client.post(reverse(f"followups:{action}", args=[item.pk]), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    refreshed = FollowUp.objects.get(pk=item.pk)
    assert (refreshed.state, refreshed.show_on) == (State.OPEN, item.show_on)


@time_machine.travel(FROZEN)
def test_a_closed_item_cannot_be_acted_on_again(auth_client, user):
    item = make_followup(owner=user, state=State.DONE)
    assert auth_client.post(reverse("followups:followup_skip", args=[item.pk]), {}).status_code == 404


@time_machine.travel(FROZEN)
def test_the_navigation_count_shows_what_is_due_this_week(auth_client, user):
    make_followup(owner=user, due_on=days(-3))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(2))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(10))
    assert ">2<" in auth_client.get(reverse("followups:due_count")).content.decode()


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("size", [2, 60])
def test_the_page_runs_a_fixed_number_of_queries(auth_client, user, django_assert_max_num_queries, size):
    for i in range(size):
        person = make_person(owner=user, family_name=f"人{i}")
        make_meeting(owner=user, people=[person], date=days(-30))
        make_followup(owner=user, person=person, due_on=days(i % 12 - 4))
    # session, user, and one statement: the sections' sizes and first items with their context
    # (the reach-out boxes load from their own URL), with or without next week's items
    for query in ("", "?next=1", "?all=1"):
        with django_assert_max_num_queries(3):
            assert auth_client.get(URL + query).status_code == 200
    with django_assert_max_num_queries(3):
        assert auth_client.get(URL + "?next=1", headers=NEXT_WEEK_ALONE).status_code == 200


def test_manual_follow_ups_from_the_person_page(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(
        reverse("followups:followup_add", args=[person.pk]), {"due_on": "2026-12-01", "note": "年賀状"}
    )
    assert response.status_code == 302
    assert FollowUp.objects.get(person=person, reason=Reason.MANUAL).note == "年賀状"
    page = auth_client.get(person.get_absolute_url()).content.decode()
    panel_url = reverse("followups:person_panel", args=[person.pk])
    assert panel_url in page  # the person page loads the panel from its app
    assert "年賀状" in auth_client.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    auth_client.post(reverse("followups:followup_add", args=[person.pk]), {"due_on": "not a date", "note": ""})
    assert FollowUp.objects.filter(person=person).count() == 1


@time_machine.travel(FROZEN)
def test_a_long_section_shows_the_first_items_and_a_link_to_all(auth_client, user, settings):
    from followups import selectors

    for i in range(selectors.SECTION_SHOWN + 5):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"人{i}"), due_on=days(1))
    page = auth_client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    assert page.count("data-followup>") == selectors.SECTION_SHOWN
    assert "and 5 more" in page
    assert auth_client.get(URL + "?all=1").content.decode().count("data-followup>") == selectors.SECTION_SHOWN + 5


@time_machine.travel(FROZEN)
def test_show_all_is_bounded_too(auth_client, user, monkeypatch):
    from followups import selectors

    monkeypatch.setattr(selectors, "SECTION_SHOWN", 2)
    monkeypatch.setattr(selectors, "SECTION_ALL", 4)
    for i in range(6):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"人{i}"), due_on=days(1))
    page = auth_client.get(URL + "?all=1", headers={"Accept-Language": "en"}).content.decode()
    assert page.count("data-followup>") == 4
    assert "and 2 more after these" in page and "?all=1" not in page.split("and 2 more")[1][:200]


@time_machine.travel(FROZEN)
def test_the_page_loads_only_the_items_it_shows_and_counts_the_rest(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from followups import selectors

    for i in range(selectors.SECTION_SHOWN + 3):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"遅{i}"), due_on=days(-3))
    make_followup(owner=user, person=make_person(owner=user, family_name="今週"), due_on=days(2))
    with CaptureQueriesContext(connection) as queries:
        page = auth_client.get(URL).content.decode()
    assert f'<span class="week-section__count">{selectors.SECTION_SHOWN + 3}</span>' in page
    assert '<span class="week-section__count">1</span>' in page
    assert 'id="next-week-title"' not in page
    (load,) = [q["sql"] for q in queries if "followups_followup" in q["sql"]]  # one statement: sizes and items
    assert load.count(f"LIMIT {selectors.SECTION_SHOWN}") == 2  # the first items of overdue and this week
    assert load.count("LIMIT 0)") == 1  # next week counted only: its items come when scrolled to


@time_machine.travel(FROZEN)
def test_a_huge_section_is_counted_up_to_a_cap(auth_client, user, monkeypatch):
    from followups import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    monkeypatch.setattr(selectors, "SECTION_SHOWN", 2)
    for i in range(6):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"遅{i}"), due_on=days(-3))
    for i in range(4):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"今{i}"), due_on=days(1))
    queue = selectors.page_queue(user.pk, today=TODAY, limit=2)
    assert (queue.size("overdue"), queue.size("this_week"), queue.capped) == (4, 4, {"overdue"})
    page = auth_client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    assert '<span class="week-section__count">4+</span>' in page and "and over 2 more: show all" in page
    assert '<span class="week-section__count">4</span>' in page and "and 2 more: show all" in page
    monkeypatch.setattr(selectors, "SECTION_ALL", 3)
    everything = auth_client.get(URL + "?all=1", headers={"Accept-Language": "en"}).content.decode()
    assert "and over 1 more after these" in everything


@time_machine.travel(FROZEN)
def test_this_week_is_counted_with_the_items_still_in_their_grace_period(user, monkeypatch):
    """This week counts from today on and, apart, the items shown before today that are not overdue yet."""
    from followups import selectors

    for i in range(3):
        make_followup(owner=user, person=make_person(owner=user), due_on=days(1))
        make_followup(
            owner=user, person=make_person(owner=user), reason="thank_you", due_on=days(-2), overdue_on=days(i)
        )
    make_followup(owner=user, person=make_person(owner=user), reason="thank_you", due_on=days(-4), overdue_on=days(-1))
    queue = selectors.page_queue(user.pk, today=TODAY, limit=2)
    assert (queue.size("overdue"), queue.size("this_week"), queue.capped) == (1, 6, set())
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    queue = selectors.page_queue(user.pk, today=TODAY, limit=2)
    assert (queue.size("this_week"), queue.capped) == (4, {"this_week"})  # 3 + 3 counted apart, over the cap


@time_machine.travel(FROZEN)
def test_the_cut_queue_splits_like_the_whole_one(user):
    from followups import selectors

    make_followup(owner=user, person=make_person(owner=user), due_on=days(-2))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(0))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(4))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(9))
    snoozed = make_followup(owner=user, person=make_person(owner=user), due_on=days(-5))
    FollowUp.objects.filter(pk=snoozed.pk).update(show_on=days(8), overdue_on=days(8), snoozed=True)
    whole = selectors.queue(user.pk, today=TODAY)
    cut = selectors.queue(user.pk, today=TODAY, limit=2)
    for name in selectors.SECTIONS:
        assert [f.pk for f in getattr(cut, name)] == [f.pk for f in getattr(whole, name)][:2]
        assert cut.size(name) == whole.size(name)
    assert cut.count_due == whole.count_due == 3


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("limit", [2, 500])
def test_the_page_reads_the_same_queue_as_the_orm(user, limit):
    """The page's plain-values queue has the items, order, sizes and context of `queue` with model instances."""
    from contacts import services as contacts
    from followups import selectors
    from tests.factories import make_ledger_entry

    western = make_person(owner=user, family_name="Smith", given_name="Jane", company="Acme", what_they_want="hires")
    make_meeting(owner=user, people=[western], date=days(-30), summary="old")
    make_meeting(owner=user, people=[western], date=days(-9), summary="newer")
    make_ledger_entry(owner=user, person=western)
    ended = make_person(owner=user, family_name="終了")
    for number, (reason, due) in enumerate(
        [("thank_you", -5), ("keep_in_touch", -40), ("next_step", -2), ("birthday", 1), ("give_back", 0),
         ("manual", 3), ("key_person", 6), ("keep_in_touch", 9), ("thank_you", 12), ("manual", 30)]
    ):  # fmt: skip
        person = western if number == 0 else make_person(owner=user, family_name=f"順{number}")
        make_followup(owner=user, person=person, reason=reason, due_on=days(due), note=f"メモ{number}")
    snoozed = make_followup(owner=user, person=make_person(owner=user, family_name="延期"), due_on=days(-5))
    FollowUp.objects.filter(pk=snoozed.pk).update(show_on=days(8), overdue_on=days(8), snoozed=True)
    # Shown before today with a grace period: still this week (up to overdue_on == today), then overdue.
    for number, (shown, overdue) in enumerate([(-2, 1), (-3, 0), (-6, -1), (-1, 3)]):
        make_followup(
            owner=user, person=make_person(owner=user, family_name=f"猶予{number}"), reason="thank_you",
            due_on=days(shown), overdue_on=days(overdue),
        )  # fmt: skip
    make_followup(owner=user, person=ended, due_on=days(-1), overdue_on=days(2))
    contacts.end_relationship(person=ended, on=days(-1), reason="moved")
    whole = selectors.queue(user.pk, today=TODAY, limit=limit)
    page = selectors.page_queue(user.pk, today=TODAY, limit=limit)
    assert sum(len(getattr(page, name)) for name in selectors.SECTIONS) >= (4 if limit == 2 else 13)
    assert whole.size("this_week") == 6  # three of them in their grace period
    for name in selectors.SECTIONS:
        assert page.size(name) == whole.size(name)
        expected = [
            (f.pk, f.person_id, f.reason, f.show_on, f.overdue_on, f.snoozed, f.note, f.person.display_name,
             f.person.company, f.person.what_they_want,
             getattr(getattr(f.person, "ledger_tally", None), "given_all", None),
             getattr(getattr(f.person, "ledger_tally", None), "received_all", None),
             f.last_meeting_on, f.last_meeting_summary)
            for f in getattr(whole, name)
        ]  # fmt: skip
        assert [tuple(getattr(row, f) for f in selectors.Row.__slots__) for row in getattr(page, name)] == expected


@time_machine.travel(FROZEN)
def test_everything_an_item_shows_is_escaped(auth_client, user):
    person = make_person(owner=user, family_name="<b>太", given_name='"花"&', company="<i>社</i>", what_they_want="<u>")
    make_meeting(owner=user, people=[person], date=days(-3), summary="<script>alert(1)</script>")
    make_followup(owner=user, person=person, due_on=days(-1), note="<img src=x onerror=alert(1)>")
    page = auth_client.get(URL).content.decode()
    for raw in ("<b>", "<i>", "<u>", "<script>alert", "<img src=x", '"花"&'):
        assert raw not in page
    assert "&lt;b&gt;太 &quot;花&quot;&amp;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@time_machine.travel(FROZEN)
def test_the_page_leaves_each_items_forms_to_their_own_urls(auth_client, user):
    """An item shows its done / snooze / skip buttons; each button's form is fetched from its link."""
    item = make_followup(owner=user, person=make_person(owner=user, family_name="北川"))
    page = auth_client.get(URL).content.decode()
    for action in ("done", "snooze", "skip"):
        url = reverse(f"followups:followup_{action}", args=[item.pk])
        assert f'data-action="{action}"' in page and f'href="{url}" data-form-load' in page
    listed = page[page.index('id="followup-') : page.index("</section>")]
    assert "<form" not in listed and "csrfmiddlewaretoken" not in listed


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("action", "data", "expected"),
    [("done", {"log_meeting": "on", "kind": "message", "date": "2026-11-18", "summary": "お礼を送った"}, State.DONE),
     ("snooze", {"until": "tomorrow"}, State.OPEN), ("skip", {"reason": "先方が休職中"}, State.SKIPPED)],
)  # fmt: skip
def test_an_items_form_loads_when_opened_and_posts_from_the_page(user, action, data, expected):
    """The fragment is one form with this session's CSRF token, and it posts back into the page."""
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(URL)
    item = make_followup(owner=user, person=make_person(owner=user, family_name="北川"), due_on=days(-1))
    url = reverse(f"followups:followup_{action}", args=[item.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.count("<form") == 1
    assert f'action="{url}" hx-post="{url}" hx-target="#followup-{item.pk}"' in fragment
    (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', fragment)
    reply = client.post(url, data | {"csrfmiddlewaretoken": token}, headers={"HX-Request": "true"})
    assert reply.status_code == 200 and "week-item--gone" in reply.content.decode()
    item.refresh_from_db()
    assert item.state == expected
    if action == "snooze":
        assert (item.snoozed, item.show_on) == (True, days(1))


@time_machine.travel(FROZEN)
def test_without_javascript_a_button_opens_its_form_on_a_page_of_its_own(auth_client, user):
    item = make_followup(owner=user, person=make_person(owner=user, family_name="北川"), due_on=days(-1))
    url = reverse("followups:followup_done", args=[item.pk])
    page = auth_client.get(url).content.decode()
    assert "<html" in page and "北川" in page and f'action="{url}"' in page and "hx-post" not in page
    assert 'name="date" value="2026-11-18"' in page
    reply = auth_client.post(url, {"log_meeting": "on", "kind": "call", "date": "2026-11-18", "summary": "電話"})
    assert reply.status_code == 302 and reply["Location"] == URL
    item.refresh_from_db()
    assert item.state == State.DONE
    assert Meeting.objects.get(owner=user).summary == "電話"


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("action", ["done", "snooze", "skip"])
def test_an_items_form_is_only_its_owners_and_only_while_open(client, user, other_user, action):
    item = make_followup(owner=user)
    url = reverse(f"followups:followup_{action}", args=[item.pk])
    client.force_login(other_user)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(user)
    FollowUp.objects.filter(pk=item.pk).update(state=State.DONE)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


@time_machine.travel(FROZEN)
def test_an_items_form_is_one_query(auth_client, user, django_assert_max_num_queries):
    item = make_followup(owner=user)
    # session, user, the item
    with django_assert_max_num_queries(3):
        auth_client.get(reverse("followups:followup_done", args=[item.pk]), headers={"HX-Request": "true"})


@time_machine.travel(FROZEN)
def test_the_page_leaves_the_reach_out_box_to_its_own_url(auth_client, user):
    from contacts import services as contacts
    from contacts.models import ContactPointKind

    person = contacts.create_person(
        owner=user,
        values={"family_name": "北川", "given_name": "花"},
        contact_points=[(ContactPointKind.EMAIL, "kita@example.jp", "kita@example.jp")],
    )
    item = make_followup(owner=user, person=person, due_on=days(0))
    page = auth_client.get(URL).content.decode()
    reach = reverse("followups:followup_reach", args=[item.pk])
    assert f'hx-get="{reach}"' in page and f'href="{reach}"' in page
    assert "mailto:" not in page and "data-draft-body" not in page
    fragment = auth_client.get(reach, headers={"HX-Request": "true"}).content.decode()
    assert "mailto:kita@example.jp?" in fragment and "data-sent hidden" in fragment and "<html" not in fragment
    # Without JavaScript: a page of its own, "Sent?" shown and posted plainly.
    alone = auth_client.get(reach).content.decode()
    assert "<html" in alone and "mailto:kita@example.jp?" in alone
    assert "data-sent hidden" not in alone and "hx-post" not in alone.split("data-reach")[1]
    FollowUp.objects.filter(pk=item.pk).update(state=State.DONE)
    assert auth_client.get(reach).status_code == 404


def test_every_follow_up_carries_the_urgency_of_its_reason(user):
    from django.db import IntegrityError, transaction

    from followups.models import URGENCY

    saved = make_followup(owner=user, reason=Reason.THANK_YOU)
    person = make_person(owner=user)
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                owner=user, person=person, reason=Reason.KEEP_IN_TOUCH, due_on=TODAY, show_on=TODAY, overdue_on=TODAY
            )
        ]
    )
    assert FollowUp.objects.get(pk=saved.pk).urgency == 0
    assert FollowUp.objects.get(person=person).urgency == URGENCY.index(Reason.KEEP_IN_TOUCH)
    # The database refuses a rank that is not its reason's.
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=saved.pk).update(urgency=5)


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(("language", "label"), [("en", "More than 99 due"), ("ja", "期日 99件超")])
def test_past_99_due_the_navigation_count_says_99_plus_without_counting_every_item(
    auth_client, user, language, label, django_assert_num_queries
):
    from followups.models import FollowUp

    items = [make_followup(owner=user, due_on=days(i % 5 - 2)) for i in range(100)]
    with django_assert_num_queries(3):  # session, user, and a count that stops at 100
        response = auth_client.get(reverse("followups:due_count"), HTTP_ACCEPT_LANGUAGE=language)
    assert f'aria-label="{label}">99+</span>' in response.content.decode()
    FollowUp.objects.filter(pk=items[0].pk).delete()
    html = auth_client.get(reverse("followups:due_count"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'aria-label="99 due">99</span>' in html


@time_machine.travel(FROZEN)
def test_due_dates_are_written_in_the_pages_language_and_with_the_year_only_when_another(auth_client, user):
    make_followup(owner=user, due_on=days(2))  # Friday 2026-11-20
    make_followup(owner=user, person=make_person(owner=user), due_on=datetime.date(2025, 12, 31))  # overdue, Wednesday
    make_followup(owner=user, person=make_person(owner=user), due_on=TODAY)
    for language, friday, last_year, today in (
        ("ja", "11/20 (金)", "2025/12/31 (水)", "今日"),
        ("en", "11/20 (Fri)", "2025/12/31 (Wed)", "today"),
        ("ja", "11/20 (金)", "2025/12/31 (水)", "今日"),
    ):
        html = auth_client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'datetime="2026-11-20">{friday}</time>' in html
        assert f'datetime="2025-12-31">{last_year}</time>' in html
        assert f'datetime="2026-11-18">{today}</time>' in html


@time_machine.travel(FROZEN)
def test_next_weeks_items_come_when_their_section_is_near_the_screen(auth_client, user, other_user):
    """The first response counts next week; htmx fetches its items alone; without JavaScript a link shows them."""
    make_followup(owner=user, person=make_person(owner=user, family_name="甲野"), due_on=days(-2))
    for name in ("丙田", "戊井"):
        make_followup(owner=user, person=make_person(owner=user, family_name=name), due_on=days(6))
    make_followup(owner=other_user, person=make_person(owner=other_user, family_name="他人"), due_on=days(6))
    page = auth_client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    section = page[page.index('id="next-week-title"') :]
    assert '<span class="week-section__count">2</span>' in section
    assert "丙田" not in page and "戊井" not in page and "甲野" in page
    assert 'hx-get="/week/?next=1" hx-trigger="near-screen once"' in section
    assert '<a href="?next=1#next-week-title">Show next week\'s items</a>' in section
    assert "来週の分を表示" in auth_client.get(URL, headers={"Accept-Language": "ja"}).content.decode()

    alone = auth_client.get(URL + "?next=1", headers=NEXT_WEEK_ALONE).content.decode()
    assert alone.lstrip().startswith('<ul class="week-items">') and "<html" not in alone
    assert alone.index("丙田") >= 0 and "戊井" in alone and "甲野" not in alone and "他人" not in alone
    assert alone.count("data-followup>") == 2

    # Without JavaScript: the whole page with next week's items; "show all" has them too.
    for query in ("?next=1", "?all=1"):
        whole = auth_client.get(URL + query).content.decode()
        assert "甲野" in whole and "丙田" in whole and "戊井" in whole and "他人" not in whole
        assert 'id="next-week"' not in whole and whole.count("data-followup>") == 3


@time_machine.travel(FROZEN)
def test_next_weeks_items_alone_are_cut_and_counted_like_the_other_sections(auth_client, user, monkeypatch):
    from followups import selectors

    monkeypatch.setattr(selectors, "SECTION_SHOWN", 2)
    for i in range(5):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"来{i}"), due_on=days(6))
    alone = auth_client.get(URL + "?next=1", headers=NEXT_WEEK_ALONE | {"Accept-Language": "en"}).content.decode()
    assert alone.count("data-followup>") == 2
    assert '<a href="?all=1">and 3 more: show all</a>' in alone
