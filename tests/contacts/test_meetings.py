"""Logging, editing and deleting meetings from the person page."""

import datetime

import pytest
from django.urls import reverse

from contacts.models import Meeting, Person
from tests.factories import make_event, make_meeting, make_person

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CREATE = reverse("contacts:meeting_create")


def meeting_post(people, **overrides):
    return {"date": "2026-11-21", "kind": "coffee", "people": [p.pk for p in people]} | overrides


def test_meeting_form_from_the_person_page_is_prefilled_with_today_and_the_person(auth_client, user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC))
    person = make_person(owner=user)
    response = auth_client.get(CREATE, {"person": person.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026-11-21"' in html
    assert f'name="people" value="{person.pk}" checked' in html


def test_the_meeting_form_opens_inline_on_the_person_page_with_htmx(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.get(CREATE, {"person": person.pk}, headers=HTMX | {"HX-Target": "meeting-form"})
    html = response.content.decode()
    assert html.strip().startswith('<form id="meeting-form"')
    assert "<html" not in html


def test_logging_a_meeting_with_several_people_moves_their_last_contact(auth_client, user):
    person = make_person(owner=user)
    friend = make_person(owner=user, family_name="佐藤")
    event = make_event(owner=user)
    response = auth_client.post(
        f"{CREATE}?person={person.pk}",
        meeting_post(
            [person, friend],
            kind="drinks",
            event=event.pk,
            summary="二次会で意気投合",
            next_step="紹介状を送る",
            next_step_on="2026/11/25",
        ),
    )
    assert response.status_code == 302 and response.url == person.get_absolute_url()
    meeting = Meeting.objects.get(owner=user)
    assert set(meeting.people.all()) == {person, friend}
    assert (meeting.kind, meeting.event, meeting.summary) == ("drinks", event, "二次会で意気投合")
    assert (meeting.next_step, meeting.next_step_on) == ("紹介状を送る", datetime.date(2026, 11, 25))
    for p in (person, friend):
        p.refresh_from_db()
        assert p.last_contact_on == datetime.date(2026, 11, 21)


def test_logging_a_meeting_with_htmx_sends_the_browser_back_to_the_person(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(
        f"{CREATE}?person={person.pk}", meeting_post([person]), headers=HTMX | {"HX-Target": "meeting-form"}
    )
    assert response["HX-Redirect"] == person.get_absolute_url()
    assert Meeting.objects.filter(owner=user).count() == 1


def test_bad_meeting_input_comes_back_in_the_inline_form_with_messages(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(
        f"{CREATE}?person={person.pk}",
        meeting_post([person], date="2026-02-30", summary="x" * 10_001, next_step_on="someday"),
        headers=HTMX | {"HX-Target": "meeting-form"},
    )
    assert response.status_code == 200
    assert response.content.decode().strip().startswith('<form id="meeting-form"')
    assert set(response.context["form"].errors) == {"date", "summary", "next_step_on"}
    assert not Meeting.objects.exists()


def test_a_meeting_needs_someone(auth_client, user):
    response = auth_client.post(CREATE, meeting_post([]))
    assert "people" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_foreign_person_in_meeting_people_is_rejected(auth_client, user, other_user):
    mine = make_person(owner=user)
    foreign = make_person(owner=other_user)
    response = auth_client.post(CREATE, meeting_post([mine, foreign]))
    assert "people" in response.context["form"].errors
    assert not Meeting.objects.exists()
    foreign.refresh_from_db()
    assert foreign.last_contact_on is None


def test_foreign_event_in_a_meeting_is_rejected(auth_client, user, other_user):
    mine = make_person(owner=user)
    response = auth_client.post(CREATE, meeting_post([mine], event=make_event(owner=other_user).pk))
    assert "event" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_meeting_form_for_another_users_person_is_404(auth_client, other_user):
    foreign = make_person(owner=other_user)
    assert auth_client.get(CREATE, {"person": foreign.pk}).status_code == 404
    assert auth_client.get(CREATE, {"person": "nonsense"}).status_code == 404


def test_people_picker_keeps_ticked_people_and_finds_only_own_people(auth_client, user, other_user):
    ticked = make_person(owner=user)
    match = make_person(
        owner=user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ"
    )
    make_person(owner=user, family_name="鈴木", given_name="一郎", family_reading="すずき", given_reading="いちろう")
    make_person(
        owner=other_user, family_name="佐藤", given_name="他人", family_reading="さとう", given_reading="たにん"
    )
    response = auth_client.get(
        CREATE, {"people_q": "sato", "people": [ticked.pk]}, headers=HTMX | {"HX-Target": "people-choices"}
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="people-choices"')
    assert [p.pk for p in response.context["chosen"]] == [ticked.pk]
    assert [p.pk for p in response.context["others"]] == [match.pk]
    assert f'value="{ticked.pk}" checked' in html
    assert "他人" not in html and "鈴木" not in html


def test_editing_a_meeting_saves_and_returns_to_the_page_it_came_from(auth_client, user):
    person = make_person(owner=user)
    friend = make_person(owner=user, family_name="佐藤")
    meeting = make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    url = reverse("contacts:meeting_edit", args=[meeting.pk])
    html = auth_client.get(url, {"next": person.get_absolute_url()}).content.decode()
    assert f'name="people" value="{person.pk}" checked' in html
    assert f'name="next" value="{person.get_absolute_url()}"' in html
    response = auth_client.post(
        url, meeting_post([person, friend], date="2026-11-10", kind="joint_work", next=friend.get_absolute_url())
    )
    assert response.status_code == 302 and response.url == friend.get_absolute_url()
    meeting.refresh_from_db()
    assert (meeting.date, meeting.kind) == (datetime.date(2026, 11, 10), "joint_work")
    assert set(meeting.people.all()) == {person, friend}
    friend.refresh_from_db()
    assert friend.last_contact_on == datetime.date(2026, 11, 10)


def test_an_outside_next_address_is_ignored(auth_client, user):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person])
    response = auth_client.post(
        reverse("contacts:meeting_edit", args=[meeting.pk]), meeting_post([person], next="https://evil.example/")
    )
    assert response.url == person.get_absolute_url()


def test_taking_someone_out_of_a_meeting_moves_their_last_contact_back(auth_client, user):
    person = make_person(owner=user)
    friend = make_person(owner=user, family_name="佐藤")
    make_meeting(owner=user, people=[friend], date=datetime.date(2026, 1, 1))
    meeting = make_meeting(owner=user, people=[person, friend], date=datetime.date(2026, 11, 1))
    auth_client.post(reverse("contacts:meeting_edit", args=[meeting.pk]), meeting_post([person], date="2026-11-01"))
    friend.refresh_from_db()
    assert friend.last_contact_on == datetime.date(2026, 1, 1)


def test_editing_another_users_meeting_is_404_and_changes_nothing(auth_client, user, other_user):
    foreign = make_meeting(owner=other_user, people=[make_person(owner=other_user)], summary="他人の記録")
    mine = make_person(owner=user)
    url = reverse("contacts:meeting_edit", args=[foreign.pk])
    assert auth_client.get(url).status_code == 404
    assert auth_client.post(url, meeting_post([mine], summary="書き換え")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.summary == "他人の記録"


def test_deleting_a_meeting_keeps_the_people_and_moves_last_contact(auth_client, user):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 1, 1))
    meeting = make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    url = reverse("contacts:meeting_delete", args=[meeting.pk])
    assert auth_client.get(url).status_code == 405
    response = auth_client.post(url)
    assert response.status_code == 302 and response.url == person.get_absolute_url()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    person.refresh_from_db()
    assert person.last_contact_on == datetime.date(2026, 1, 1)
    assert Person.objects.filter(pk=person.pk).exists()


def test_deleting_another_users_meeting_is_404(auth_client, other_user):
    foreign = make_meeting(owner=other_user, people=[make_person(owner=other_user)])
    assert auth_client.post(reverse("contacts:meeting_delete", args=[foreign.pk])).status_code == 404
    assert Meeting.objects.filter(pk=foreign.pk).exists()
