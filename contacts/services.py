"""Writes that touch people, meetings and events. Views call these; so do tasks."""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import phones, readings, rules, text
from .bulk import update_rows
from .models import (
    CAREER_COLUMNS,
    CareerChange,
    CareerSource,
    ContactPoint,
    ContactPointKind,
    Event,
    Field,
    KeyPerson,
    Meeting,
    MeetingKind,
    Person,
    Status,
    Tag,
)

# Sent (after commit) with `owner_id` and `person_ids` whenever people, their
# meetings or anything else that moves their follow-ups changed. The
# followups app listens; contacts never imports followups.
people_changed = Signal()

# Sent inside a merge's transaction before `other` is deleted, with `keep`
# and `other`, so apps that hang rows on people (ledger, follow-ups) can move
# them to `keep`.
person_merging = Signal()


def _announce(owner_id: int, person_ids: Iterable[int]) -> None:
    ids = sorted(set(person_ids))
    if ids:
        transaction.on_commit(lambda: people_changed.send(sender=Person, owner_id=owner_id, person_ids=ids))


# For the apps that hang rows on people (ledger…): announce their changes the same way.
announce = _announce


def delete_grouping(*, obj: Field | Tag) -> None:
    """Delete a field or tag. Its people stay and their search text drops the name;
    the field's key persons lose that tag, so their follow-ups are recomputed at once
    (the key-person check-in gives way to keep-in-touch)."""
    with transaction.atomic():
        people = list(obj.people.values_list("pk", flat=True))
        keys = []
        if isinstance(obj, Field):
            keys = list(KeyPerson.objects.filter(field=obj).values_list("person_id", flat=True))
        obj.delete()
        refresh_search(people)
        _announce(obj.owner_id, keys)


def ensure_default_fields(*, owner: User) -> None:
    """Give a new user the default list of fields, in their language."""
    if Field.objects.filter(owner=owner).exists():
        return
    Field.objects.bulk_create(
        [Field(owner=owner, name=str(name), position=i) for i, name in enumerate(Field.DEFAULTS)],
        ignore_conflicts=True,
    )


def refresh_search(person_ids: Iterable[int]) -> None:
    """Recompute `search_text` and `sort_key` of these people in bulk.

    Three queries whatever the number of people: the people with their fields
    and tags, and the names of every event they met the user at.
    """
    ids = list(person_ids)
    if not ids:
        return
    people = list(
        Person.objects.filter(pk__in=ids)
        .select_related("first_met_event")
        .prefetch_related("fields", "tags", "contact_points", "career")
    )
    events: dict[int, set[str]] = defaultdict(set)
    for person_id, event_name in Meeting.people.through.objects.filter(
        person_id__in=ids, meeting__event__isnull=False
    ).values_list("person_id", "meeting__event__name"):
        events[person_id].add(event_name)
    for person in people:
        if person.first_met_event_id:
            events[person.pk].add(person.first_met_event.name)
        person.search_text = build_search_text(
            person,
            [f.name for f in person.fields.all()],
            [t.name for t in person.tags.all()],
            events[person.pk],
            numbers=[p.normalized for p in person.contact_points.all() if p.kind != ContactPointKind.EMAIL],
            past=[change.old_company for change in person.career.all()],
        )
        person.sort_key = text.sort_key(
            person.family_reading + person.given_reading,
            person.family_name + person.given_name,
        )
    update_rows(Person, people, ["search_text", "sort_key"])


def build_search_text(
    person: Person,
    fields: Iterable[str],
    tags: Iterable[str],
    events: Iterable[str],
    numbers: Iterable[str] = (),
    past: Iterable[str] = (),
) -> str:
    """The folded text a person is searched by; `numbers` are their phone numbers as stored
    (ContactPoint.normalized), found by their digits (contacts.phones.search_digits);
    `past` holds companies from the career history."""
    reading = person.reading
    parts = [
        person.family_name + person.given_name,
        person.given_name + person.family_name,
        person.display_name,
        reading.replace(" ", ""),
        text.romaji(reading).replace(" ", ""),
        text.romaji(reading),
        person.company,
        person.company_reading,
        text.romaji(person.company_reading),
        person.department,
        person.title,
        person.what_they_do,
        person.what_they_want,
        person.notes,
        *fields,
        *tags,
        *events,
        *past,
    ]
    # Digits need no folding.
    digits = [found for number in numbers for found in phones.search_digits(number)]
    return "\n".join([*(text.fold(part) for part in parts if part), *digits])


