"""Reads of the give-and-take ledger: balances, the balance over time, the overview.

Everything is summed in the database with conditional aggregates over the
owner's entries; no entry is loaded into Python to be counted.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce
from django.utils.translation import gettext_lazy as _

from contacts.models import Person

from .models import Direction, LedgerEntry, LedgerKind, LedgerSettings, LedgerTally

YEAR = datetime.timedelta(days=365)
SERIES_MONTHS = 12

GAVE = Q(direction=Direction.GAVE)
RECEIVED = Q(direction=Direction.RECEIVED)
MONEY_OPEN = Q(kind=LedgerKind.MONEY, amount__isnull=False) & (
    Q(returned_amount__isnull=True) | Q(returned_amount__lt=F("amount"))
)


def signed_weight():
    """An entry's weight, positive when the user gave and negative when they received."""
    return Case(
        When(direction=Direction.GAVE, then=F("weight")),
        default=-F("weight"),
        output_field=IntegerField(),
    )


def _sum(expression, condition: Q | None = None):
    return Coalesce(Sum(expression, filter=condition), Value(0), output_field=IntegerField())


def _count(condition: Q):
    return Count("pk", filter=condition)


@dataclass
class Balance:
    given_year: int
    received_year: int
    given_all: int
    received_all: int

    @property
    def year(self) -> int:
        return self.given_year - self.received_year

    @property
    def all_time(self) -> int:
        return self.given_all - self.received_all


def person_entries(person: Person) -> QuerySet:
    """The owner's entries with this person, or naming them as the person introduced."""
    return LedgerEntry.objects.filter(Q(person=person) | Q(introduced_person=person), owner=person.owner_id)


def person_balance(person: Person, *, today: datetime.date) -> Balance:
    """Weighted given and received with one person, last 12 months and all time (one query)."""
    since = today - YEAR
    recent = Q(date__gt=since)
    totals = LedgerEntry.objects.filter(owner=person.owner_id, person=person).aggregate(
        given_year=_sum("weight", GAVE & recent),
        received_year=_sum("weight", RECEIVED & recent),
        given_all=_sum("weight", GAVE),
        received_all=_sum("weight", RECEIVED),
    )
    return Balance(**totals)


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Series:
    """The cumulative balance at the end of each of the last months, oldest first."""

    months: list[datetime.date]
    values: list[int]
    width: int = 240
    height: int = 64
    pad: int = 6

    def _scale(self):
        low, high = min(0, *self.values), max(0, *self.values)
        span = (high - low) or 1
        inner = self.height - 2 * self.pad
        return lambda v: round(self.pad + (high - v) * inner / span, 1)

    @property
    def step(self) -> float:
        return (self.width - 2 * self.pad) / max(1, len(self.values) - 1)

    @property
    def points(self) -> str:
        y = self._scale()
        return " ".join(f"{round(self.pad + i * self.step, 1)},{y(v)}" for i, v in enumerate(self.values))

    @property
    def zero_y(self) -> float:
        return self._scale()(0)

    @property
    def dots(self) -> list[tuple[float, float, int, datetime.date]]:
        y = self._scale()
        return [
            (round(self.pad + i * self.step, 1), y(v), v, month)
            for i, (v, month) in enumerate(zip(self.values, self.months, strict=True))
        ]

    @property
    def is_flat(self) -> bool:
        return not any(self.values)


def balance_series(person: Person, *, today: datetime.date, months: int = SERIES_MONTHS) -> Series:
    """The cumulative weighted balance at each month's end, in one aggregate query.

    The first point is everything before the window; each later point adds
    one calendar month, so the chart always has `months` + 1 points.
    """
    starts = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    signed = signed_weight()
    aggregates = {"before": _sum(signed, Q(date__lt=starts[0]))}
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else None
        condition = Q(date__gte=start) & (Q(date__lt=end) if end else Q())
        aggregates[f"m{i}"] = _sum(signed, condition)
    totals = LedgerEntry.objects.filter(owner=person.owner_id, person=person).aggregate(**aggregates)
    values = [totals["before"]]
    for i in range(len(starts)):
        values.append(values[-1] + totals[f"m{i}"])
    return Series(months=[starts[0] - datetime.timedelta(days=1), *starts], values=values)


