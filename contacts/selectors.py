"""Reads that outgrow a queryset method: the indexed look-ups shared by pages."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from . import sql
from .models import (
    CareerChange,
    ContactPoint,
    Event,
    Field,
    Meeting,
    MeetingKind,
    Person,
    Status,
    Tag,
    Wish,
    display_name,
)


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
    ) in sql.rows(_person_rows_sql(connection.vendor, len(ids)), ids):
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
    """person_rows' statement for `count` ids (contacts.sql)."""
    link = Person.fields.through
    return (
        f"SELECT {sql.columns(Person, _ROW_COLUMNS, 'p')}, f.{sql.column(Field, 'name')}"  # nosec B608
        f" FROM {sql.table(Person)} p"
        f" LEFT JOIN {sql.table(link)} l ON l.{sql.column(link, 'person')} = p.{sql.column(Person, 'pk')}"
        f" LEFT JOIN {sql.table(Field)} f ON f.{sql.column(Field, 'pk')} = l.{sql.column(link, 'field')}"
        f" WHERE p.{sql.column(Person, 'pk')} IN ({sql.placeholders(count)})"
        f" ORDER BY p.{sql.column(Person, 'pk')}, f.{sql.column(Field, 'position')}, f.{sql.column(Field, 'name')}"
    )


def page_person(pk: int, owner_id: int) -> Person | None:
    """The owner's person with this id, for the person page, with their first-met event's name: one query.

    Read with the statement `_page_person_sql` writes once per process (contacts.sql);
    the event carries its id and name (other columns load if asked for), and
    `has_career_changes` says whether `career_changes` has anything to read.
    """
    found = sql.rows(_page_person_sql(connection.vendor), [pk, owner_id])
    if not found:
        return None
    *values, event_name, has_career_changes = found[0]
    person = sql.instance(Person, values)
    person.event_name, person.has_career_changes = event_name, bool(has_career_changes)
    if person.first_met_event_id:
        person.first_met_event = Event.from_db(
            connection.alias, ["id", "owner_id", "name"], [person.first_met_event_id, owner_id, person.event_name]
        )
    return person


@cache
def _page_person_sql(vendor: str) -> str:
    has_career = (
        f"EXISTS (SELECT 1 FROM {sql.table(CareerChange)} c"  # nosec B608 - names from the models (contacts.sql)
        f" WHERE c.{sql.column(CareerChange, 'person')} = p.{sql.column(Person, 'pk')})"
    )
    return (
        f"SELECT {sql.all_columns(Person, 'p')}, e.{sql.column(Event, 'name')} AS event_name,"  # nosec B608
        f" {has_career} AS has_career_changes"
        f" FROM {sql.table(Person)} p"
        f" LEFT JOIN {sql.table(Event)} e ON e.{sql.column(Event, 'pk')} = p.{sql.column(Person, 'first_met_event')}"
        f" WHERE p.{sql.column(Person, 'pk')} = %s AND p.{sql.column(Person, 'owner')} = %s"
    )


def career_changes(person: Person, limit: int) -> list[CareerChange]:
    """The person's latest `limit` job changes, newest first (contacts.sql)."""
    found = sql.rows(_career_sql(connection.vendor, limit), [person.pk, person.owner_id])
    return [sql.instance(CareerChange, values) for values in found]


@cache
def _career_sql(vendor: str, limit: int) -> str:
    return (
        f"SELECT {sql.all_columns(CareerChange, 'c')} FROM {sql.table(CareerChange)} c"  # nosec B608
        f" WHERE c.{sql.column(CareerChange, 'person')} = %s AND c.{sql.column(CareerChange, 'owner')} = %s"
        f" ORDER BY c.{sql.column(CareerChange, 'changed_on')} DESC, c.{sql.column(CareerChange, 'pk')} DESC"
        f" LIMIT {int(limit)}"
    )


class TimelineDates(Sequence):
    """(id, date) of a person's meetings, newest first, read as far as a page needs; as long as all of them."""

    def __init__(self, total: int, head: list[tuple[int, datetime.date]]):
        self.total, self.head = total, head

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.head[index]


# LIMIT's ceiling: a page number far past any timeline reads every meeting, no more.
_MAX_ROWS = 2**31 - 1


def person_timeline(person: Person, upto: int) -> TimelineDates:
    """(id, date) of a person's first `upto` meetings (owner-scoped), newest first, and how many there are: one query.

    Paged in Python (contacts.views.person), so the page needs no count and no
    second look-up to find where the previous page ended; a person with 500
    meetings sends 21 rows for the first page, not 500.
    """
    params = {"person": person.pk, "owner": person.owner_id, "upto": max(1, min(upto, _MAX_ROWS))}
    rows = sql.rows(_timeline_sql(connection.vendor, 0), params)
    return TimelineDates(rows[0][2] if rows else 0, [(pk, day) for pk, day, _total in rows])


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
    found = sql.rows(_timeline_sql(connection.vendor, len(ids)), ids)
    for pk, date, kind, event_pk, summary, next_step, next_step_on, event_name, other, family, given in found:
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


