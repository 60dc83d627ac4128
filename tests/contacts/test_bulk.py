"""update_rows: a value per row for many rows in one statement per batch, on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import bulk
from contacts.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_of_every_type(user, other_user):
    people = [make_person(owner=user, family_name=f"人{n}") for n in range(5)]
    bystander = make_person(owner=other_user, notes="そのまま")
    introducer = people[0]
    stamp = timezone.now() - datetime.timedelta(days=400)
    for n, person in enumerate(people):
        person.notes = f"メモ {n} 'quote\" ; --" if n % 2 else ""  # text, quotes and the empty string
        person.first_met_on = datetime.date(2020, 1, 1 + n) if n else None  # a date, and NULL
        person.birthday_month = n + 1  # a small integer
        person.reading_inferred = bool(n % 2)  # a boolean
        person.introduced_by_id = introducer.pk if n else None  # a foreign key
        person.updated_at = stamp + datetime.timedelta(hours=n)  # an aware date-time
    fields = ["notes", "first_met_on", "birthday_month", "reading_inferred", "introduced_by", "updated_at"]
    with CaptureQueriesContext(connection) as queries:
        assert bulk.update_rows(Person, people, fields) == 5
    assert len(queries) == 1
    for n, person in enumerate(people):
        row = Person.objects.get(pk=person.pk)
        assert row.notes == person.notes
        assert row.first_met_on == person.first_met_on
        assert row.birthday_month == n + 1
        assert row.reading_inferred is bool(n % 2)
        assert row.introduced_by_id == (introducer.pk if n else None)
        assert row.updated_at == stamp + datetime.timedelta(hours=n)
    bystander.refresh_from_db()
    assert bystander.notes == "そのまま"


def test_many_rows_are_sent_in_batches(user, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 4)
    people = [make_person(owner=user, family_name=f"人{n}") for n in range(10)]
    for n, person in enumerate(people):
        person.notes = f"#{n}"
    with CaptureQueriesContext(connection) as queries:
        assert bulk.update_rows(Person, people, ["notes"]) == 10
    assert len(queries) == 3
    assert sorted(Person.objects.values_list("notes", flat=True)) == sorted(f"#{n}" for n in range(10))


def test_nothing_to_write_sends_nothing(user):
    person = make_person(owner=user)
    with CaptureQueriesContext(connection) as queries:
        assert bulk.update_rows(Person, [], ["notes"]) == 0
        assert bulk.update_rows(Person, [person], []) == 0
    assert len(queries) == 0


def test_the_key_and_relations_to_many_are_refused(user):
    person = make_person(owner=user)
    with pytest.raises(ValueError):
        bulk.update_rows(Person, [person], ["id"])
    with pytest.raises(ValueError):
        bulk.update_rows(Person, [person], ["tags"])


def test_an_old_sqlite_falls_back_to_bulk_update(user, monkeypatch):
    monkeypatch.setattr(bulk, "_supported", lambda connection: False)
    person = make_person(owner=user)
    person.notes = "古いSQLite"
    assert bulk.update_rows(Person, [person], ["notes"]) == 1
    person.refresh_from_db()
    assert person.notes == "古いSQLite"
