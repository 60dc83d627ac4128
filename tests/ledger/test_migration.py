"""The ledger moved from `contacts` to its own app without losing a row.

Seeds entries, tallies, settings, content types and a trashed person at the
migration before the move (contacts 0012), migrates forward, and finds every
row again through the new models. Runs on the database in use: SQLite in
`make test`, PostgreSQL in `make test-postgres`.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from tests.migrating import at_latest, migrate

BEFORE = [("contacts", "0012_tally_money_indexes"), ("ledger", None)]

pytestmark = pytest.mark.django_db(transaction=True)


def _seed(apps):
    User = apps.get_model("accounts", "User")
    Person = apps.get_model("contacts", "Person")
    Meeting = apps.get_model("contacts", "Meeting")
    LedgerEntry = apps.get_model("contacts", "LedgerEntry")
    LedgerTally = apps.get_model("contacts", "LedgerTally")
    LedgerSettings = apps.get_model("contacts", "LedgerSettings")
    TrashedPerson = apps.get_model("contacts", "TrashedPerson")
    ContentType = apps.get_model("contenttypes", "ContentType")

    owner = User.objects.create(username="before-the-move", password="!")
    other = User.objects.create(username="someone-else", password="!")
    people = [
        Person.objects.create(owner=owner, family_name=f"山田{i}", search_text=f"山田{i}", sort_key=f"{i:03}")
        for i in range(3)
    ]
    stranger = Person.objects.create(owner=other, family_name="他人", search_text="他人", sort_key="1")
    meeting = Meeting.objects.create(owner=owner, date=datetime.date(2026, 1, 5), kind="coffee")
    meeting.people.add(people[0])
    entries = [
        LedgerEntry.objects.create(
            owner=owner, person=people[0], date=datetime.date(2026, 1, 5), direction="gave", kind="advice",
            weight=3, description="税理士を紹介", meeting=meeting,
        ),
        LedgerEntry.objects.create(
            owner=owner, person=people[1], date=datetime.date(2025, 6, 1), direction="received", kind="money",
            weight=2, amount=Decimal("100000.00"), currency="JPY", returned_amount=Decimal("25000.50"),
            returned_on=datetime.date(2025, 9, 1),
        ),
        LedgerEntry.objects.create(
            owner=owner, person=people[1], date=datetime.date(2025, 7, 1), direction="received", kind="introduction",
            weight=1, introduced_person=people[2],
        ),
        LedgerEntry.objects.create(
            owner=other, person=stranger, date=datetime.date(2024, 2, 29), direction="gave", kind="gift", weight=1
        ),
    ]  # fmt: skip
    LedgerTally.objects.create(person=people[0], owner=owner, given_all=3, given_year=3, imbalance_all=3)
    LedgerTally.objects.create(person=people[1], owner=owner, received_all=3, money_open=1)
    LedgerSettings.objects.create(owner=owner, owe_after_days=45, taker_min_entries=4, tallied_on=None)

    # A database made before the move knows the models under `contacts`.
    ContentType.objects.filter(app_label="ledger").delete()
    content_types = {
        model: ContentType.objects.get_or_create(app_label="contacts", model=model)[0].pk
        for model in ("ledgerentry", "ledgertally", "ledgersettings")
    }

    # A person in the trash with an entry of theirs, and an entry elsewhere that named them.
    gone = Person.objects.create(owner=owner, family_name="削除", search_text="削除", sort_key="9")
    theirs = LedgerEntry.objects.create(
        pk=900, owner=owner, person=gone, date=datetime.date(2026, 2, 1), direction="gave", kind="help", weight=2,
        description="引っ越しの手伝い",
    )  # fmt: skip
    # As the trash stored them before the move: Django's serializer, labels and all.
    rows = serializers.serialize("python", [gone, theirs])
    assert rows[1]["model"] == "contacts.ledgerentry"
    trashed = TrashedPerson.objects.create(
        owner=owner,
        person_id=gone.pk,
        name="削除",
        trashed_at=timezone.now(),
        rows=json.dumps(rows, cls=DjangoJSONEncoder),
        pointers=[["contacts.LedgerEntry", "introduced_person", [[entries[2].pk, gone.pk]]]],
    )
    LedgerEntry.objects.filter(pk=entries[2].pk).update(introduced_person=None)
    theirs.delete()
    gone.delete()

    def snapshot(entry):
        return {
            name: getattr(entry, name)
            for name in (
                "pk", "owner_id", "person_id", "date", "direction", "kind", "weight", "description", "meeting_id",
                "amount", "currency", "returned_amount", "returned_on", "introduced_person_id", "created_at",
            )
        }  # fmt: skip

    return {
        "entries": {e.pk: snapshot(e) for e in LedgerEntry.objects.all()},
        "tallies": sorted(LedgerTally.objects.values_list("person_id", "given_all", "received_all", "money_open")),
        "settings": list(LedgerSettings.objects.values_list("owner_id", "owe_after_days", "taker_min_entries")),
        "content_types": content_types,
        "trashed": trashed.pk,
        "named": entries[2].pk,
        "owner": owner.pk,
    }


def test_every_ledger_row_is_found_after_the_move_to_the_ledger_app():
    with at_latest() as leaves:
        old = migrate(BEFORE)
        seeded = _seed(old)
        assert len(seeded["entries"]) == 4
        migrate(leaves)

        from django.contrib.contenttypes.models import ContentType

        from contacts import trash
        from contacts.models import TrashedPerson
        from ledger.models import LedgerEntry, LedgerSettings, LedgerTally

        found = {e.pk: e for e in LedgerEntry.objects.all()}
        assert set(found) == set(seeded["entries"])
        for pk, values in seeded["entries"].items():
            assert {name: getattr(found[pk], name) for name in values} == values
        assert (
            sorted(LedgerTally.objects.values_list("person_id", "given_all", "received_all", "money_open"))
            == seeded["tallies"]
        )
        assert (
            list(LedgerSettings.objects.values_list("owner_id", "owe_after_days", "taker_min_entries"))
            == seeded["settings"]
        )

        # The content types were renamed in place: same ids, now under `ledger`.
        for model, pk in seeded["content_types"].items():
            moved = ContentType.objects.get(pk=pk)
            assert (moved.app_label, moved.model) == ("ledger", model)
            assert moved.model_class() is {"ledgerentry": LedgerEntry, "ledgertally": LedgerTally,
                                           "ledgersettings": LedgerSettings}[model]  # fmt: skip

        # The trash names the new models, and a restore brings the entry and the pointer back.
        trashed = TrashedPerson.objects.get(pk=seeded["trashed"])
        assert [row["model"] for row in json.loads(trashed.rows)] == ["contacts.person", "ledger.ledgerentry"]
        assert trashed.pointers[0][0] == "ledger.LedgerEntry"
        person = trash.restore(trashed=trashed)
        assert LedgerEntry.objects.get(pk=900).person_id == person.pk
        assert LedgerEntry.objects.get(pk=seeded["named"]).introduced_person_id == person.pk
        assert LedgerTally.objects.filter(person=person, given_all=2).exists()
