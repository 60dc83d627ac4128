"""Reads of the follow-up engine: the weekly queue, shared by the page, the digest and the calendar feed."""

import datetime
import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from contacts.models import ContactPoint, ContactPointKind, Meeting, Person, display_name
from contacts.selectors import ended_ids
from contacts.sql import prepared_cursor
from ledger.models import LedgerTally

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


def _last_meeting(followups: QuerySet) -> QuerySet:
    """Each follow-up with its person's latest meeting's date and summary (sub-queries, no join)."""
    latest = Meeting.people.through.objects.filter(person_id=OuterRef("person_id")).order_by(
        "-meeting__date", "-meeting_id"
    )
    return followups.annotate(
        last_meeting_on=Subquery(latest.values("meeting__date")[:1]),
        last_meeting_summary=Subquery(latest.values("meeting__summary")[:1]),
    )


def with_context(followups: QuerySet) -> QuerySet:
    """Each follow-up with its person, their balance and their latest meeting's summary (one query)."""
    return _last_meeting(followups.select_related("person", "person__ledger_tally"))


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
# (as many as the digest); "all" is still bounded, so one click never renders
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
    # The sections with more items than their size says (counted up to a cap).
    capped: set[str] = field(default_factory=set)

    def size(self, name: str) -> int:
        return self.sizes[name] if self.sizes is not None else len(getattr(self, name))

    def shown(self, limit: int | None) -> dict:
        """Each section cut to `limit` items (None: all), with how many are left out, its size,
        and whether there are more than that."""
        sections = {}
        for name in SECTIONS:
            items = getattr(self, name)
            items = items[:limit] if limit else items
            sections[name] = (items, self.size(name) - len(items), self.size(name), name in self.capped)
        return sections

    @property
    def count_due(self) -> int:
        return self.size("overdue") + self.size("this_week")

    @property
    def is_empty(self) -> bool:
        return not any(self.size(name) for name in SECTIONS)


@dataclass(frozen=True, slots=True)
class Row:
    """One item of This week as the page shows it: plain values, no model instances."""

    pk: int
    person_id: int
    reason: str
    show_on: datetime.date
    overdue_on: datetime.date
    snoozed: bool
    note: str
    name: str
    company: str
    what_they_want: str
    # The person's give-and-take sums; None without a tally row.
    given: int | None
    received: int | None
    last_meeting_on: datetime.date | None
    last_meeting_summary: str | None


# The columns a Row is read from, in the order of Row's fields after `name` is made.
_ROW_VALUES = (
    "pk",
    "person_id",
    "reason",
    "show_on",
    "overdue_on",
    "snoozed",
    "note",
    "person__family_name",
    "person__given_name",
    "person__company",
    "person__what_they_want",
    "person__ledger_tally__given_all",
    "person__ledger_tally__received_all",
    "last_meeting_on",
    "last_meeting_summary",
)


def _row_values(followups: QuerySet) -> QuerySet:
    """What a Row is made of, as tuples of plain values (one query)."""
    return _last_meeting(followups).values_list(*_ROW_VALUES)


def _rows(values) -> list[Row]:
    return [
        Row(pk, person_id, reason, show_on, overdue_on, snoozed, note, display_name(family, given), *rest)
        for pk, person_id, reason, show_on, overdue_on, snoozed, note, family, given, *rest in values
    ]


