"""Undo means undo the row (issue #16, finding 8): the person goes only when nothing was recorded
on them after the row, whatever goes is in the trash, and the button is gone once undo is not possible."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from contacts import services, trash
from contacts.models import ContactPoint, Meeting, Person, TrashedPerson
from tests.contacts.test_capture import EN, HTMX, capture_url, save_row, undo_url
from tests.factories import make_followup, make_key_person, make_ledger_entry, make_meeting, make_person

pytestmark = pytest.mark.django_db


def _row(client, user, **data):
    from tests.factories import make_event

    event = make_event(owner=user)
    save_row(client, event, name="山田 太郎", email="taro@example.com", **data)
    meeting = Meeting.objects.get(event=event)
    return event, meeting, meeting.people.get()


def _notes(person, user):
    services.update_person(person=person, expected_version=person.version, values={"notes": "ゴルフが好き"})


def _email(person, user):
    services.update_person(
        person=person,
        expected_version=person.version,
        values={},
        contact_points=[("email", "taro@example.com", "taro@example.com"), ("email", "t@work.jp", "t@work.jp")],
    )


def _loan(person, user):
    make_ledger_entry(owner=user, person=person, kind="money", amount=50000, date=datetime.date(2026, 11, 1))


def _manual_followup(person, user):
    make_followup(owner=user, person=person, note="本を返す")


def _key_person(person, user):
    make_key_person(owner=user, person=person)


def _introduced(person, user):
    make_person(owner=user, family_name="紹介", introduced_by=person)


@pytest.mark.parametrize("record", [_notes, _email, _loan, _manual_followup, _key_person, _introduced])
def test_undo_after_something_was_recorded_removes_only_the_meeting_and_says_so(auth_client, user, record):
    _event, meeting, person = _row(auth_client, user)
    record(Person.objects.get(pk=person.pk), user)
    response = auth_client.post(undo_url(meeting), **HTMX, **EN)
    assert response.status_code == 200
    assert "Only the meeting was removed" in response.text
    assert Person.objects.filter(pk=person.pk).exists()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not TrashedPerson.objects.exists()


def test_undo_of_an_untouched_row_moves_the_person_to_the_trash_and_it_comes_back(auth_client, user):
    _event, meeting, person = _row(auth_client, user)
    response = auth_client.post(undo_url(meeting), **HTMX, **EN)
    assert "Moved to the trash" in response.text and reverse("contacts:trash") in response.text
    assert not Person.objects.filter(pk=person.pk).exists()
    trashed = TrashedPerson.objects.get(owner=user)
    trash.restore(trashed=trashed)
    assert Person.objects.filter(pk=person.pk).exists()
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert ContactPoint.objects.filter(person_id=person.pk, value="taro@example.com").exists()


def test_the_undo_button_disappears_once_undo_is_no_longer_possible(auth_client, user):
    event, meeting, person = _row(auth_client, user)
    page = auth_client.get(capture_url(event)).text
    assert f'hx-post="{undo_url(meeting)}"' in page
    later = datetime.datetime.now(tz=datetime.UTC) + services.UNDO_WINDOW + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        page = auth_client.get(capture_url(event)).text
        assert f'id="capture-row-{meeting.pk}"' in page
        assert undo_url(meeting) not in page
        response = auth_client.post(undo_url(meeting), **HTMX, **EN)
        assert response.status_code == 200 and undo_url(meeting) not in response.text
    assert Person.objects.filter(pk=person.pk).exists() and Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_row_whose_person_was_deleted_has_no_undo_button(auth_client, user):
    event, meeting, person = _row(auth_client, user)
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 2))  # the meeting stays when they go
    Meeting.people.through.objects.filter(meeting=meeting).delete()
    assert undo_url(meeting) not in auth_client.get(capture_url(event)).text
