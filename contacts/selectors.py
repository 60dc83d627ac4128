"""Reads that outgrow a queryset method: the indexed look-ups shared by pages."""

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from .models import ContactPoint, Field, Meeting, MeetingKind, Person, Status, Tag, Wish, display_name


def ended_ids(owner_id: int) -> QuerySet:
    """The owner's ended ties' ids, as a sub-query: few, found on the (owner, status) index.

    Leave them out with `.exclude(person_id__in=ended_ids(owner))` instead of
    joining rows to every person to read their status.
    """
    return Person.objects.filter(owner_id=owner_id, status=Status.ENDED).values("pk")


def person_meeting_ids(person: Person) -> list[int]:
    """The ids of a person's meetings (owner-scoped), from the link table.

    Filter meetings on these ids alone: with owner or person in the query,
    PostgreSQL walks the owner's date index through every meeting to find the
    few that are this person's (44 ms instead of 0.6 ms at 170,000 meetings).
    """
    return list(
        Meeting.people.through.objects.filter(person_id=person.pk, meeting__owner_id=person.owner_id).values_list(
            "meeting_id", flat=True
        )
    )


def recent_people(owner, *, exclude_pk=None):
    """Active people by most recent contact, served by the (owner, status, last contact) index."""
    people = Person.objects.filter(owner=owner, status=Status.ACTIVE, last_contact_on__isnull=False)
    if exclude_pk:
        people = people.exclude(pk=exclude_pk)
    return people.order_by("-last_contact_on")


@dataclass(slots=True)
class PersonRow:
    """A person as a row of a people list shows them (contacts.templatetags.people_rows)."""

    pk: int
    display_name: str
    reading: str
    reading_inferred: bool
    company: str
    title: str
    tier: str
    is_ended: bool
    mutual_interest: bool
    last_contact_on: datetime.date | None
    fields: list[str] = field(default_factory=list)


_ROW_COLUMNS = (
    "pk",
    "family_name",
    "given_name",
    "family_reading",
    "given_reading",
    "reading_inferred",
    "company",
    "title",
    "tier",
    "status",
    "i_want_to_meet_again",
    "they_want_to_meet_again",
    "last_contact_on",
)


def person_rows(ids: list[int]) -> list[PersonRow]:
    """The people with these (owner-scoped) ids as rows of a people list, in the order of `ids`.

    One query whatever the number: a row per person and field (one with no
    field for a person without any), fields in their order. Written as SQL
    once per process and number of ids (`_person_rows_sql`): built with the
    ORM, it costs more to compile than to run.
    """
    if not ids:
        return []
    by_id: dict[int, PersonRow] = {}
    with connection.cursor() as cursor:
        cursor.execute(_person_rows_sql(connection.vendor, len(ids)), ids)
        rows = cursor.fetchall()
    for (
        pk,
        family,
        given,
        family_reading,
        given_reading,
        inferred,
        company,
        title,
        tier,
        status,
        wish,
        theirs,
        last,
        field_name,
    ) in rows:
        row = by_id.get(pk)
        if row is None:
            row = by_id[pk] = PersonRow(
                pk=pk,
                display_name=display_name(family, given),
                reading=" ".join(part for part in (family_reading, given_reading) if part),
                reading_inferred=bool(inferred),
                company=company,
                title=title,
                tier=tier,
                is_ended=status == Status.ENDED,
                mutual_interest=wish == Wish.YES and theirs == Wish.YES,
                last_contact_on=last,
            )
        if field_name is not None:
            row.fields.append(field_name)
    return [by_id[pk] for pk in ids if pk in by_id]


@cache
def _person_rows_sql(vendor: str, count: int) -> str:
    """person_rows' statement for `count` ids: names from the models' metadata, quoted by the backend."""
    quote = connection.ops.quote_name
    link = Person.fields.through
    meta = Person._meta
    columns = ", ".join(
        f"p.{quote((meta.pk if name == 'pk' else meta.get_field(name)).column)}" for name in _ROW_COLUMNS
    )
    field_id, field_name, position = (quote(Field._meta.get_field(name).column) for name in ("id", "name", "position"))
    placeholders = ", ".join(["%s"] * count)
    # Only names from the models and the backend's quoting; every id is a parameter.
    return (
        f"SELECT {columns}, f.{field_name} FROM {quote(Person._meta.db_table)} p"  # nosec B608
        f" LEFT JOIN {quote(link._meta.db_table)} l ON l.{quote(link._meta.get_field('person').column)} = p.{quote(Person._meta.pk.column)}"
        f" LEFT JOIN {quote(Field._meta.db_table)} f ON f.{field_id} = l.{quote(link._meta.get_field('field').column)}"
        f" WHERE p.{quote(Person._meta.pk.column)} IN ({placeholders})"
        f" ORDER BY p.{quote(Person._meta.pk.column)}, f.{position}, f.{field_name}"
    )