def _date(value) -> datetime.date | None:
    """A date column read with raw SQL: SQLite answers text, PostgreSQL a date."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


# The page counts each section up to this many items and says "1000+" beyond:
# counting all 21,000 overdue items at 100,000 people took 14 ms on each visit.
COUNT_CAP = 1000


@functools.cache
def _page_sql(limits: tuple[int, int, int]) -> str:
    """One statement for This week: each section's size (up to COUNT_CAP + 1) and its first items,
    as many as `limits` says for each section (0: counted only).

    Each section is a sub-query over follow-ups alone, in urgency order with a
    LIMIT (the partial index on owner, urgency, show_on, id answers it on
    PostgreSQL); only those few rows are then joined to their person and
    balance and get their latest meeting, so nothing is computed for the
    thousands of items left out. The sizes come in every row (one row with
    no item when the queue is empty). `test_the_page_reads_the_same_queue_as_the_orm`
    holds it to what the ORM's `queue` reads.

    It is run prepared (contacts.sql.prepared_cursor): its planning cost more
    than its running. The LIMITs are written in, not passed as values, so the
    generic plan PostgreSQL keeps knows how few rows each part returns.
    """
    limits, cap = tuple(int(limit) for limit in limits), COUNT_CAP + 1
    q = connection.ops.quote_name
    followup, person = q(FollowUp._meta.db_table), q(Person._meta.db_table)
    tally = q(LedgerTally._meta.db_table)
    link, meeting = q(Meeting.people.through._meta.db_table), q(Meeting._meta.db_table)
    # Open, due by the end of next week, not an ended tie (as `open_followups`), and in the section.
    # Every piece below is built from quoted table names, fixed text and two integers (bandit B608).
    base = (
        f"FROM {followup} WHERE owner_id = %(owner)s AND state = 'open' AND show_on <= %(next_end)s"  # nosec B608
        " AND person_id NOT IN (SELECT id FROM ended)"
    )
    sections = (
        "overdue_on < %(today)s",
        "overdue_on >= %(today)s AND show_on <= %(this_end)s",
        "overdue_on >= %(today)s AND show_on > %(this_end)s",
    )
    # This week is counted in two parts: from today on, and the items from before today still in
    # their grace period. Those have show_on < today <= overdue_on, so saying show_on < overdue_on
    # changes nothing but lets the partial index followup_open_grace (the few with a grace period)
    # answer. As one range of show_on it walked past every overdue item: 21,000 index entries, 1 ms.
    # The two parts are counted up to the cap each; their sum above COUNT_CAP is still "1000+".
    counted = (
        (sections[0],),
        (
            "overdue_on >= %(today)s AND show_on >= %(today)s AND show_on <= %(this_end)s",
            "overdue_on >= %(today)s AND show_on < %(today)s AND show_on < overdue_on",
        ),
        (sections[2],),
    )
    sizes = ", ".join(
        "("
        + " + ".join(
            f"(SELECT COUNT(*) FROM (SELECT 1 {base} AND {where} LIMIT {cap}) AS k{number}{part})"  # nosec B608
            for part, where in enumerate(parts)
        )
        + f") AS n{number}"
        for number, parts in enumerate(counted)
    )
    # Sub-queries rather than compound members: SQLite allows no ORDER BY or LIMIT on those.
    shown = " UNION ALL ".join(
        f"SELECT {number} AS section, id FROM (SELECT id {base} AND {where}"  # nosec B608
        f" ORDER BY urgency, show_on, id LIMIT {limits[number]}) AS s{number}"
        for number, where in enumerate(sections)
    )
    latest = (
        f" FROM {link} AS mp JOIN {meeting} AS m ON m.id = mp.meeting_id"  # nosec B608
        " WHERE mp.person_id = r.person_id ORDER BY m.date DESC, mp.meeting_id DESC LIMIT 1"
    )
    if connection.vendor == "postgresql":  # the latest meeting's columns at once (SQLite has no LATERAL)
        latest_meeting = f" LEFT JOIN LATERAL (SELECT m.date, m.summary{latest}) AS lm ON true"
    else:
        latest_meeting = f" LEFT JOIN {meeting} AS lm ON lm.id = (SELECT mp.meeting_id{latest})"
    # Table and column names come from the models, quoted; every value but the limits is a parameter. The
    # ended ties' ids are read once (a CTE) rather than planned in each of the six sub-queries.
    return (
        f"WITH ended AS (SELECT id FROM {person} WHERE owner_id = %(owner)s AND status = 'ended')"  # nosec B608
        " SELECT c.n0, c.n1, c.n2, r.section, r.id, r.person_id, r.reason, r.show_on, r.overdue_on,"
        " r.snoozed, r.note, r.family_name, r.given_name, r.company, r.what_they_want, r.given_all,"
        " r.received_all, lm.date, lm.summary"
        f" FROM (SELECT {sizes}) AS c LEFT JOIN ("
        "SELECT shown.section, f.id, f.person_id, f.reason, f.show_on, f.overdue_on, f.snoozed, f.note,"
        " f.urgency, p.family_name, p.given_name, p.company, p.what_they_want, t.given_all, t.received_all"
        f" FROM ({shown}) AS shown JOIN {followup} AS f ON f.id = shown.id"
        f" JOIN {person} AS p ON p.id = f.person_id LEFT JOIN {tally} AS t ON t.person_id = f.person_id"
        f") AS r ON 1 = 1{latest_meeting}"
        " ORDER BY r.section, r.urgency, r.show_on, r.id"
    )


def page_queue(owner_id: int, *, today: datetime.date, limit: int, read=SECTIONS) -> Queue:
    """This week's page: the sections, order and context of `queue(limit=…)`, each item a Row, in one query.

    Only the sections in `read` get their items; every section is counted.
    A section's size is exact up to COUNT_CAP; above it the size is COUNT_CAP
    and the section is in `Queue.capped` (the page says "1000+").
    """
    this_end, next_end = week_bounds(today)
    day = connection.ops.adapt_datefield_value  # a date on PostgreSQL, its ISO text on SQLite
    params = {"owner": owner_id, "today": day(today), "this_end": day(this_end), "next_end": day(next_end)}
    with prepared_cursor() as cursor:
        cursor.execute(_page_sql(tuple(limit if name in read else 0 for name in SECTIONS)), params)
        found = cursor.fetchall()
    counts = found[0][:3]
    result = Queue(
        today=today,
        sizes={name: min(n, COUNT_CAP) for name, n in zip(SECTIONS, counts, strict=True)},
        capped={name for name, n in zip(SECTIONS, counts, strict=True) if n > COUNT_CAP},
    )
    for row in found:
        section, pk, person_id, reason, show_on, overdue_on, snoozed, note, family, given, *rest = row[3:]
        if section is None:
            continue  # nothing due: the one row carries only the sizes
        company, want, given_all, received_all, met_on, summary = rest
        getattr(result, SECTIONS[section]).append(
            Row(pk, person_id, reason, _date(show_on), _date(overdue_on), bool(snoozed), note,
                display_name(family, given), company, want, given_all, received_all, _date(met_on), summary)
        )  # fmt: skip
    return result


def page_rows(owner_id: int, pks: list[int]) -> list[Row]:
    """The owner's follow-ups among `pks` as This week shows them (one query): an item shown again."""
    return _rows(_row_values(FollowUp.objects.filter(owner_id=owner_id, pk__in=pks).order_by("pk")))


