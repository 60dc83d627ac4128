"""Deleting a person moves them to the trash; restoring puts back every row; after 30 days they are purged."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from contacts import services, trash
from contacts.models import ContactPoint, KeyPerson, Meeting, Person, TrashedPerson
from contacts.tasks import purge_trash
from followups.models import FollowUp
from ledger.models import LedgerEntry, LedgerTally
from tests.factories import (
    make_event,
    make_field,
    make_followup,
    make_ledger_entry,
    make_meeting,
    make_person,
    make_tag,
)

pytestmark = pytest.mark.django_db


def _notebook(user):
    event = make_event(owner=user)
    field, tag = make_field(owner=user, name="IT"), make_tag(owner=user, name="ゴルフ")
    person = make_person(owner=user, company="株式会社サンプル", fields=[field], tags=[tag], first_met_event=event)
    services.set_contact_points(person=person, points=[("email", "taro@example.com", "taro@example.com")])
    friend = make_person(owner=user, family_name="鈴木", given_name="花子")
    introduced = make_person(owner=user, family_name="紹介", given_name="先", introduced_by=person)
    solo = make_meeting(owner=user, people=[person], summary="二人で", event=event)
    shared = make_meeting(owner=user, people=[person, friend], summary="三人で")
    make_ledger_entry(owner=user, person=person, direction="received", kind="money", amount=Decimal("5000"))
    make_ledger_entry(owner=user, person=person, meeting=solo, description="助言")
    named = make_ledger_entry(owner=user, person=friend, kind="introduction", introduced_person=person)
    make_followup(owner=user, person=person, reason="manual", note="電話する", meeting=solo)
    KeyPerson.objects.create(owner=user, person=person, field=field, tagged_on=datetime.date(2026, 11, 1), note="要")
    return person, friend, introduced, solo, shared, named, field


def _rows(person_pk):
    """Everything about the person, as plain values."""
    return {
        "person": list(Person.objects.filter(pk=person_pk).values()),
        "points": list(ContactPoint.objects.filter(person_id=person_pk).values()),
        "fields": sorted(Person.fields.through.objects.filter(person_id=person_pk).values_list("field_id", flat=True)),
        "tags": sorted(Person.tags.through.objects.filter(person_id=person_pk).values_list("tag_id", flat=True)),
        "meetings": list(Meeting.objects.filter(people=person_pk).order_by("pk").values()),
        "entries": list(LedgerEntry.objects.filter(person_id=person_pk).order_by("pk").values()),
        "followups": list(FollowUp.objects.filter(person_id=person_pk).order_by("pk").values()),
        "tally": list(LedgerTally.objects.filter(person_id=person_pk).values()),
        "key": list(KeyPerson.objects.filter(person_id=person_pk).values()),
        "introduced": sorted(Person.objects.filter(introduced_by=person_pk).values_list("pk", flat=True)),
        "named_in": sorted(LedgerEntry.objects.filter(introduced_person=person_pk).values_list("pk", flat=True)),
    }


def test_trash_then_restore_puts_back_every_row_as_it_was(user):
    person, friend, introduced, solo, shared, named, _field = _notebook(user)
    pk = person.pk
    before = _rows(pk)
    assert before["followups"] and before["tally"] and before["introduced"] and before["named_in"] and before["key"]

    trashed = trash.trash_person(person=person)
    assert not Person.objects.filter(pk=pk).exists()
    assert not Meeting.objects.filter(pk=solo.pk).exists()
    assert list(Meeting.objects.get(pk=shared.pk).people.all()) == [friend]
    introduced.refresh_from_db()
    named.refresh_from_db()
    assert introduced.introduced_by_id is None and named.introduced_person_id is None
    assert not FollowUp.objects.filter(person_id=pk).exists()
    assert TrashedPerson.objects.get(owner=user).name == person.display_name

    restored = trash.restore(trashed=trashed)
    assert restored.pk == pk
    assert _rows(pk) == before
    assert not TrashedPerson.objects.exists()


def test_restoring_leaves_out_links_to_what_was_deleted_in_the_meantime(user):
    person, friend, _introduced, solo, shared, _named, field = _notebook(user)
    trashed = trash.trash_person(person=person)
    field.delete()
    shared.delete()
    solo_event = person.first_met_event
    solo_event.delete()
    restored = trash.restore(trashed=trashed)
    assert list(restored.fields.all()) == []
    assert restored.first_met_event_id is None
    assert [m.summary for m in restored.meetings.all()] == ["二人で"]
    assert restored.ledger_entries.count() == 2


def test_a_restored_person_is_found_by_search_and_counted_in_the_ledger(user, auth_client):
    person, *_ = _notebook(user)
    restored = trash.restore(trashed=trash.trash_person(person=person))
    page = auth_client.get(reverse("contacts:person_list") + "?q=サンプル").text
    assert restored.display_name in page
    assert LedgerTally.objects.filter(person=restored, received_all__gt=0).exists()


@time_machine.travel("2026-11-01 10:00 +0900", tick=False)
def test_the_purge_job_deletes_for_good_after_30_days_and_not_before(user):
    person, *_ = _notebook(user)
    trash.trash_person(person=person)
    with time_machine.travel("2026-11-30 10:00 +0900", tick=False):
        assert purge_trash() == 0
    with time_machine.travel("2026-12-01 10:01 +0900", tick=False):
        assert purge_trash() == 1
        assert purge_trash() == 0  # twice is harmless
    assert not TrashedPerson.objects.exists()


def test_delete_restore_and_delete_for_good_from_the_pages(user, auth_client):
    person, *_ = _notebook(user)
    response = auth_client.post(reverse("contacts:person_delete", args=[person.pk]), follow=True)
    assert "ゴミ箱" in response.text  # "moved to the trash"
    trashed = TrashedPerson.objects.get()
    page = auth_client.get(reverse("contacts:trash")).text
    assert person.display_name in page
    response = auth_client.post(reverse("contacts:trash_restore", args=[trashed.pk]))
    assert response.status_code == 302 and response.url == person.get_absolute_url()
    assert auth_client.get(person.get_absolute_url()).status_code == 200
    # Restoring twice (another tab): 404, nothing changes.
    assert auth_client.post(reverse("contacts:trash_restore", args=[trashed.pk])).status_code == 404

    auth_client.post(reverse("contacts:person_delete", args=[person.pk]))
    trashed = TrashedPerson.objects.get()
    auth_client.post(reverse("contacts:trash_delete", args=[trashed.pk]))
    assert not TrashedPerson.objects.exists()
    assert not Person.objects.filter(pk=person.pk).exists()


def test_another_users_trash_is_invisible_and_untouchable(user, other_user, client):
    person, *_ = _notebook(user)
    trashed = trash.trash_person(person=person)
    client.force_login(other_user)
    assert person.display_name not in client.get(reverse("contacts:trash")).text
    assert client.post(reverse("contacts:trash_restore", args=[trashed.pk])).status_code == 404
    assert client.post(reverse("contacts:trash_delete", args=[trashed.pk])).status_code == 404
    assert TrashedPerson.objects.filter(pk=trashed.pk).exists()


def test_the_trash_page_runs_the_same_queries_whatever_its_size(user, auth_client, django_assert_num_queries):
    for i in range(2):
        trash.trash_person(person=make_person(owner=user, family_name=f"人{i}"))
    auth_client.get(reverse("contacts:trash"))
    with django_assert_num_queries(3) as small:
        auth_client.get(reverse("contacts:trash"))
    for i in range(10):
        trash.trash_person(person=make_person(owner=user, family_name=f"人{i + 2}"))
    with django_assert_num_queries(len(small.captured_queries)):
        auth_client.get(reverse("contacts:trash"))


def test_money_and_dates_survive_the_round_trip_exactly(user):
    person = make_person(owner=user)
    make_ledger_entry(
        owner=user, person=person, kind="money", amount=Decimal("1234.50"), currency="USD",
        date=datetime.date(2025, 1, 31),
    )  # fmt: skip
    restored = trash.restore(trashed=trash.trash_person(person=person))
    entry = LedgerEntry.objects.get(person=restored)
    assert (entry.amount, entry.currency, entry.date) == (Decimal("1234.50"), "USD", datetime.date(2025, 1, 31))
