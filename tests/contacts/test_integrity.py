"""Rules that protect what users typed: impossible ids, undo, versions."""

import datetime

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Meeting, Person
from tests.factories import make_event, make_person

pytestmark = pytest.mark.django_db

HUGE = str(2**70)


@pytest.mark.parametrize("field", ["fields", "introduced_by", "first_met_event"])
@pytest.mark.parametrize("value", [HUGE, "-1", "0", "abc"])
def test_impossible_ids_in_the_person_form_are_validation_errors(auth_client, user, field, value):
    response = auth_client.post(reverse("contacts:person_create"), {"family_name": "新人", field: value})
    assert response.status_code == 200
    assert not Person.objects.filter(family_name="新人").exists()


@pytest.mark.parametrize("field", ["people", "event"])
def test_impossible_ids_in_the_meeting_form_are_validation_errors(auth_client, user, field):
    person = make_person(owner=user)
    data = {"date": "2026-11-20", "kind": "coffee", "people": [person.pk], field: HUGE}
    response = auth_client.post(reverse("contacts:meeting_create"), data)
    assert response.status_code in {200, 422}
    assert Meeting.objects.count() == 0


def test_undoing_a_met_again_row_never_deletes_a_known_person(user):
    known = make_person(owner=user, notes="大事なメモ")  # e.g. imported, no meetings yet
    event = make_event(owner=user)
    result = services.capture_existing(owner=user, event=event, person=known)
    services.undo_capture(meeting=result.meeting)
    known.refresh_from_db()
    assert known.notes == "大事なメモ"
    assert known.first_met_event is None  # set by the undone meeting, so cleared again
    assert known.first_met_on is None


def test_undoing_a_new_row_removes_the_person_it_created(user):
    event = make_event(owner=user)
    result = services.capture_person(owner=user, event=event, values={"family_name": "新人"})
    services.undo_capture(meeting=result.meeting)
    assert not Person.objects.filter(pk=result.person.pk).exists()


def test_ending_moves_the_stored_version_even_from_a_stale_object(user):
    person = make_person(owner=user)
    stale = Person.objects.get(pk=person.pk)
    services.update_person(person=person, expected_version=person.version, values={"notes": "edited"})
    services.end_relationship(person=stale, on=datetime.date(2026, 11, 21), reason="moved")
    stored = Person.objects.get(pk=person.pk)
    assert stored.version == 3
    with pytest.raises(services.StaleEdit):
        services.update_person(person=stored, expected_version=2, values={"notes": "from an old tab"})