def set_contact_points(*, person: Person, points: Iterable[tuple[str, ...]]) -> None:
    """Replace a person's e-mail addresses and numbers with (kind, value, normalized[, label]).

    A point given without a label keeps the label it had (an imported 会社 or "Main").
    """
    labels = {
        (kind, normalized): label
        for kind, normalized, label in person.contact_points.values_list("kind", "normalized", "label")
        if label
    }
    ContactPoint.objects.filter(person=person).delete()
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(
                person=person,
                kind=kind,
                value=value,
                normalized=normalized,
                label=(label[0] if label else "") or labels.get((kind, normalized), ""),
            )
            for kind, value, normalized, *label in points
        ]
    )


def ensure_tags(*, owner: User, names: Iterable[str]) -> dict[str, Tag]:
    """The owner's tags with these names (checked by rules.sort_tag_names), created when new.

    Two queries per 500 names whatever already exists; a tag made by a
    concurrent save is found, not duplicated (unique per owner and name).
    """
    names = sorted(set(names))
    if not names:
        return {}
    Tag.objects.bulk_create([Tag(owner=owner, name=name) for name in names], ignore_conflicts=True)
    tags = {}
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        tags.update({tag.name: tag for tag in Tag.objects.filter(owner=owner, name__in=chunk)})
    return tags


def create_person(
    *,
    owner: User,
    values: dict,
    fields: Iterable[Field] = (),
    tags: Iterable[Tag] = (),
    tag_names: Iterable[str] = (),
    contact_points: Iterable[tuple[str, str, str]] = (),
) -> Person:
    """Create a person; `tag_names` are found or created as the owner's tags.

    A Japanese name typed without a reading gets one guessed from the name
    dictionary, marked as a guess (`with_guessed_reading`).
    """
    values = with_guessed_reading(values)
    with transaction.atomic():
        person = Person.objects.create(owner=owner, **values)
        person.fields.set(list(fields))
        person.tags.set([*tags, *ensure_tags(owner=owner, names=tag_names).values()])
        set_contact_points(person=person, points=contact_points)
        refresh_search([person.pk])
        _announce(owner.pk, [person.pk])
    person.refresh_from_db()
    return person


def with_guessed_reading(values: dict) -> dict:
    """Fill in a Japanese name's reading from the name dictionary when none was given, marked as a guess."""
    if (values.get("family_reading") or "").strip() or (values.get("given_reading") or "").strip():
        return values
    guessed = readings.guess(values.get("family_name", ""), values.get("given_name", ""))
    if not guessed or not any(guessed):
        return values
    family_reading, given_reading = guessed
    return values | {"family_reading": family_reading, "given_reading": given_reading, "reading_inferred": True}


def settle_reading(*, person: Person, family_reading: str | None = None, given_reading: str | None = None) -> None:
    """Accept a guessed reading as it is (no arguments) or correct it; either way it is no longer a guess."""
    changes: dict = {"reading_inferred": False}
    if family_reading is not None or given_reading is not None:
        changes |= {"family_reading": family_reading or "", "given_reading": given_reading or ""}
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=timezone.now(), **changes)
        refresh_search([person.pk])
    person.refresh_from_db()


class StaleEdit(Exception):
    """The person changed since the form was opened; nothing was saved."""

    def __init__(self, current: Person):
        super().__init__("stale edit")
        self.current = current


