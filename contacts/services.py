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

from . import phones, rules, text
from .models import (
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
        .prefetch_related("fields", "tags", "contact_points")
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
        )
        person.sort_key = text.sort_key(
            person.family_reading + person.given_reading,
            person.family_name + person.given_name,
        )
    Person.objects.bulk_update(people, ["search_text", "sort_key"], batch_size=500)


def build_search_text(
    person: Person, fields: Iterable[str], tags: Iterable[str], events: Iterable[str], numbers: Iterable[str] = ()
) -> str:
    """The folded text a person is searched by; `numbers` are their phone numbers as stored
    (ContactPoint.normalized), found by their digits (contacts.phones.search_digits)."""
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
    """Create a person; `tag_names` are found or created as the owner's tags."""
    with transaction.atomic():
        person = Person.objects.create(owner=owner, **values)
        person.fields.set(list(fields))
        person.tags.set([*tags, *ensure_tags(owner=owner, names=tag_names).values()])
        set_contact_points(person=person, points=contact_points)
        refresh_search([person.pk])
        _announce(owner.pk, [person.pk])
    person.refresh_from_db()
    return person


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
        claimed = Person.objects.filter(pk=person.pk, owner=person.owner_id, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now(), **values
        )
        if claimed != 1:
            raise StaleEdit(Person.objects.get(pk=person.pk))
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
    *, owner: User, event: Event, person: Person, memo: str = "", capture_key: uuid.UUID | None = None
) -> CaptureResult:
    """Record that someone already known was met again at this event."""
    with transaction.atomic():
        meeting = log_meeting(
            owner=owner,
            people=[person],
            date=event.date,
            kind=MeetingKind.FIRST_AT_EVENT if person.meetings.count() == 0 else MeetingKind.AT_EVENT,
            event=event,
            summary=memo,
        )
        _keep_capture_key(meeting, capture_key)
    return CaptureResult(person=person, meeting=meeting, created=False)


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


def find_similar(
    *,
    owner: User,
    family_name="",
    given_name="",
    reading="",
    company="",
    email="",
    limit=5,
):
    """People who may be the person being typed: same name, reading, company or e-mail.

    Each clue is its own indexed query (the name and company go through the
    search indexes) keeping its most recently met people; joined with OR in
    one query, PostgreSQL scans every person instead. At most five queries.
    """
    people = Person.objects.filter(owner=owner)
    clues = []
    name_key = text.fold(family_name + given_name).replace(" ", "")
    if len(name_key) >= 2:
        clues.append(people.search(name_key))
    if reading.strip():
        clues.append(people.filter(sort_key=text.sort_key(reading, "")))
    company = company.strip()
    if len(company) >= 2:
        clues.append(people.search(company).filter(company__iexact=company))
    if email.strip():
        clues.append(people.filter(contact_points__normalized=email.strip().lower()))
    if not clues:
        return []
    recent_first = [F("last_contact_on").desc(nulls_last=True), "sort_key"]
    ids = set()
    for clue in clues:
        ids.update(clue.order_by(*recent_first).values_list("pk", flat=True)[:limit])
    return list(people.filter(pk__in=ids).order_by(*recent_first)[:limit])


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
