"""Capture at an event: pick or create the event, log people one row at a time."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from contacts.models import ContactPoint, Event, Meeting, MeetingKind, Person
from tests.factories import (
    make_event,
    make_field,
    make_meeting,
    make_person,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def capture_url(event) -> str:
    return f"{reverse('contacts:capture')}?event={event.pk}"


def row_url(event) -> str:
    return reverse("contacts:capture_row", args=[event.pk])


def matches_url(event) -> str:
    return reverse("contacts:capture_matches", args=[event.pk])


def existing_url(event, person) -> str:
    return reverse("contacts:capture_existing", args=[event.pk, person.pk])


def undo_url(meeting) -> str:
    return reverse("contacts:capture_undo", args=[meeting.pk])


def save_row(client, event, *, language="ja", **data):
    return client.post(
        row_url(event),
        {"name": "佐藤 一郎"} | data,
        HTTP_ACCEPT_LANGUAGE=language,
        **HTMX,
    )


# --- Picking or creating the event ---------------------------------------------


@time_machine.travel(datetime.datetime(2026, 11, 21, 19, 0, tzinfo=datetime.UTC))
def test_new_event_form_defaults_to_today_the_last_place_and_a_mixer(auth_client, user):
    make_event(owner=user, name="古い会", place="梅田", date=datetime.date(2026, 1, 5))
    make_event(owner=user, name="最近の会", place="渋谷", date=datetime.date(2025, 5, 1))
    response = auth_client.get(reverse("contacts:capture"))
    assert response.status_code == 200
    html = response.text
    assert 'id="capture-event-form"' in html
    # Asia/Tokyo: 19:00 UTC is already the next day.
    assert 'value="2026-11-22"' in html
    assert re.search(r'name="place"[^>]*value="渋谷"', html)  # last created, not latest date
    assert re.search(r'<option value="mixer" selected>', html)


def test_recent_events_are_listed_with_how_many_were_logged(auth_client, user, other_user):
    event = make_event(owner=user, name="異業種交流会 渋谷")
    make_meeting(owner=user, people=[make_person(owner=user)], event=event)
    make_event(owner=other_user, name="よその会")
    html = auth_client.get(reverse("contacts:capture")).text
    assert "異業種交流会 渋谷" in html
    assert f"?event={event.pk}" in html
    assert "よその会" not in html


def test_creating_an_event_opens_its_capture_page(auth_client, user):
    data = {"name": "朝活 新宿", "kind": "community", "date": "2026/11/21", "place": "新宿"}
    response = auth_client.post(reverse("contacts:capture_event_create"), data)
    event = Event.objects.get(owner=user)
    assert response.status_code == 302
    assert response.url == capture_url(event)
    assert (event.name, event.kind, event.date, event.place) == (
        "朝活 新宿",
        "community",
        datetime.date(2026, 11, 21),
        "新宿",
    )


def test_creating_an_event_with_htmx_redirects_the_browser(auth_client, user):
    data = {"name": "勉強会", "kind": "seminar", "date": "2026-11-21"}
    response = auth_client.post(reverse("contacts:capture_event_create"), data, **HTMX)
    event = Event.objects.get(owner=user)
    assert response.status_code == 200
    assert response["HX-Redirect"] == capture_url(event)


def test_event_without_a_name_or_date_is_refused_with_messages(auth_client, user):
    data = {"name": "", "kind": "mixer", "date": "someday"}
    response = auth_client.post(reverse("contacts:capture_event_create"), data, **HTMX, **JA)
    assert response.status_code == 200
    assert 'id="capture-event-form"' in response.text
    assert "このフィールドは必須です" in response.text
    assert "日付を正しく入力してください" in response.text
    plain = auth_client.post(reverse("contacts:capture_event_create"), data, **EN)
    assert plain.status_code == 422
    assert "This field is required." in plain.text
    assert not Event.objects.exists()


def test_event_with_an_unknown_kind_or_oversized_name_is_refused(auth_client):
    for data in (
        {"name": "会", "kind": "rave", "date": "2026-11-21"},
        {"name": "x" * 201, "kind": "mixer", "date": "2026-11-21"},
    ):
        response = auth_client.post(reverse("contacts:capture_event_create"), data, **HTMX)
        assert response.status_code == 200
        assert "field__error" in response.text
    assert not Event.objects.exists()


# --- The capture page of one event ---------------------------------------------


def test_capture_page_shows_the_event_and_an_empty_row(auth_client, user):
    event = make_event(owner=user, name="名刺交換会", place="丸の内")
    make_field(owner=user, name="IT")
    response = auth_client.get(capture_url(event))
    assert response.status_code == 200
    html = response.text
    assert "名刺交換会" in html and "丸の内" in html
    assert 'id="capture-form"' in html and 'id="capture-rows"' in html
    assert f'action="{row_url(event)}"' in html and f'hx-post="{row_url(event)}"' in html
    assert re.search(r'<input type="text" name="name"[^>]*autofocus', html)
    assert 'type="checkbox" name="fields"' in html
    for value in ("yes", "unknown", "no"):
        assert f'type="radio" name="want_again" value="{value}"' in html


def test_capture_page_offers_only_the_users_own_fields(auth_client, user, other_user):
    event = make_event(owner=user)
    make_field(owner=user, name="デザイン")
    make_field(owner=other_user, name="よその分野")
    html = auth_client.get(capture_url(event)).text
    assert "デザイン" in html
    assert "よその分野" not in html


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "9" * 40, "１"])
def test_event_parameter_that_is_not_an_id_is_404(auth_client, value):
    response = auth_client.get(reverse("contacts:capture"), {"event": value})
    assert response.status_code == 404


def test_foreign_event_id_is_404(auth_client, other_user):
    theirs = make_event(owner=other_user)
    person = make_person(owner=other_user)
    assert auth_client.get(capture_url(theirs)).status_code == 404
    assert save_row(auth_client, theirs).status_code == 404
    assert auth_client.get(matches_url(theirs), {"name": "山田"}).status_code == 404
    assert auth_client.post(existing_url(theirs, person), **HTMX).status_code == 404
    assert not Meeting.objects.exists()
    assert Person.objects.count() == 1


def test_foreign_person_id_is_404_and_logs_nothing(auth_client, user, other_user):
    event = make_event(owner=user)
    theirs = make_person(owner=other_user)
    response = auth_client.post(existing_url(event, theirs), **HTMX)
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_unknown_and_huge_ids_are_404(auth_client, user):
    event = make_event(owner=user)
    assert auth_client.post(reverse("contacts:capture_row", args=[10**30]), {"name": "x"}).status_code == 404
    assert auth_client.post(reverse("contacts:capture_existing", args=[event.pk, 10**30])).status_code == 404
    assert auth_client.post(reverse("contacts:capture_undo", args=[10**30])).status_code == 404


def test_write_views_answer_405_to_get(auth_client, user):
    event = make_event(owner=user)
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person], event=event)
    for url in (
        reverse("contacts:capture_event_create"),
        row_url(event),
        existing_url(event, person),
        undo_url(meeting),
    ):
        assert auth_client.get(url).status_code == 405, url


def test_capture_page_lists_people_logged_newest_first(auth_client, user):
    event = make_event(owner=user)
    for name in ("佐藤 一郎", "鈴木 二郎", "高橋 三郎"):
        save_row(auth_client, event, name=name, company="ABC商事")
    elsewhere = make_event(owner=user, name="別の会")
    save_row(auth_client, elsewhere, name="田中 四郎")
    html = auth_client.get(capture_url(event)).text
    positions = [html.index(name) for name in ("高橋 三郎", "鈴木 二郎", "佐藤 一郎")]
    assert positions == sorted(positions)
    assert "田中 四郎" not in html
    assert '<span id="capture-count" class="capture-count">3</span>' in html


def test_capture_page_query_count_does_not_grow_with_rows(auth_client, user, django_assert_num_queries):
    event = make_event(owner=user)
    make_field(owner=user, name="IT")
    save_row(auth_client, event, name="佐藤 一郎")
    # Session, user, event, meetings, their people, the user's fields.
    with django_assert_num_queries(6):
        auth_client.get(capture_url(event))
    for n in range(12):
        save_row(auth_client, event, name=f"鈴木 {n}", company="ABC商事")
    make_meeting(owner=user, people=[make_person(owner=user), make_person(owner=user)], event=event)
    with django_assert_num_queries(6):
        response = auth_client.get(capture_url(event))
    assert response.text.count('class="capture-row"') == 14


# --- Saving a row --------------------------------------------------------------


def test_saving_a_row_creates_the_person_and_their_first_meeting(auth_client, user):
    event = make_event(owner=user, date=datetime.date(2026, 11, 20))
    it = make_field(owner=user, name="IT")
    make_field(owner=user, name="金融")
    response = save_row(
        auth_client,
        event,
        name="山田 太郎",
        reading="やまだ たろう",
        company="ABC商事",
        title="部長",
        email="Taro@Example.com",
        fields=[it.pk],
        memo="DXの話",
        want_again="yes",
    )
    assert response.status_code == 200
    person = Person.objects.get(owner=user)
    assert (person.family_name, person.given_name) == ("山田", "太郎")
    assert (person.family_reading, person.given_reading) == ("やまだ", "たろう")
    assert (person.company, person.title) == ("ABC商事", "部長")
    assert person.i_want_to_meet_again == "yes"
    assert list(person.fields.all()) == [it]
    assert person.first_met_on == event.date
    assert person.first_met_event == event
    assert person.last_contact_on == event.date
    point = ContactPoint.objects.get(person=person)
    assert (point.kind, point.value, point.normalized) == ("email", "Taro@Example.com", "taro@example.com")
    meeting = Meeting.objects.get(owner=user)
    assert list(meeting.people.all()) == [person]
    assert (meeting.event, meeting.date, meeting.kind, meeting.summary) == (
        event,
        event.date,
        MeetingKind.FIRST_AT_EVENT,
        "DXの話",
    )


def test_saved_row_comes_back_with_a_fresh_empty_row(auth_client, user):
    event = make_event(owner=user)
    response = save_row(auth_client, event, name="山田 太郎", company="ABC商事", memo="名刺")
    meeting = Meeting.objects.get()
    html = response.text
    assert html.lstrip().startswith('<section id="capture-form"')
    assert 'hx-swap-oob="afterbegin:#capture-rows"' in html
    assert f'id="capture-row-{meeting.pk}"' in html
    assert "ABC商事" in html
    assert f'hx-post="{undo_url(meeting)}"' in html
    assert '<span id="capture-count" class="capture-count" hx-swap-oob="true">1</span>' in html
    # The new row is empty and ready for the next person.
    form_html = html.split("</section>")[0]
    assert re.search(r'<input type="text" name="name"(?![^>]*value=)[^>]*autofocus', form_html)
    assert "ABC商事" not in form_html.split('role="status"')[1].split("</p>", 1)[1]


def test_saving_a_row_without_javascript_redirects_back_to_the_capture_page(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.post(row_url(event), {"name": "Jane Smith"}, follow=True, **EN)
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Jane", "Smith")
    assert response.redirect_chain == [(capture_url(event), 302)]
    assert "Saved Jane Smith." in response.text
    assert 'id="capture-rows"' in response.text and "Jane Smith" in response.text


def test_missing_name_is_refused_with_a_message_in_the_users_language(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.post(row_url(event), {"name": "  ", "company": "ABC商事"}, **HTMX, **JA)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="capture-form"')
    assert "このフィールドは必須です" in response.text
    assert 'value="ABC商事"' in response.text  # nothing typed is lost
    assert 'aria-invalid="true"' in response.text
    assert "hx-swap-oob" not in response.text
    english = auth_client.post(row_url(event), {"name": ""}, **HTMX, **EN)
    assert "This field is required." in english.text
    assert not Person.objects.exists() and not Meeting.objects.exists()


def test_refused_row_without_javascript_is_422_with_the_whole_page(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.post(row_url(event), {"name": "", "memo": "覚え書き"}, **EN)
    assert response.status_code == 422
    assert "<html" in response.text and 'id="capture-form"' in response.text
    assert 'value="覚え書き"' in response.text
    assert not Person.objects.exists()


def test_oversized_name_is_refused_and_nothing_saved(auth_client, user):
    event = make_event(owner=user)
    response = save_row(auth_client, event, name="山" * 201)
    assert response.status_code == 200
    assert "field__error" in response.text
    assert not Person.objects.exists() and not Meeting.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "寿" * 150},  # one word: the whole family name, longer than its column
        {"name": "ﷺ" * 10},  # NFKC turns each character into 18
        {"name": "山田 太郎", "reading": "や" * 150},
        {"name": "山田 太郎", "company": "c" * 201},
        {"name": "山田 太郎", "title": "t" * 201},
        {"name": "山田 太郎", "memo": "m" * 10_001},  # the memo is the meeting's summary: its limit
        {"name": "山田 太郎", "email": "e" * 250 + "@example.com"},
        {"name": "山田 太郎", "email": "not an address"},
        {"name": "山田 太郎", "want_again": "maybe"},
        {"name": "山田\x00太郎"},
    ],
    ids=["long-family", "nfkc", "reading", "company", "title", "memo", "email-long", "email", "want", "nul"],
)
def test_bad_row_input_is_refused_and_nothing_saved(auth_client, user, data):
    event = make_event(owner=user)
    response = save_row(auth_client, event, **data)
    assert response.status_code == 200
    assert "field__error" in response.text
    assert not Person.objects.exists() and not Meeting.objects.exists()


def test_a_foreign_field_id_is_refused_and_nothing_saved(auth_client, user, other_user):
    event = make_event(owner=user)
    theirs = make_field(owner=other_user, name="よその分野")
    for value in (theirs.pk, "abc", 10**30):
        response = save_row(auth_client, event, name="山田 太郎", fields=[value], language="en")
        assert response.status_code == 200
        assert re.search(r"Select a valid choice|is not a valid value", response.text)
    assert not Person.objects.exists()
    assert theirs.people.count() == 0


def test_a_western_name_is_stored_given_name_first(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="Mary Ann Smith")
    person = Person.objects.get()
    assert (person.family_name, person.given_name) == ("Smith", "Mary Ann")
    assert person.display_name == "Mary Ann Smith"


# --- Suggestions of people who may be the same ---------------------------------


def test_matches_fragment_is_wired_to_the_row_inputs(auth_client, user):
    event = make_event(owner=user)
    html = auth_client.get(capture_url(event)).text
    assert f'hx-get="{matches_url(event)}"' in html
    assert 'hx-trigger="input changed delay:300ms from:.capture-watch"' in html
    for name in ("name", "reading", "company", "email"):
        assert re.search(rf'<input type="\w+" name="{name}"[^>]*class="capture-watch"', html), name


def test_similar_people_are_suggested_by_reading(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user, family_name="山田", given_name="太郎")
    response = auth_client.get(matches_url(event), {"reading": "ヤマダ タロウ"}, **HTMX)
    assert response.status_code == 200
    assert 'id="capture-matches"' in response.text
    assert existing_url(event, known) in response.text
    assert "山田 太郎" in response.text


@pytest.mark.parametrize(
    "query",
    [{"name": "山田 太郎"}, {"name": "山田太郎"}, {"company": "abc商事"}, {"email": "TARO@example.com"}],
    ids=["name", "name-without-space", "company", "email"],
)
def test_similar_people_are_suggested_by_name_company_or_email(auth_client, user, query):
    event = make_event(owner=user)
    other_event = make_event(owner=user, name="前の会")
    save_row(auth_client, other_event, name="山田 太郎", company="ABC商事", email="taro@example.com")
    known = Person.objects.get()
    response = auth_client.get(matches_url(event), query, **HTMX)
    assert existing_url(event, known) in response.text


def test_nothing_typed_suggests_nobody(auth_client, user):
    event = make_event(owner=user)
    make_person(owner=user)
    response = auth_client.get(matches_url(event), {"name": "", "company": " "}, **HTMX)
    assert response.status_code == 200
    assert 'id="capture-matches"' in response.text
    assert "capture-match__name" not in response.text


def test_suggestions_never_show_another_users_people(auth_client, user, other_user):
    event = make_event(owner=user)
    make_person(owner=other_user, family_name="山田", given_name="太郎")
    response = auth_client.get(matches_url(event), {"name": "山田 太郎", "reading": "やまだ たろう"})
    assert "山田" not in response.text


def test_person_already_logged_here_is_marked_not_offered(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="山田 太郎")
    known = Person.objects.get()
    response = auth_client.get(matches_url(event), {"name": "山田 太郎"})
    assert "山田 太郎" in response.text
    assert existing_url(event, known) not in response.text
    assert "capture-match--here" in response.text


@pytest.mark.parametrize(
    "query",
    [{"name": "山" * 5000}, {"email": "@" * 300}, {"reading": "ﷺ" * 200}],
    ids=["long", "email", "nfkc"],
)
def test_odd_suggestion_queries_never_fail(auth_client, user, query):
    event = make_event(owner=user)
    response = auth_client.get(matches_url(event), query)
    assert response.status_code == 200


# --- Logging someone already known ---------------------------------------------


def test_tapping_a_suggestion_records_a_meeting_with_that_person_instead_of_a_duplicate(auth_client, user):
    event = make_event(owner=user, date=datetime.date(2026, 11, 20))
    known = make_person(owner=user)
    make_meeting(owner=user, people=[known], date=datetime.date(2025, 4, 1))
    response = auth_client.post(
        existing_url(event, known),
        {"name": "山田", "memo": "再会した"},
        **HTMX,
    )
    assert response.status_code == 200
    assert Person.objects.count() == 1
    meeting = Meeting.objects.get(event=event)
    assert list(meeting.people.all()) == [known]
    assert meeting.kind == MeetingKind.AT_EVENT
    assert meeting.summary == "再会した"
    known.refresh_from_db()
    assert known.company == ""
    assert known.last_contact_on == event.date
    assert f'id="capture-row-{meeting.pk}"' in response.text
    assert response.text.lstrip().startswith('<section id="capture-form"')


def test_tapping_a_suggestion_without_javascript_redirects_back(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user)
    response = auth_client.post(existing_url(event, known))
    assert response.status_code == 302
    assert response.url == capture_url(event)
    assert Meeting.objects.filter(event=event, people=known).count() == 1


def test_tapping_a_suggestion_twice_logs_the_person_once(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user)
    auth_client.post(existing_url(event, known), **HTMX)
    response = auth_client.post(existing_url(event, known), **HTMX, **EN)
    assert response.status_code == 200
    assert "already logged at this event" in response.text
    assert Meeting.objects.filter(event=event).count() == 1


def test_oversized_memo_on_a_suggestion_is_refused(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user)
    response = auth_client.post(existing_url(event, known), {"name": "", "memo": "m" * 10_001}, **HTMX)
    assert response.status_code == 200
    assert response.text.count('class="field__error"') == 1  # only the memo's message
    assert not Meeting.objects.exists()


# --- Undo ----------------------------------------------------------------------


def test_undo_removes_the_person_created_by_the_row(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="山田 太郎", email="taro@example.com")
    meeting = Meeting.objects.get()
    response = auth_client.post(undo_url(meeting), **HTMX, **EN)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith(f'<li id="capture-row-{meeting.pk}" class="capture-row capture-row--undone"')
    assert "undone" in html
    assert '<span id="capture-count" class="capture-count" hx-swap-oob="true">0</span>' in html
    assert not Person.objects.exists()
    assert not Meeting.objects.exists()
    assert not ContactPoint.objects.exists()


def test_undo_keeps_a_person_who_has_other_meetings(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="山田 太郎")
    person = Person.objects.get()
    row_meeting = Meeting.objects.get()
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 12, 1))
    response = auth_client.post(undo_url(row_meeting), **HTMX, **EN)
    assert "Only the meeting was removed" in response.text
    assert Person.objects.filter(pk=person.pk).exists()
    assert not Meeting.objects.filter(pk=row_meeting.pk).exists()
    person.refresh_from_db()
    assert person.last_contact_on == datetime.date(2026, 12, 1)


def test_undo_of_a_met_again_row_keeps_the_person(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user)
    make_meeting(owner=user, people=[known], date=datetime.date(2025, 4, 1))
    auth_client.post(existing_url(event, known), **HTMX)
    meeting = Meeting.objects.get(event=event)
    auth_client.post(undo_url(meeting), **HTMX)
    assert Person.objects.filter(pk=known.pk).exists()
    assert not Meeting.objects.filter(event=event).exists()


def test_undo_of_another_users_meeting_is_404_and_changes_nothing(auth_client, other_user):
    event = make_event(owner=other_user)
    person = make_person(owner=other_user)
    meeting = make_meeting(owner=other_user, people=[person], event=event, kind="first_at_event")
    assert auth_client.post(undo_url(meeting), **HTMX).status_code == 404
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert Person.objects.filter(pk=person.pk).exists()


def test_undo_of_a_meeting_not_at_an_event_is_404(auth_client, user):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person])
    assert auth_client.post(undo_url(meeting)).status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()


def test_undo_without_javascript_redirects_back(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="山田 太郎")
    meeting = Meeting.objects.get()
    response = auth_client.post(undo_url(meeting), follow=True, **EN)
    assert response.redirect_chain == [(capture_url(event), 302)]
    assert "The row was undone." in response.text
    assert not Person.objects.exists()


# --- Content Security Policy -----------------------------------------------------


def test_capture_pages_have_no_inline_script_style_or_handlers(auth_client, user):
    event = make_event(owner=user)
    make_field(owner=user)
    save_row(auth_client, event, name="山田 太郎")
    for html in (
        auth_client.get(reverse("contacts:capture")).text,
        auth_client.get(capture_url(event)).text,
        save_row(auth_client, event, name="山田 次郎").text,
        auth_client.get(matches_url(event), {"name": "山田 太郎"}).text,
    ):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)
    page = auth_client.get(capture_url(event)).text
    assert "/static/js/capture.js" in page and "/static/css/capture.css" in page