def update_person(
    *,
    person: Person,
    expected_version: int,
    values: dict,
    fields: Iterable[Field] | None = None,
    tags: Iterable[Tag] | None = None,
    tag_names: Iterable[str] | None = None,
    contact_points: Iterable[tuple[str, str, str]] | None = None,
) -> Person:
    """Save an edit made on `expected_version` of the person, or raise StaleEdit.

    `tag_names`, when given, replace the person's tags (created when new).

    The conditional UPDATE claims the row only when nobody saved in between,
    so of two tabs editing the same person the second save is refused.
    """
    with transaction.atomic():
        before = (
            Person.objects.filter(pk=person.pk)
            .values(*CAREER_COLUMNS, "family_reading", "given_reading", "reading_inferred")
            .first()
            or {}
        )
        if "family_reading" in values or "given_reading" in values:
            # A guessed reading saved back unchanged stays a guess; an edited one is the user's.
            unchanged = (values.get("family_reading"), values.get("given_reading")) == (
                before.get("family_reading"),
                before.get("given_reading"),
            )
            values = values | {"reading_inferred": bool(before.get("reading_inferred")) and unchanged}
            if "family_name" in values or "given_name" in values:
                values = with_guessed_reading(values)
        claimed = Person.objects.filter(pk=person.pk, owner=person.owner_id, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now(), **values
        )
        if claimed != 1:
            raise StaleEdit(Person.objects.get(pk=person.pk))
        record_career_change(
            person=person,
            before=before,
            after={**before, **values},
            on=timezone.localdate(),
            source=CareerSource.EDIT,
        )
        if fields is not None:
            person.fields.set(list(fields))
        if tags is not None or tag_names is not None:
            named = ensure_tags(owner=person.owner, names=tag_names or ()).values()
            person.tags.set([*(tags or ()), *named])
        if contact_points is not None:
            set_contact_points(person=person, points=contact_points)
        refresh_search([person.pk])
        _announce(person.owner_id, [person.pk])
    person.refresh_from_db()
    return person


def _touch_last_contact(people_ids: list[int]) -> None:
    """Set each person's last contact to their latest meeting (one UPDATE per distinct date).

    For edits and deletions, where the last contact may move back.
    """
    latest = (
        Meeting.people.through.objects.filter(person_id__in=people_ids)
        .values("person_id")
        .annotate(latest=Max("meeting__date"))
    )
    by_date: dict[datetime.date | None, list[int]] = defaultdict(list)
    seen = set()
    for row in latest:
        by_date[row["latest"]].append(row["person_id"])
        seen.add(row["person_id"])
    for person_id in set(people_ids) - seen:
        by_date[None].append(person_id)
    for date, ids in by_date.items():
        Person.objects.filter(pk__in=ids).update(last_contact_on=date)


def log_meeting(
    *,
    owner: User,
    people: list[Person],
    date: datetime.date,
    kind: str,
    event: Event | None = None,
    summary: str = "",
    next_step: str = "",
    next_step_on: datetime.date | None = None,
) -> Meeting:
    """Record a meeting with one or more people and move their last-contact date."""
    if not people:
        raise ValueError("a meeting needs at least one person")
    if any(p.owner_id != owner.pk for p in people) or (event and event.owner_id != owner.pk):
        raise PermissionError("people and event must belong to the owner")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            owner=owner,
            date=date,
            kind=kind,
            event=event,
            summary=summary,
            next_step=next_step,
            next_step_on=next_step_on,
        )
        ids = [p.pk for p in people]
        meeting.people.set(ids)
        Person.objects.filter(pk__in=ids, first_met_on__isnull=True).update(first_met_on=date)
        if event is not None:
            Person.objects.filter(pk__in=ids, first_met_event__isnull=True).update(first_met_event=event)
        # A new meeting can only move the last contact forward.
        Person.objects.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=date), pk__in=ids).update(
            last_contact_on=date
        )
        if event is not None:
            refresh_search(ids)
        _announce(owner.pk, ids)
    return meeting


