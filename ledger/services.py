"""Writes of the give-and-take ledger: entries, loans returned, and the overview's tallies."""

import datetime
import decimal
from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import Meeting, Person
from contacts.services import announce

from . import selectors
from .models import LedgerEntry, LedgerKind, LedgerSettings, LedgerTally

LEDGER_FIELDS = (
    "date", "direction", "kind", "weight", "description", "meeting",
    "amount", "currency", "introduced_person",
)  # fmt: skip


def _check_ledger_values(owner_id: int, person: Person, values: dict) -> dict:
    """Refuse rows of other owners; drop money and introduction details that do not apply."""
    meeting = values.get("meeting")
    introduced = values.get("introduced_person")
    if person.owner_id != owner_id or (introduced is not None and introduced.owner_id != owner_id):
        raise PermissionError("people must belong to the owner")
    if meeting is not None and (
        meeting.owner_id != owner_id
        or not Meeting.people.through.objects.filter(meeting=meeting, person=person).exists()
    ):
        raise PermissionError("the meeting must be the owner's meeting with this person")
    values = {name: value for name, value in values.items() if name in LEDGER_FIELDS}
    if values.get("kind") != LedgerKind.MONEY:
        values["amount"] = None
    elif values.get("amount") is None or values["amount"] < 0:
        raise ValueError(_("Enter the amount of money."))
    if values.get("kind") != LedgerKind.INTRODUCTION or values.get("introduced_person") == person:
        values["introduced_person"] = None
    return values


def add_ledger_entry(*, owner: User, person: Person, values: dict) -> LedgerEntry:
    """Record something given to or received from `person`."""
    values = _check_ledger_values(owner.pk, person, values)
    with transaction.atomic():
        entry = LedgerEntry.objects.create(owner=owner, person=person, **values)
        refresh_ledger_tallies(owner.pk, person_ids=[person.pk])
        announce(owner.pk, [person.pk])
    return entry


def add_captured_entry(*, owner: User, person: Person, meeting: Meeting, values: dict | None) -> LedgerEntry | None:
    """Record the entry typed with a capture row (direction, kind, description), dated and linked to its meeting."""
    if not values:
        return None
    return add_ledger_entry(owner=owner, person=person, values={**values, "date": meeting.date, "meeting": meeting})


def move_entries_on_merge(*, keep: Person, other: Person) -> None:
    """Move `other`'s entries, and those naming them as the person introduced, to `keep`; rebuild `keep`'s tally.

    Called inside the merge's transaction, before `other` is deleted (its tally goes with it).
    """
    LedgerEntry.objects.filter(person=other).update(person=keep)
    LedgerEntry.objects.filter(introduced_person=other).update(introduced_person=keep)
    LedgerEntry.objects.filter(person=keep, introduced_person=keep).update(introduced_person=None)
    refresh_ledger_tallies(keep.owner_id, person_ids=[keep.pk])


def update_ledger_entry(*, entry: LedgerEntry, values: dict) -> LedgerEntry:
    """Save an edited entry; a money entry keeps at most its new amount as returned."""
    values = _check_ledger_values(entry.owner_id, entry.person, values)
    with transaction.atomic():
        for name, value in values.items():
            setattr(entry, name, value)
        if entry.amount is None:
            entry.returned_amount = entry.returned_on = None
        elif entry.returned_amount is not None and entry.returned_amount > entry.amount:
            entry.returned_amount = entry.amount
        entry.save()
        refresh_ledger_tallies(entry.owner_id, person_ids=[entry.person_id])
        announce(entry.owner_id, [entry.person_id])
    return entry


def delete_ledger_entry(*, entry: LedgerEntry) -> None:
    with transaction.atomic():
        entry.delete()
        refresh_ledger_tallies(entry.owner_id, person_ids=[entry.person_id])
        announce(entry.owner_id, [entry.person_id])