class Flag:
    I_OWE = "owe"
    TAKER = "taker"
    MONEY = "money"

    CHOICES = [
        (I_OWE, _("I owe")),
        (TAKER, _("Only taking")),
        (MONEY, _("Money outstanding")),
    ]


def _flag_rules(today: datetime.date, settings: LedgerSettings) -> dict:
    """Aggregates and the flags built on them, shared by the tallies and the live overview.

    - **I owe** (`i_owe`): over the last 12 months I received more (weighted)
      than I gave, and, matching what I gave against what I received oldest
      first, something received at least `owe_after_days` ago is still
      unmatched. That is: the weight received in the window up to
      `owe_after_days` ago exceeds all the weight given in the window.
    - **Only taking** (`taker`): within `taker_window_days`, I gave them at
      least `taker_min_entries` entries and they gave me none.
    - **Money outstanding** (`money_open`): a money entry either way whose
      returned amount is below its amount; `money_since` is the oldest one's date.
    """
    year = Q(date__gt=today - YEAR)
    owe_cutoff = Q(date__lte=today - datetime.timedelta(days=settings.owe_after_days))
    taker_window = Q(date__gt=today - datetime.timedelta(days=settings.taker_window_days))
    sums = {
        "given_year": _sum("weight", GAVE & year),
        "received_year": _sum("weight", RECEIVED & year),
        "received_before_cutoff": _sum("weight", RECEIVED & year & owe_cutoff),
        "taken_count": _count(GAVE & taker_window),
        "returned_count": _count(RECEIVED & taker_window),
        "money_open": _count(MONEY_OPEN),
        "money_since": Min("date", filter=MONEY_OPEN),
    }
    flags = {
        "i_owe": ExpressionWrapper(
            Q(received_year__gt=F("given_year")) & Q(received_before_cutoff__gt=F("given_year")),
            output_field=BooleanField(),
        ),
        "taker": ExpressionWrapper(
            Q(taken_count__gte=settings.taker_min_entries) & Q(returned_count=0),
            output_field=BooleanField(),
        ),
    }
    return {"sums": sums, "flags": flags, "year": year}


TALLY_COLUMNS = [
    "person_id", "owner_id", "given_all", "received_all", "given_year", "received_year", "entries_year",
    "imbalance_all", "imbalance_year", "i_owe", "taker", "money_open", "money_since",
]  # fmt: skip


def tally_rows(owner_id: int, *, today: datetime.date, settings: LedgerSettings, person_ids=None) -> QuerySet:
    """One aggregate row per person with entries, in `LedgerTally`'s columns (`TALLY_COLUMNS` order)."""
    rules = _flag_rules(today, settings)
    entries = LedgerEntry.objects.filter(owner_id=owner_id)
    if person_ids is not None:
        entries = entries.filter(person_id__in=person_ids)
    return (
        entries.values("person_id", "owner_id")
        .annotate(
            given_all=_sum("weight", GAVE),
            received_all=_sum("weight", RECEIVED),
            entries_year=_count(rules["year"]),
            **rules["sums"],
        )
        .annotate(
            imbalance_all=Abs(F("given_all") - F("received_all")),
            imbalance_year=Abs(F("given_year") - F("received_year")),
            **rules["flags"],
        )
        .values(*TALLY_COLUMNS)
        .order_by()
    )


PERIOD_YEAR = "year"
PERIOD_ALL = "all"