def update_meeting(*, meeting: Meeting, values: dict, people: list[Person]) -> Meeting:
    with transaction.atomic():
        before = set(meeting.people.values_list("pk", flat=True))
        for name, value in values.items():
            setattr(meeting, name, value)
        meeting.save()
        meeting.people.set(people)
        ids = sorted(before | {p.pk for p in people})
        _touch_last_contact(ids)
        refresh_search(ids)
        _announce(meeting.owner_id, ids)
    return meeting


def delete_meeting(*, meeting: Meeting) -> None:
    with transaction.atomic():
        ids = list(meeting.people.values_list("pk", flat=True))
        meeting.delete()
        _touch_last_contact(ids)
        refresh_search(ids)
        _announce(meeting.owner_id, ids)


@dataclass
class CaptureResult:
    person: Person
    meeting: Meeting
    created: bool
    updated: tuple[str, ...] = ()  # what a known person's card took from the row


def capture_person(
    *,
    owner: User,
    event: Event,
    values: dict,
    fields: Iterable[Field] = (),
    memo: str = "",
    contact_points: Iterable[tuple[str, str, str]] = (),
    capture_key: uuid.UUID | None = None,
) -> CaptureResult:
    """Create a person met at an event, with their first meeting there.

    A ledger entry typed with the row is the ledger's to record
    (`ledger.services.add_captured_entry`), in the caller's transaction.
    `capture_key` is the row's key: a row already saved with it raises
    IntegrityError and saves nothing (see `_keep_capture_key`).
    """
    with transaction.atomic():
        person = create_person(
            owner=owner,
            values=values | {"first_met_on": event.date, "first_met_event": event},
            fields=fields,
            contact_points=contact_points,
        )
        meeting = log_meeting(
            owner=owner,
            people=[person],
            date=event.date,
            kind=MeetingKind.FIRST_AT_EVENT,
            event=event,
            summary=memo,
        )
        Meeting.objects.filter(pk=meeting.pk).update(created_person=True)
        meeting.created_person = True
        _keep_capture_key(meeting, capture_key)
    return CaptureResult(person=person, meeting=meeting, created=True)


def capture_existing(
    *,
    owner: User,
    event: Event,
    person: Person,
    memo: str = "",
    capture_key: uuid.UUID | None = None,
    values: dict | None = None,
    fields: Iterable[Field] = (),
    contact_points: Iterable[tuple[str, ...]] = (),
) -> CaptureResult:
    """Record that someone already known was met again at this event, keeping what the row adds.

    `values`, `fields` and `contact_points` are what the row typed: see
    `keep_new_details`. The memo becomes the meeting's summary. A ledger entry
    typed with the row is the ledger's to record
    (`ledger.services.add_captured_entry`), in the caller's transaction.
    """
    updated: list[str] = []
    with transaction.atomic():
        if values or fields or contact_points:
            updated = keep_new_details(
                person=person,
                values=values or {},
                fields=fields,
                contact_points=contact_points,
                on=event.date,
                source=CareerSource.CAPTURE,
            )
        meeting = log_meeting(
            owner=owner,
            people=[person],
            date=event.date,
            kind=MeetingKind.FIRST_AT_EVENT if person.meetings.count() == 0 else MeetingKind.AT_EVENT,
            event=event,
            summary=memo,
        )
        _keep_capture_key(meeting, capture_key)
    return CaptureResult(person=person, meeting=meeting, created=False, updated=tuple(updated))


def record_career_change(*, person: Person, before: dict, after: dict, on: datetime.date, source: str) -> bool:
    """Keep the previous company, department and title when one of them changes.

    Filling in what was empty is not a change of job; replacing a value is
    (a new title, another department, another company). Returns whether a
    change was recorded.
    """
    replaced = [
        name
        for name in CAREER_COLUMNS
        if (before.get(name) or "") and (before.get(name) or "") != (after.get(name) or "")
    ]
    if not replaced:
        return False
    CareerChange.objects.create(
        owner_id=person.owner_id,
        person_id=person.pk,
        changed_on=on,
        source=source,
        **{f"old_{name}": before.get(name) or "" for name in CAREER_COLUMNS},
        **{f"new_{name}": after.get(name) or "" for name in CAREER_COLUMNS},
    )
    return True


