"""Reads of the follow-up engine: the weekly queue, shared by the page, the digest and the calendar feed."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from contacts.models import ContactPoint, ContactPointKind, Meeting
from contacts.selectors import ended_ids

from .models import FollowUp, State

QUEUE_WEEKS = 2
FEED_DAYS = 120


def week_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last day of this week and of next week (weeks start on Monday)."""
    this_end = today + datetime.timedelta(days=6 - today.weekday())
    return this_end, this_end + datetime.timedelta(days=7)


def open_followups(owner_id: int) -> QuerySet:
    """The owner's open follow-ups of active ties.

    The few ended ties are left out by id (a hashed sub-query) rather than by
    joining every follow-up to its person: counting 23,000 due at 100,000
    people took 42 ms with the join, as it read every person's status.
    """
    return FollowUp.objects.filter(owner_id=owner_id, state=State.OPEN).exclude(person_id__in=ended_ids(owner_id))


def with_context(followups: QuerySet) -> QuerySet:
    """Each follow-up with its person, their balance and their latest meeting's summary (one query)."""
    latest = Meeting.people.through.objects.filter(person_id=OuterRef("person_id")).order_by(
        "-meeting__date", "-meeting_id"
    )
    return followups.select_related("person", "person__ledger_tally").annotate(
        last_meeting_on=Subquery(latest.values("meeting__date")[:1]),
        last_meeting_summary=Subquery(latest.values("meeting__summary")[:1]),
    )


def by_urgency(followups: QuerySet) -> QuerySet:
    """Thank-yous first, then next steps, giving back, birthdays, own reminders, keeping in touch;
    by date within each reason.

    `urgency` is a stored column with a partial index on (owner, urgency, show_on, id) for
    open follow-ups, so a section's first items are read in this order without sorting it all.
    """
    return followups.order_by("urgency", "show_on", "pk")


def with_channels(followups: QuerySet) -> QuerySet:
    """What the drafts and the contact links need: the meeting and its event, how many people the
    meeting was with, and the person's e-mail addresses and numbers (one more query)."""
    people_at = (
        Meeting.people.through.objects.filter(meeting_id=OuterRef("meeting_id"))
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    points = ContactPoint.objects.exclude(kind=ContactPointKind.FAX).order_by("kind", "pk")
    return (
        followups.select_related("meeting__event")
        .annotate(meeting_people=Coalesce(Subquery(people_at[:1]), Value(0)))
        .prefetch_related(Prefetch("person__contact_points", queryset=points))
    )


# The page shows at most this many items per section unless asked for all
# (as many as the digest; each item carries its three forms, so 60 a section
# took 190 ms to render); "all" is still bounded, so one click never renders
# tens of thousands.
SECTION_SHOWN = 30
SECTION_ALL = 500
# The digest lists at most this many per section, then says how many more.
DIGEST_SHOWN = 30


SECTIONS = ("overdue", "this_week", "next_week")


@dataclass
class Queue:
    """The three sections; `sizes` holds their full sizes when the lists were cut short in the query."""

    today: datetime.date
    overdue: list = field(default_factory=list)
    this_week: list = field(default_factory=list)
    next_week: list = field(default_factory=list)
    sizes: dict[str, int] | None = None

    def size(self, name: str) -> int:
        return self.sizes[name] if self.sizes is not None else len(getattr(self, name))

    def shown(self, limit: int | None) -> dict:
        """Each section cut to `limit` items (None: all), with how many are left out and its size."""
        sections = {}
        for name in SECTIONS:
            items = getattr(self, name)
            items = items[:limit] if limit else items
            sections[name] = (items, self.size(name) - len(items), self.size(name))
        return sections

    @property
    def count_due(self) -> int:
        return self.size("overdue") + self.size("this_week")

    @property
    def is_empty(self) -> bool:
        return not any(self.size(name) for name in SECTIONS)


def queue(owner_id: int, *, today: datetime.date, limit: int | None = None, reach: bool = False) -> Queue:
    """Overdue, this week and next week: every item in one query, or the first `limit` of each section.

    With a limit, one query counts the sections and one per non-empty section
    loads its first items with their context: a large notebook has tens of
    thousands of items due, and the page shows SECTION_SHOWN of each. Within
    a section, the most urgent reasons come first. With `reach`, each item
    also carries what its drafts and contact links need.
    """
    this_end, next_end = week_bounds(today)
    if limit is not None:
        return _queue_cut(owner_id, today=today, this_end=this_end, next_end=next_end, limit=limit, reach=reach)
    result = Queue(today=today)
    items = by_urgency(with_context(open_followups(owner_id).filter(show_on__lte=next_end)))
    if reach:
        items = with_channels(items)
    for item in items:
        if item.is_overdue(today):
            result.overdue.append(item)
        elif item.show_on <= this_end:
            result.this_week.append(item)
        else:
            result.next_week.append(item)
    return result


def _queue_cut(owner_id: int, *, today, this_end, next_end, limit: int, reach: bool = False) -> Queue:
    # The same split as Queue building in `queue`: overdue first, then by show_on.
    where = {
        "overdue": Q(overdue_on__lt=today),
        "this_week": Q(overdue_on__gte=today, show_on__lte=this_end),
        "next_week": Q(overdue_on__gte=today, show_on__gt=this_end),
    }
    items = open_followups(owner_id).filter(show_on__lte=next_end)
    sizes = items.aggregate(**{name: Count("pk", filter=condition) for name, condition in where.items()})
    result = Queue(today=today, sizes=sizes)
    for name, condition in where.items():
        if sizes[name]:
            section = by_urgency(with_context(items.filter(condition)))
            if reach:
                section = with_channels(section)
            setattr(result, name, list(section[:limit]))
    return result


def due_count(owner_id: int, *, today: datetime.date) -> int:
    """How many open follow-ups are due by the end of this week (the navigation's badge)."""
    this_end, _next = week_bounds(today)
    return open_followups(owner_id).filter(show_on__lte=this_end).count()


def feed_items(owner_id: int, *, today: datetime.date) -> QuerySet:
    return (
        open_followups(owner_id)
        .filter(show_on__lte=today + datetime.timedelta(days=FEED_DAYS))
        .select_related("person")
        .order_by("show_on", "pk")
    )
