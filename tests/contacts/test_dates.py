"""Dates are bounded everywhere (issue #15 item 5): 1900 to one year ahead, birthdays in the past;
forms, import and restore refuse the rest with a message, and dates saved before are marked, not changed."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from contacts import dates
from contacts.forms import EventForm, MeetingForm, PersonForm
from contacts.models import Meeting, Person
from followups.models import FollowUp
from ledger.forms import LedgerEntryForm
from tests.contacts.test_person import person_post
from tests.factories import make_followup, make_ledger_entry, make_meeting, make_person
from transfer import backup
from transfer.backup import BackupRejected
from transfer.cards import Card, clean_card

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-16 10:00 +0900", tick=False), translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_met_on", "0024-08-11", "Enter a date between"),
        ("first_met_on", "9999-12-31", "Enter a date between"),
        ("first_met_on", "1899-12-31", "Enter a date between"),
        ("birthday", "2099-01-01", "A birthday cannot be in the future."),
        ("birthday", "2026-11-17", "A birthday cannot be in the future."),
        ("birthday", "1850-01-01", "Enter a birthday after"),
    ],
)
def test_the_person_form_refuses_impossible_dates_on_the_field(user, field, value, message):
    form = PersonForm(person_post(**{field: value}), owner=user)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_the_message_is_in_japanese_for_a_japanese_user(user):
    with translation.override("ja"):
        form = PersonForm(person_post(first_met_on="0024-08-11", birthday="2099-01-01"), owner=user)
        assert not form.is_valid()
        assert "1900" in form.errors["first_met_on"][0] and "日付" in form.errors["first_met_on"][0]
        assert "誕生日" in form.errors["birthday"][0]


def test_a_year_ahead_and_1900_are_accepted_and_one_day_more_is_not(user):
    assert PersonForm(person_post(first_met_on="1900-01-01", birthday="2026-11-16"), owner=user).is_valid()
    person = make_person(owner=user)
    ok = MeetingForm({"date": "2027-11-16", "kind": "coffee", "people": [person.pk]}, owner=user)
    assert ok.is_valid(), ok.errors
    late = MeetingForm({"date": "2027-11-17", "kind": "coffee", "people": [person.pk]}, owner=user)
    assert not late.is_valid() and "date" in late.errors


def test_events_meetings_and_ledger_entries_refuse_the_end_of_the_calendar(user):
    person = make_person(owner=user)
    assert "date" in EventForm({"name": "交流会", "kind": "mixer", "date": "9999-12-31"}).errors
    meeting = MeetingForm({"date": "9999-12-31", "kind": "coffee", "people": [person.pk]}, owner=user)
    assert "date" in meeting.errors
    entry = LedgerEntryForm(
        {"date": "9999-12-31", "direction": "gave", "kind": "information", "weight": 2}, owner=user, person=person
    )
    assert "date" in entry.errors


def test_a_typed_impossible_date_saves_nothing(auth_client, user):
    response = auth_client.post(reverse("contacts:person_create"), person_post(first_met_on="9999-12-31"))
    assert response.status_code == 200
    assert not Person.objects.filter(owner=user).exists()


def test_an_imported_impossible_date_is_refused_with_a_message_and_the_rest_of_the_card_read():
    card = clean_card(
        Card(line=1, family_name="山田", given_name="太郎", birthday="2099-01-01", first_met_on="2026-01-05")
    )
    assert not card.errors  # one bad field never drops the row (issue #17)
    assert [(w["code"], w["field"]) for w in card.warnings] == [("date_out_of_range", "birthday")]
    assert card.values["birthday"] is None
    assert card.values["first_met_on"] == "2026-01-05"
    assert card.values["family_name"] == "山田"


def _backup_with(user, section: str, **changes) -> bytes:
    document = json.loads(backup.backup_text(user))
    document["data"][section][0].update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("section", "changes"),
    [
        ("people", {"first_met_on": "9999-12-31"}),
        ("people", {"birthday": "2099-01-01"}),
        ("meetings", {"date": "9999-12-31"}),
        ("ledger_entries", {"date": "0024-08-11"}),
        ("people", {"notes": "長" * 150_000}),
    ],
)
def test_restore_refuses_what_the_forms_refuse_and_restores_nothing(user, other_user, section, changes):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    make_ledger_entry(owner=user, person=person, date=datetime.date(2026, 11, 1))
    data = _backup_with(user, section, **changes)
    with pytest.raises(BackupRejected, match=f"of “{section}” is invalid"):
        backup.restore(owner=other_user, data=data)
    assert not Person.objects.filter(owner=other_user).exists()


def test_dates_saved_before_the_bounds_are_marked_on_the_person_page_and_kept(auth_client, user):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    Person.objects.filter(pk=person.pk).update(
        first_met_on=datetime.date(24, 8, 11), birthday=datetime.date(2099, 1, 1)
    )
    Meeting.objects.filter(pk=meeting.pk).update(date=datetime.date(9999, 12, 31))
    page = auth_client.get(person.get_absolute_url()).content.decode()
    assert 'id="date-warning"' in page
    assert page.count('class="date-mark"') == 3
    assert "0024-08-11" in page and "9999-12-31" in page
    person.refresh_from_db()
    assert person.first_met_on == datetime.date(24, 8, 11)


def test_a_person_with_good_dates_has_no_marks(auth_client, user):
    person = make_person(owner=user, first_met_on=datetime.date(2026, 1, 5), birthday=datetime.date(1980, 2, 29))
    page = auth_client.get(person.get_absolute_url()).content.decode()
    assert "date-mark" not in page and "date-warning" not in page


def test_this_week_shows_the_year_of_a_date_outside_this_year(auth_client, user):
    person = make_person(owner=user)
    old = make_followup(owner=user, person=person, due_on=datetime.date(25, 8, 11))
    now = make_followup(
        owner=user, person=make_person(owner=user, family_name="今"), due_on=datetime.date(2026, 11, 10)
    )
    assert FollowUp.objects.count() >= 2
    page = auth_client.get(reverse("followups:week")).content.decode()
    assert "0025/8/11" in page
    assert f'id="followup-{now.pk}"' in page and "11/10 (" in page
    assert f'id="followup-{old.pk}"' in page


def test_the_bounds_follow_today():
    assert dates.latest(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
    assert dates.plus_days(datetime.date(9999, 12, 31), 30) == datetime.date.max