def keep_new_details(
    *,
    person: Person,
    values: dict,
    fields: Iterable[Field] = (),
    contact_points: Iterable[tuple[str, str, str]] = (),
    on: datetime.date,
    source: str,
) -> list[str]:
    """Fold what a new card says into a known person; nothing typed is lost.

    Empty columns take the new values; a changed company, department or title
    is applied and the previous values go to the career history (a new company
    without a department drops the old company's department, which the
    history keeps); a typed reading replaces a guessed one; new e-mail
    addresses and numbers are added beside the old ones; fields are added.
    Returns the names of what changed (columns, "contact_points", "fields").
    """
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        before = {name: getattr(current, name) for name in CAREER_COLUMNS}
        changes: dict = {}
        family_reading = (values.get("family_reading") or "").strip()
        given_reading = (values.get("given_reading") or "").strip()
        if (family_reading or given_reading) and (
            current.reading_inferred or not (current.family_reading or current.given_reading)
        ):
            changes.update(family_reading=family_reading, given_reading=given_reading, reading_inferred=False)
        for name in (*CAREER_COLUMNS, "company_reading", "website", "address", "linkedin"):
            new = (values.get(name) or "").strip()
            if new and new != getattr(current, name):
                changes[name] = new
        if "company" in changes and before["company"] and "department" not in changes and current.department:
            changes["department"] = ""
        wish = values.get("i_want_to_meet_again")
        if wish and wish != "unknown" and wish != current.i_want_to_meet_again:
            changes["i_want_to_meet_again"] = wish
        if changes:
            Person.objects.filter(pk=current.pk).update(version=F("version") + 1, updated_at=timezone.now(), **changes)
            record_career_change(person=current, before=before, after={**before, **changes}, on=on, source=source)
        existing = set(current.contact_points.values_list("normalized", flat=True))
        added = []
        for kind, value, normalized in contact_points:
            if normalized and normalized not in existing:
                existing.add(normalized)
                added.append(ContactPoint(person=current, kind=kind, value=value, normalized=normalized))
        ContactPoint.objects.bulk_create(added)
        fields = [f for f in fields if f.pk not in set(current.fields.values_list("pk", flat=True))]
        if fields:
            current.fields.add(*fields)
        refresh_search([current.pk])
        _announce(current.owner_id, [current.pk])
    person.refresh_from_db()
    return [*changes, *(["contact_points"] if added else []), *(["fields"] if fields else [])]


def _keep_capture_key(meeting: Meeting, key: uuid.UUID | None) -> None:
    """Stamp the row's key on its meeting; the unique constraint refuses a second row with it
    (IntegrityError, rolling the whole row back), even when two sends race."""
    if key is not None:
        Meeting.objects.filter(pk=meeting.pk).update(capture_key=key)
        meeting.capture_key = key


def capture_saved(*, owner: User, key: uuid.UUID | None) -> Meeting | None:
    """The meeting a capture row with this key already made, if any."""
    if key is None:
        return None
    return Meeting.objects.filter(owner=owner, capture_key=key).select_related("event").first()


# How long a capture row can be taken back; after that its undo button is gone.
UNDO_WINDOW = datetime.timedelta(hours=12)


def can_undo(meeting: Meeting, *, now: datetime.datetime | None = None) -> bool:
    return meeting.event_id is not None and (now or timezone.now()) - meeting.created_at <= UNDO_WINDOW


@dataclass
class Undone:
    trashed: list[Person]
    kept: list[Person]  # created by the row, kept: something was recorded on them since


