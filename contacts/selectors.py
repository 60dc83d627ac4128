"""Reads that outgrow a queryset method: the indexed look-ups shared by pages."""

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, F, IntegerField, QuerySet, Value

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

    Two queries whatever the number: the rows with `values_list()` (no model
    instances), then every row's field names, in the fields' order.
    """
    if not ids:
        return []
    by_id = {}
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
        their_wish,
        last,
    ) in Person.objects.filter(pk__in=ids).order_by().values_list(*_ROW_COLUMNS):
        by_id[pk] = PersonRow(
            pk=pk,
            display_name=display_name(family, given),
            reading=" ".join(part for part in (family_reading, given_reading) if part),
            reading_inferred=inferred,
            company=company,
            title=title,
            tier=tier,
            is_ended=status == Status.ENDED,
            mutual_interest=wish == Wish.YES and their_wish == Wish.YES,
            last_contact_on=last,
        )
    links = (
        Person.fields.through.objects.filter(person_id__in=ids)
        .order_by("field__position", "field__name")
        .values_list("person_id", "field__name")
    )
    for person_id, name in links:
        by_id[person_id].fields.append(name)
    return [by_id[pk] for pk in ids if pk in by_id]


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
    text, normalized, label), each list in its model's own order.
    """

    def shaped(queryset, source: int, **columns):
        shape = {
            "list_no": Value(source, output_field=IntegerField()),
            "list_position": Value(0, output_field=IntegerField()),
            "list_kind": Value("", output_field=CharField()),
            "list_id": Value(0, output_field=IntegerField()),
            "list_text": Value("", output_field=CharField()),
            "list_normalized": Value("", output_field=CharField()),
            "list_label": Value("", output_field=CharField()),
        }
        return queryset.order_by().annotate(**(shape | columns)).values_list(*shape)

    fields = shaped(Field.objects.filter(people=person), 0, list_position=F("position"), list_text=F("name"))
    tags = shaped(Tag.objects.filter(people=person), 1, list_text=F("name"))
    points = shaped(
        ContactPoint.objects.filter(person=person),
        2,
        list_kind=F("kind"),
        list_id=F("pk"),
        list_text=F("value"),
        list_normalized=F("normalized"),
        list_label=F("label"),
    )
    lists = CardLists()
    rows = fields.union(tags, points, all=True).order_by(
        "list_no", "list_position", "list_kind", "list_id", "list_text"
    )
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