def person_timeline(person: Person) -> list[tuple[int, datetime.date]]:
    """(id, date) of each of a person's meetings (owner-scoped), newest first: one query.

    Paged in Python, so the page needs no count and no second look-up to
    find where the previous page ended (contacts.views.person).
    """
    return list(
        Meeting.people.through.objects.filter(person_id=person.pk, meeting__owner_id=person.owner_id)
        .order_by("-meeting__date", "-meeting_id")
        .values_list("meeting_id", "meeting__date")
    )


@dataclass(slots=True)
class TimelineMeeting:
    """A meeting as the person page's timeline shows it (contacts.templatetags.timeline)."""

    pk: int
    date: datetime.date
    kind: str
    kind_label: str
    event_pk: int | None
    event_name: str
    summary: str
    next_step: str
    next_step_on: datetime.date | None
    # (id, display name) of the other people at the meeting, by reading.
    others: list[tuple[int, str]] = field(default_factory=list)

    is_job_change = False

    def __str__(self):
        return f"{self.kind_label} {self.date:%Y-%m-%d}"


def timeline_meetings(ids: list[int], person_pk: int) -> list[TimelineMeeting]:
    """The meetings with these (owner-scoped) ids, in the order of `ids`, with who else was there.

    One query: a row per person at each meeting (the person themself too, so
    every meeting has one), the meeting's columns repeated on each.
    """
    if not ids:
        return []
    labels = dict(MeetingKind.choices)
    by_id: dict[int, TimelineMeeting] = {}
    rows = (
        Meeting.people.through.objects.filter(meeting_id__in=ids)
        .order_by("person__sort_key", "person_id")
        .values_list(
            "meeting_id",
            "meeting__date",
            "meeting__kind",
            "meeting__event_id",
            "meeting__event__name",
            "meeting__summary",
            "meeting__next_step",
            "meeting__next_step_on",
            "person_id",
            "person__family_name",
            "person__given_name",
        )
    )
    for pk, date, kind, event_pk, event_name, summary, next_step, next_step_on, other, family, given in rows:
        meeting = by_id.get(pk)
        if meeting is None:
            meeting = by_id[pk] = TimelineMeeting(
                pk=pk,
                date=date,
                kind=kind,
                kind_label=str(labels.get(kind, kind)),
                event_pk=event_pk,
                event_name=event_name or "",
                summary=summary,
                next_step=next_step,
                next_step_on=next_step_on,
            )
        if other != person_pk:
            meeting.others.append((other, display_name(family, given)))
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(slots=True)
class CardLists:
    """What the person page's card lists besides the person's own columns."""

    field_names: list[str] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    contact_points: list[ContactPoint] = field(default_factory=list)


def card_lists(person: Person) -> CardLists:
    """The person's field names (in the fields' order), tag names and contact details, in one query.

    A UNION ALL of three selects of one shape: (list, position, kind, id,
    text, normalized, label), each list in its model's own order. Written as
    SQL once per process (`_card_lists_sql`): built with the ORM, the three
    selects cost more to compile than to run.
    """
    lists = CardLists()
    with connection.cursor() as cursor:
        cursor.execute(_card_lists_sql(connection.vendor), [person.pk, person.pk, person.pk])
        rows = cursor.fetchall()
    for source, _position, kind, pk, text, normalized, label in rows:
        if source == 0:
            lists.field_names.append(text)
        elif source == 1:
            lists.tag_names.append(text)
        else:
            lists.contact_points.append(
                ContactPoint(pk=pk, person_id=person.pk, kind=kind, value=text, normalized=normalized, label=label)
            )
    return lists


@cache
def _card_lists_sql(vendor: str) -> str:
    """card_lists' statement: table and column names from the models' metadata, quoted by the backend."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    fields_link, tags_link = Person.fields.through, Person.tags.through
    # Only names from the models and the backend's quoting; the person's id is a parameter.
    return (
        f"SELECT 0, f.{column(Field, 'position')}, '', 0, f.{column(Field, 'name')}, '', ''"  # nosec B608
        f" FROM {table(Field)} f JOIN {table(fields_link)} l ON l.{column(fields_link, 'field')} = f.{column(Field, 'id')}"
        f" WHERE l.{column(fields_link, 'person')} = %s"
        f" UNION ALL SELECT 1, 0, '', 0, t.{column(Tag, 'name')}, '', ''"
        f" FROM {table(Tag)} t JOIN {table(tags_link)} l ON l.{column(tags_link, 'tag')} = t.{column(Tag, 'id')}"
        f" WHERE l.{column(tags_link, 'person')} = %s"
        f" UNION ALL SELECT 2, 0, c.{column(ContactPoint, 'kind')}, c.{column(ContactPoint, 'id')},"
        f" c.{column(ContactPoint, 'value')}, c.{column(ContactPoint, 'normalized')}, c.{column(ContactPoint, 'label')}"
        f" FROM {table(ContactPoint)} c WHERE c.{column(ContactPoint, 'person')} = %s"
        " ORDER BY 1, 2, 3, 4, 5"
    )