def overview(
    owner_id: int,
    *,
    today: datetime.date,
    settings: LedgerSettings,
    period: str = PERIOD_YEAR,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    kind: str = "",
    field_id: int | None = None,
    flag: str = "",
) -> QuerySet:
    """One row per person with entries: sums for the period, imbalance and flags.

    The period (the last 12 months, all time, or `start`–`end`) sets the
    given/received sums and the imbalance the list is sorted by; each flag
    keeps its own window (see `_flag_rules`). The two fixed periods read the
    per-person tallies (`LedgerTally`, kept current by the services; the
    caller rebuilds them when `settings.tallied_on` is not today); a custom
    period sums the entries. Rows are dicts; the people come separately for
    the page shown.
    """
    if period in (PERIOD_YEAR, PERIOD_ALL):
        return _tallied_overview(owner_id, today=today, period=period, kind=kind, field_id=field_id, flag=flag)
    return _live_overview(
        owner_id, today=today, settings=settings, start=start, end=end, kind=kind, field_id=field_id, flag=flag
    )


def _flag_filter(flag: str) -> Q:
    if flag == Flag.I_OWE:
        return Q(i_owe=True)
    if flag == Flag.TAKER:
        return Q(taker=True)
    if flag == Flag.MONEY:
        return Q(money_open__gt=0)
    return Q()


def _tallied_overview(owner_id, *, today, period, kind, field_id, flag) -> QuerySet:
    suffix = "year" if period == PERIOD_YEAR else "all"
    rows = LedgerTally.objects.filter(owner_id=owner_id)
    if period == PERIOD_YEAR:
        rows = rows.filter(entries_year__gt=0)
    if field_id:
        rows = rows.filter(
            Exists(Person.fields.through.objects.filter(person_id=OuterRef("person_id"), field_id=field_id))
        )
    if kind:
        of_kind = LedgerEntry.objects.filter(owner_id=owner_id, person_id=OuterRef("person_id"), kind=kind)
        if period == PERIOD_YEAR:
            of_kind = of_kind.filter(date__gt=today - YEAR)
        rows = rows.filter(Exists(of_kind))
    return (
        rows.filter(_flag_filter(flag))
        .annotate(
            given=F(f"given_{suffix}"),
            received=F(f"received_{suffix}"),
            balance=F(f"given_{suffix}") - F(f"received_{suffix}"),
            imbalance=F(f"imbalance_{suffix}"),
        )
        .values("person_id", "given", "received", "balance", "imbalance", "i_owe", "taker", "money_open", "money_since")
        .order_by(f"-imbalance_{suffix}", "person_id")
    )


def _live_overview(owner_id, *, today, settings, start, end, kind, field_id, flag) -> QuerySet:
    rules = _flag_rules(today, settings)
    period = Q()
    if start:
        period &= Q(date__gte=start)
    if end:
        period &= Q(date__lte=end)
    entries = LedgerEntry.objects.filter(owner_id=owner_id)
    if field_id:
        links = Person.fields.through.objects.filter(person_id=OuterRef("person_id"), field_id=field_id)
        entries = entries.filter(Exists(links))
    rows = (
        entries.values("person_id")
        .annotate(
            given=_sum("weight", GAVE & period),
            received=_sum("weight", RECEIVED & period),
            in_period=_count(period) if period else Count("pk"),
            **rules["sums"],
        )
        .annotate(balance=F("given") - F("received"), imbalance=Abs(F("given") - F("received")), **rules["flags"])
    )
    if period:
        rows = rows.filter(in_period__gt=0)
    if kind:
        rows = rows.annotate(of_kind=_count(Q(kind=kind) & period)).filter(of_kind__gt=0)
    if flag == Flag.I_OWE:
        rows = rows.filter(received_year__gt=F("given_year"), received_before_cutoff__gt=F("given_year"))
    elif flag == Flag.TAKER:
        rows = rows.filter(taken_count__gte=settings.taker_min_entries, returned_count=0)
    elif flag == Flag.MONEY:
        rows = rows.filter(money_open__gt=0)
    return rows.order_by("-imbalance", "person_id")