def refresh_ledger_tallies(
    owner_id: int, *, person_ids: Iterable[int] | None = None, today=None, ledger_settings=None
) -> None:
    """Rebuild the overview's `LedgerTally` rows from the entries: these people's, or all of the owner's.

    One DELETE and one INSERT … SELECT of the aggregate: no entry and no
    person passes through Python, whatever the notebook's size. A full rebuild
    stamps `LedgerSettings.tallied_on`, which tells the overview the rows
    follow today's windows.
    """
    today = today or timezone.localdate()
    ledger_settings = ledger_settings or LedgerSettings.for_owner(owner_id)
    keep_as_is = person_ids is None or isinstance(person_ids, QuerySet)
    ids = person_ids if keep_as_is else sorted(set(person_ids))
    rows = selectors.tally_rows(owner_id, today=today, settings=ledger_settings, person_ids=ids)
    using = router.db_for_write(LedgerTally)
    select, params = rows.query.get_compiler(using=using).as_sql()
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(LedgerTally._meta.get_field(name.removesuffix("_id")).column) for name in selectors.TALLY_COLUMNS
    )
    with transaction.atomic(using=using):
        _lock_tallies(owner_id, using)
        stale = LedgerTally.objects.filter(owner_id=owner_id)
        if ids is not None:
            stale = stale.filter(person_id__in=ids)
        stale.delete()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {quote(LedgerTally._meta.db_table)} ({columns}) {select}", params)
        if ids is None:
            LedgerSettings.objects.update_or_create(owner_id=owner_id, defaults={"tallied_on": today})
            ledger_settings.tallied_on = today


def _lock_tallies(owner_id: int, using: str) -> None:
    """Take the owner's tally lock until the transaction ends (their user row, FOR NO KEY UPDATE).

    Two rebuilds at once (two overview requests on a new day, two saves for
    one person) would each delete the rows they can see, then insert: the
    second insert collides with the first's rows, or writes sums that miss
    the other's entry. Under the lock the second one's DELETE and INSERT …
    SELECT run after the first committed, so they see its rows and entries.
    NO KEY UPDATE leaves inserts that reference the user unblocked. SQLite
    serialises write transactions anyway and ignores the clause.
    """
    list(User.objects.using(using).select_for_update(no_key=True).filter(pk=owner_id).values_list("pk", flat=True))


def refresh_stale_ledger_tallies(*, owner_id: int, today: datetime.date, ledger_settings: LedgerSettings) -> None:
    """Rebuild all of the owner's tallies unless they already follow `today`'s windows.

    For the overview on a day the nightly job has not reached yet: however
    many requests ask at once, one rebuilds and the others, once it is done,
    find the rows current.
    """
    using = router.db_for_write(LedgerTally)
    with transaction.atomic(using=using):
        _lock_tallies(owner_id, using)
        tallied_on = LedgerSettings.objects.filter(owner_id=owner_id).values_list("tallied_on", flat=True).first()
        if tallied_on == today:
            ledger_settings.tallied_on = today
            return
        refresh_ledger_tallies(owner_id, today=today, ledger_settings=ledger_settings)


class OverReturn(ValueError):
    """More would be returned than was lent."""


def mark_loan_returned(
    *, entry: LedgerEntry, on: datetime.date, returned: decimal.Decimal | None = None
) -> LedgerEntry:
    """Record how much of a money entry has come back by `on` (all of it when `returned` is None).

    `returned` is the total returned so far, never more than the amount.
    """
    if not entry.is_money:
        raise ValueError(_("Only money can be returned."))
    total = entry.amount if returned is None else returned
    if total < 0:
        raise ValueError(_("Enter an amount of zero or more."))
    if total > entry.amount:
        raise OverReturn(
            _("At most %(amount)s can be returned.")
            % {"amount": f"{entry.amount:,.{0 if entry.amount == entry.amount.to_integral() else 2}f}"}
        )
    with transaction.atomic():
        updated = LedgerEntry.objects.filter(pk=entry.pk, amount__gte=total).update(
            returned_amount=total or None, returned_on=on if total else None, updated_at=timezone.now()
        )
        if updated != 1:
            raise OverReturn(_("The amount changed; nothing was saved."))
        refresh_ledger_tallies(entry.owner_id, person_ids=[entry.person_id])
        announce(entry.owner_id, [entry.person_id])
    entry.refresh_from_db()
    return entry