@cache
def _timeline_sql(vendor: str, count: int) -> str:
    """The timeline's statements (contacts.sql): a person's meetings' ids and dates
    with how many there are (`count` 0), or the meetings with `count` ids with everyone at them.
    """
    link = Meeting.people.through
    joined = (
        f"{sql.table(link)} l JOIN {sql.table(Meeting)} m"
        f" ON m.{sql.column(Meeting, 'pk')} = l.{sql.column(link, 'meeting')}"
    )
    if not count:
        newest_first = f"m.{sql.column(Meeting, 'date')} DESC, m.{sql.column(Meeting, 'pk')} DESC"
        theirs = f"l.{sql.column(link, 'person')} = %(person)s AND m.{sql.column(Meeting, 'owner')} = %(owner)s"
        if vendor == "postgresql":
            # Numbered by a window, not cut by LIMIT: with LIMIT, PostgreSQL walks the
            # owner's date index through every meeting (200 ms at 170,000 meetings)
            # instead of starting from the person's few links.
            return (
                "SELECT id, day, total FROM ("  # nosec B608
                f"SELECT m.{sql.column(Meeting, 'pk')} AS id, m.{sql.column(Meeting, 'date')} AS day,"
                f" ROW_NUMBER() OVER (ORDER BY {newest_first}) AS n, COUNT(*) OVER () AS total"
                f" FROM {joined} WHERE {theirs}) numbered WHERE n <= %(upto)s ORDER BY n"
            )
        # SQLite sorts only the first rows under a LIMIT, and counts with the index alone:
        # half the window's time at 500 meetings (0.42 → 0.22 ms).
        return (
            f"SELECT m.{sql.column(Meeting, 'pk')}, m.{sql.column(Meeting, 'date')},"  # nosec B608
            f" (SELECT COUNT(*) FROM {joined} WHERE {theirs})"
            f" FROM {joined} WHERE {theirs} ORDER BY {newest_first} LIMIT %(upto)s"
        )
    meeting_columns = sql.columns(Meeting, ("pk", "date", "kind", "event", "summary", "next_step", "next_step_on"), "m")
    return (
        f"SELECT {meeting_columns}, e.{sql.column(Event, 'name')},"  # nosec B608
        f" {sql.columns(Person, ('pk', 'family_name', 'given_name'), 'p')}"
        f" FROM {joined} JOIN {sql.table(Person)} p ON p.{sql.column(Person, 'pk')} = l.{sql.column(link, 'person')}"
        f" LEFT JOIN {sql.table(Event)} e ON e.{sql.column(Event, 'pk')} = m.{sql.column(Meeting, 'event')}"
        f" WHERE l.{sql.column(link, 'meeting')} IN ({sql.placeholders(count)})"
        f" ORDER BY p.{sql.column(Person, 'sort_key')}, p.{sql.column(Person, 'pk')}"
    )


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
    for source, _position, kind, pk, text, normalized, label in sql.rows(
        _card_lists_sql(connection.vendor), [person.pk, person.pk, person.pk]
    ):
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
    """card_lists' statement (contacts.sql)."""
    fields, tags = Person.fields.through, Person.tags.through
    point_columns = sql.columns(ContactPoint, ("kind", "pk", "value", "normalized", "label"), "c")
    return (
        f"SELECT 0, f.{sql.column(Field, 'position')}, '', 0, f.{sql.column(Field, 'name')}, '', ''"  # nosec B608
        f" FROM {sql.table(Field)} f JOIN {sql.table(fields)} l ON l.{sql.column(fields, 'field')} = f.{sql.column(Field, 'pk')}"
        f" WHERE l.{sql.column(fields, 'person')} = %s"
        f" UNION ALL SELECT 1, 0, '', 0, t.{sql.column(Tag, 'name')}, '', ''"
        f" FROM {sql.table(Tag)} t JOIN {sql.table(tags)} l ON l.{sql.column(tags, 'tag')} = t.{sql.column(Tag, 'pk')}"
        f" WHERE l.{sql.column(tags, 'person')} = %s"
        f" UNION ALL SELECT 2, 0, {point_columns}"
        f" FROM {sql.table(ContactPoint)} c WHERE c.{sql.column(ContactPoint, 'person')} = %s"
        " ORDER BY 1, 2, 3, 4, 5"
    )