def undo_capture(*, meeting: Meeting) -> Undone:
    """Take back a capture row: its meeting, and the person when the row created them.

    The person goes only when the row created them and nothing was recorded on
    them since (`trash.recorded_since`); otherwise only the meeting goes and they
    stay, which the page says. A person who goes is moved to the trash with the
    meeting, so undo itself can be taken back for TRASH_DAYS. For a person who
    stays, a first-met date and event that came from this meeting are cleared.
    """
    from .trash import recorded_since, trash_person

    with transaction.atomic():
        people = list(meeting.people.select_for_update())
        gone = [p for p in people if meeting.created_person and not recorded_since(p, meeting)]
        for person in gone:
            trash_person(person=person)
        if Meeting.objects.filter(pk=meeting.pk).exists():
            delete_meeting(meeting=meeting)
        for person in (p for p in people if p not in gone):
            if (
                person.first_met_event_id == meeting.event_id
                and person.first_met_on == meeting.date
                and not person.meetings.filter(event_id=meeting.event_id).exists()
            ):
                Person.objects.filter(pk=person.pk).update(first_met_event=None, first_met_on=None)
    # The people this row created who stay because of what was recorded on them since.
    return Undone(trashed=gone, kept=[p for p in people if meeting.created_person and p not in gone])


def end_relationship(*, person: Person, on: datetime.date, reason: str) -> None:
    """End a tie; the person and every meeting stay, and follow-ups stop."""
    Person.objects.filter(pk=person.pk).update(
        status=Status.ENDED, ended_on=on, ended_reason=reason, version=F("version") + 1, updated_at=timezone.now()
    )
    _announce(person.owner_id, [person.pk])


def reactivate(*, person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(
        status=Status.ACTIVE, ended_on=None, ended_reason="", version=F("version") + 1, updated_at=timezone.now()
    )
    _announce(person.owner_id, [person.pk])


MERGE_TEXT_FIELDS = rules.MERGE_TEXT_FIELDS
NotesTooLong = rules.NotesTooLong


def merge_people(*, keep: Person, other: Person) -> Person:
    """Fold `other` into `keep`: every meeting, field, tag, contact and link moves; `other` is deleted.

    The card follows `rules.merge_card`, the rule an import merge follows
    too. Raise NotesTooLong, changing nothing, when the joined notes would
    be over their limit.
    """
    if keep.pk == other.pk or keep.owner_id != other.owner_id:
        raise ValueError(_("Pick two different people of your own to merge."))
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        other = Person.objects.select_for_update().get(pk=other.pk)
        rules.merge_card(keep, rules.card_values(other))
        if keep.introduced_by_id in (other.pk, keep.pk):
            keep.introduced_by = None
        keep.version += 1
        keep.save()
        keep.fields.add(*other.fields.all())
        keep.tags.add(*other.tags.all())
        existing = set(keep.contact_points.values_list("kind", "normalized"))
        for point in other.contact_points.all():
            if (point.kind, point.normalized) not in existing:
                point.person = keep
                point.save(update_fields=["person"])
        through = Meeting.people.through
        already = set(through.objects.filter(person=keep).values_list("meeting_id", flat=True))
        through.objects.filter(person=other).exclude(meeting_id__in=already).update(person=keep)
        Person.objects.filter(introduced_by=other).exclude(pk=keep.pk).update(introduced_by=keep)
        CareerChange.objects.filter(person=other).update(person=keep)
        key_fields = KeyPerson.objects.filter(person=keep).values("field_id")
        KeyPerson.objects.filter(person=other).exclude(field_id__in=key_fields).update(person=keep)
        gone = other.pk
        person_merging.send(sender=Person, keep=keep, other=other)
        other.delete()
        _touch_last_contact([keep.pk])
        refresh_search([keep.pk])
        _announce(keep.owner_id, [keep.pk, gone])
    keep.refresh_from_db()
    return keep


def move_field(*, field: Field, up: bool) -> None:
    """Swap a field with its neighbour in the owner's order."""
    with transaction.atomic():
        fields = list(Field.objects.select_for_update().filter(owner=field.owner_id).order_by("position", "name"))
        index = next(i for i, f in enumerate(fields) if f.pk == field.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(fields):
            return
        fields[index], fields[other] = fields[other], fields[index]
        for position, f in enumerate(fields):
            f.position = position
        Field.objects.bulk_update(fields, ["position"])