def queue(owner_id: int, *, today: datetime.date, limit: int | None = None) -> Queue:
    """Overdue, this week and next week: every item in one query, or the first `limit` of each section.

    With a limit, one query counts the sections and one per non-empty section
    loads its first items with their context: a large notebook has tens of
    thousands of items due, and the page shows SECTION_SHOWN of each. Within
    a section, the most urgent reasons come first.
    """
    this_end, next_end = week_bounds(today)
    if limit is not None:
        return _queue_cut(owner_id, today=today, this_end=this_end, next_end=next_end, limit=limit)
    result = Queue(today=today)
    items = by_urgency(with_context(open_followups(owner_id).filter(show_on__lte=next_end)))
    for item in items:
        if item.is_overdue(today):
            result.overdue.append(item)
        elif item.show_on <= this_end:
            result.this_week.append(item)
        else:
            result.next_week.append(item)
    return result


def _sections(today: datetime.date, this_end: datetime.date) -> list[tuple[str, Q]]:
    """The same split as Queue building in `queue`: overdue first, then by show_on."""
    return [
        ("overdue", Q(overdue_on__lt=today)),
        ("this_week", Q(overdue_on__gte=today, show_on__lte=this_end)),
        ("next_week", Q(overdue_on__gte=today, show_on__gt=this_end)),
    ]


def _queue_cut(owner_id: int, *, today, this_end, next_end, limit: int) -> Queue:
    where = _sections(today, this_end)
    items = open_followups(owner_id).filter(show_on__lte=next_end)
    sizes = items.aggregate(**{name: Count("pk", filter=condition) for name, condition in where})
    result = Queue(today=today, sizes=sizes)
    for name, condition in where:
        if sizes[name]:
            setattr(result, name, list(by_urgency(with_context(items.filter(condition)))[:limit]))
    return result


# The navigation's badge counts up to here and then says "99+".
BADGE_LIMIT = 99


def due_count(owner_id: int, *, today: datetime.date) -> int:
    """How many open follow-ups are due by the end of this week, up to BADGE_LIMIT + 1 (the navigation's badge).

    Every page asks for the badge, so it stops counting where the badge stops
    showing the number: 23,000 due at 100,000 people are "99+" as well.
    """
    this_end, _next = week_bounds(today)
    return open_followups(owner_id).filter(show_on__lte=this_end).order_by()[: BADGE_LIMIT + 1].count()


def feed_items(owner_id: int, *, today: datetime.date) -> QuerySet:
    return (
        open_followups(owner_id)
        .filter(show_on__lte=today + datetime.timedelta(days=FEED_DAYS))
        .select_related("person")
        .order_by("show_on", "pk")
    )
