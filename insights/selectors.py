"""Reads behind the key-person page, the insights page and the goals page.

Each page runs a fixed number of queries whatever the size of the notebook:
every figure is an aggregate computed by the database.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _

from contacts.models import EventKind, Field, KeyPerson, Person, Status, Tier
from contacts.selectors import ended_ids
from followups.models import FollowUp, Reason, State
from ledger.models import LedgerTally

from .models import Goal, Suggestion

SUGGESTIONS_SHOWN = 3
CONNECTORS_SHOWN = 10
INTRODUCED_SHOWN = 8
OWED_SHOWN = 10
GOAL_MATCHES_SHOWN = 5
# Matches are looked up for this many open goals (a query each), so the page's
# query count has a bound whatever the user writes.
GOALS_MATCHED = 10


# The key-person page


@dataclass
class FieldBlock:
    field: Field
    keys: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.keys)


def next_followup_on():
    return Subquery(
        FollowUp.objects.filter(person_id=OuterRef("person_id"), state=State.OPEN)
        .order_by("show_on", "pk")
        .values("show_on")[:1]
    )


def key_person_blocks(owner_id: int) -> list[FieldBlock]:
    """One block per field, in the owner's order: key persons, then the top candidates (three queries)."""
    blocks = {f.pk: FieldBlock(field=f) for f in Field.objects.filter(owner_id=owner_id)}
    keys = (
        KeyPerson.objects.filter(owner_id=owner_id, person__status=Status.ACTIVE)
        .select_related("person")
        .annotate(next_followup_on=next_followup_on())
        .order_by("tagged_on", "pk")
    )
    for key in keys:
        blocks[key.field_id].keys.append(key)
    suggestions = (
        Suggestion.objects.filter(owner_id=owner_id, rank__lte=SUGGESTIONS_SHOWN, person__status=Status.ACTIVE)
        .select_related("person")
        .order_by("field_id", "rank")
    )
    for suggestion in suggestions:
        blocks[suggestion.field_id].suggestions.append(suggestion)
    return list(blocks.values())


def field_block(owner_id: int, field_obj: Field) -> FieldBlock:
    """The block of one field, for an htmx swap after tagging or dismissing (two queries)."""
    block = FieldBlock(field=field_obj)
    block.keys = list(
        KeyPerson.objects.filter(owner_id=owner_id, field=field_obj, person__status=Status.ACTIVE)
        .select_related("person")
        .annotate(next_followup_on=next_followup_on())
        .order_by("tagged_on", "pk")
    )
    block.suggestions = list(
        Suggestion.objects.filter(
            owner_id=owner_id, field=field_obj, rank__lte=SUGGESTIONS_SHOWN, person__status=Status.ACTIVE
        )
        .select_related("person")
        .order_by("rank")
    )
    return block


def person_key_roles(person: Person) -> list[KeyPerson]:
    return list(KeyPerson.objects.filter(person=person).select_related("field").order_by("field__position", "pk"))


# The insights page
#
# Two halves: `figures` runs the aggregates and returns plain numbers and ids
# (JSON, the same in every language), which insights.figures keeps per owner;
# `charts` turns them into the page's charts, in the reader's language, with
# the people it names read in one query.

FIGURES_FORMAT = 1

# The periods of "Which kinds of events pay off", in months (None: all time);
# keys as in insights.forms.PERIODS.
PERIOD_MONTHS = {"12": 12, "24": 24, "60": 60, "all": None}


def months_ago(today: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` months before today's."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, 1)


def figures(owner_id: int, *, today: datetime.date) -> dict:
    """Every figure of the insights page (nine queries)."""
    return {
        "format": FIGURES_FORMAT,
        "breadth": breadth_figures(owner_id),
        "events": event_figures(owner_id, today=today),
        "balance": balance_figures(owner_id),
        "health": health_figures(owner_id, today=today),
        "intros": intro_figures(owner_id),
    }


def breadth_figures(owner_id: int) -> list:
    """[field id, name, people, key persons] per field, in the owner's order (three queries)."""
    fields = list(Field.objects.filter(owner_id=owner_id).values_list("pk", "name"))
    # Counted on the (person, field) index alone, leaving out the few ended ties, rather
    # than joining every person row to read their status.
    people = dict(
        Person.fields.through.objects.filter(field_id__in=[pk for pk, _name in fields])
        .exclude(person_id__in=ended_ids(owner_id))
        .values("field_id")
        .annotate(n=Count("*"))
        .values_list("field_id", "n")
    )
    keys = dict(
        KeyPerson.objects.filter(owner_id=owner_id, person__status=Status.ACTIVE)
        .values("field_id")
        .annotate(n=Count("*"))
        .values_list("field_id", "n")
    )
    return [[pk, name, people.get(pk, 0), keys.get(pk, 0)] for pk, name in fields]


EVENT_STEPS = ("met", "again", "network", "key")


def event_figures(owner_id: int, *, today: datetime.date) -> dict:
    """Per period, [kind, met, met again, became network, became key] for each kind of event
    where people were first met (one query for every period)."""
    # Met again: a meeting on a later day than the first, i.e. the last contact (the latest
    # meeting, kept by contacts.services) is after the first meeting. A column comparison,
    # not a sub-query per person.
    steps = {
        "met": Q(),
        "again": Q(last_contact_on__gt=F("first_met_on")),
        "network": Q(tier=Tier.NETWORK),
        # A non-correlated IN: the owner's few key persons are hashed once, not looked up per person.
        "key": Q(pk__in=KeyPerson.objects.filter(owner_id=owner_id).values("person_id")),
    }
    counts = {}
    for period, months in PERIOD_MONTHS.items():
        since = Q(first_met_on__gte=months_ago(today, months)) if months else Q()
        for step, condition in steps.items():
            counts[f"{step}_{period}"] = Count("pk", filter=since & condition)
    rows = list(
        Person.objects.filter(owner_id=owner_id, first_met_event__isnull=False)
        .values("first_met_event__kind")
        .annotate(**counts)
        .order_by()
    )
    result = {}
    for period in PERIOD_MONTHS:
        kinds = [
            [row["first_met_event__kind"], *(row[f"{step}_{period}"] for step in EVENT_STEPS)]
            for row in rows
            if row[f"met_{period}"]
        ]
        kinds.sort(key=lambda kind: (-kind[3], -kind[1], _kind_order(kind[0])))
        result[period] = kinds
    return result


def _kind_order(kind: str) -> int:
    return EventKind.values.index(kind) if kind in EventKind.values else len(EventKind.values)


BALANCE_BUCKETS = [
    # (label, lower bound or None, upper bound or None), on the all-time weighted balance.
    ("≤ −6", None, -6),
    ("−5…−3", -5, -3),
    ("−2…+2", -2, 2),
    ("+3…+5", 3, 5),
    ("≥ +6", 6, None),
]


def balance_figures(owner_id: int) -> dict:
    """The spread of balances over the people with ledger entries, and the people I owe (two queries)."""
    tallies = (
        LedgerTally.objects.filter(owner_id=owner_id)
        .exclude(person_id__in=ended_ids(owner_id))
        .exclude(given_all=0, received_all=0)
        .annotate(balance=F("given_all") - F("received_all"))
    )
    counts = {}
    for i, (_label, low, high) in enumerate(BALANCE_BUCKETS):
        condition = Q()
        if low is not None:
            condition &= Q(balance__gte=low)
        if high is not None:
            condition &= Q(balance__lte=high)
        counts[f"b{i}"] = Count("pk", filter=condition)
    found = tallies.aggregate(**counts, owe=Count("pk", filter=Q(i_owe=True)), takers=Count("pk", filter=Q(taker=True)))
    owed = (
        LedgerTally.objects.filter(owner_id=owner_id, person__status=Status.ACTIVE, i_owe=True)
        .annotate(balance=F("given_all") - F("received_all"))
        .order_by("balance", "person_id")
        .values_list("person_id", "balance")[:OWED_SHOWN]
    )
    return {
        "buckets": [found[f"b{i}"] for i in range(len(BALANCE_BUCKETS))],
        "owe": found["owe"],
        "takers": found["takers"],
        "owed": [list(row) for row in owed],
    }


HEALTH_GROUPS = ("key", Tier.NETWORK.value, Tier.ACQUAINTANCE.value)


def health_figures(owner_id: int, *, today: datetime.date) -> dict:
    """[inside, past] their keep-in-touch cadence, per group: key persons, then by tier (one query)."""
    rows = (
        FollowUp.objects.filter(
            owner_id=owner_id,
            state=State.OPEN,
            reason__in=[Reason.KEEP_IN_TOUCH, Reason.KEY_PERSON],
            person__status=Status.ACTIVE,
        )
        .values("reason", "person__tier")
        .annotate(inside=Count("pk", filter=Q(due_on__gte=today)), past=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    groups = {group: [0, 0] for group in HEALTH_GROUPS}
    for row in rows:
        group = "key" if row["reason"] == Reason.KEY_PERSON else row["person__tier"]
        if group in groups:
            groups[group][0] += row["inside"]
            groups[group][1] += row["past"]
    return groups


def intro_figures(owner_id: int) -> list:
    """The top connectors (most people introduced who became network), each as
    [id, brought, became network, [[id, brought] of whom they introduced], how many more] (two queries).

    Counted from the introduced side, so only the people someone introduced are grouped, not everyone.
    """
    top = list(
        Person.objects.filter(owner_id=owner_id, introduced_by__isnull=False)
        .values("introduced_by")
        .annotate(brought=Count("pk"), became_network=Count("pk", filter=Q(tier=Tier.NETWORK)))
        .order_by("-became_network", "-brought", "introduced_by")[:CONNECTORS_SHOWN]
    )
    children: dict[int, list] = {row["introduced_by"]: [] for row in top}
    introduced = (
        Person.objects.filter(owner_id=owner_id, introduced_by__in=list(children))
        .annotate(brought=Count("introduced"))
        .order_by(F("tier").desc(), "sort_key", "pk")
        .values_list("introduced_by", "pk", "brought")
    )
    for connector_id, pk, brought in introduced:
        children[connector_id].append([pk, brought])
    return [
        [
            row["introduced_by"],
            row["brought"],
            row["became_network"],
            children[row["introduced_by"]][:INTRODUCED_SHOWN],
            max(0, len(children[row["introduced_by"]]) - INTRODUCED_SHOWN),
        ]
        for row in top
    ]


@dataclass
class Chart:
    """A chart's data for insights.js, and the same figures for the text fallback."""

    id: str
    kind: str
    labels: list
    series: list  # [(label, [values])]
    stacked: bool = False
    horizontal: bool = False

    def as_data(self) -> dict:
        return {
            "kind": self.kind,
            "labels": [str(label) for label in self.labels],
            "series": [{"label": str(label), "data": values} for label, values in self.series],
            "stacked": self.stacked,
            "horizontal": self.horizontal,
        }

    @property
    def rows(self) -> list:
        """(label, value, value…) per label, for the table under the chart."""
        return [(label, *(values[i] for _l, values in self.series)) for i, label in enumerate(self.labels)]

    @property
    def is_empty(self) -> bool:
        return not any(any(values) for _l, values in self.series)


def people_named(owner_id: int, found: dict) -> dict[int, Person]:
    """The people the figures name (people I owe, connectors and whom they introduced), by id (one query)."""
    ids = {pk for pk, _balance in found["balance"]["owed"]}
    for connector_id, _brought, _network, children, _more in found["intros"]:
        ids.add(connector_id)
        ids.update(pk for pk, _brought in children)
    return Person.objects.filter(owner_id=owner_id).in_bulk(ids)


def charts(found: dict, people: dict[int, Person], *, period: str) -> dict:
    """The page's charts and lists from the figures, in the active language.

    People deleted since the figures were computed are left out.
    """
    breadth = found["breadth"]
    breadth_chart = Chart(
        id="chart-breadth",
        kind="bar",
        labels=[name for _pk, name, _people, _keys in breadth],
        series=[
            (_("People"), [n for _pk, _name, n, _keys in breadth]),
            (_("Key persons"), [keys for _pk, _name, _n, keys in breadth]),
        ],
        horizontal=True,
    )
    kinds = found["events"][period]
    events = Chart(
        id="chart-events",
        kind="bar",
        labels=[EventKind(row[0]).label if row[0] in EventKind.values else row[0] for row in kinds],
        series=[
            (label, [row[i] for row in kinds])
            for i, label in enumerate([_("Met"), _("Met again"), _("Became network"), _("Became key person")], 1)
        ],
        horizontal=True,
    )
    balance = found["balance"]
    balance_chart = Chart(
        id="chart-balance",
        kind="bar",
        labels=[label for label, _low, _high in BALANCE_BUCKETS],
        series=[(_("People"), balance["buckets"])],
    )
    health = found["health"]
    labels = {"key": _("Key persons"), Tier.NETWORK: Tier.NETWORK.label, Tier.ACQUAINTANCE: Tier.ACQUAINTANCE.label}
    health_chart = Chart(
        id="chart-health",
        kind="bar",
        labels=[labels[group] for group in HEALTH_GROUPS],
        series=[
            (_("Inside cadence"), [health[group][0] for group in HEALTH_GROUPS]),
            (_("Past cadence"), [health[group][1] for group in HEALTH_GROUPS]),
        ],
        stacked=True,
        horizontal=True,
    )
    tree = []
    for connector_id, brought, became_network, children, more in found["intros"]:
        if connector_id not in people:
            continue
        connector = people[connector_id]
        connector.brought, connector.became_network = brought, became_network
        shown = []
        for pk, child_brought in children:
            if pk in people:
                people[pk].brought = child_brought
                shown.append(people[pk])
        tree.append((connector, shown, more))
    intros_chart = Chart(
        id="chart-connectors",
        kind="bar",
        labels=[c.display_name for c, _children, _more in tree],
        series=[
            (_("Introduced, became network"), [c.became_network for c, _children, _more in tree]),
            (_("Introduced, not (yet) network"), [c.brought - c.became_network for c, _children, _more in tree]),
        ],
        stacked=True,
        horizontal=True,
    )
    return {
        "breadth": {
            "chart": breadth_chart,
            "uncovered": [name for _pk, name, _n, keys in breadth if not keys],
            "empty_fields": [name for _pk, name, n, _keys in breadth if not n],
        },
        "events": events,
        "ledger": {
            "chart": balance_chart,
            "owe": balance["owe"],
            "takers": balance["takers"],
            "owed": [(people[pk], value) for pk, value in balance["owed"] if pk in people],
        },
        "health": {
            "chart": health_chart,
            "inside": sum(health[group][0] for group in HEALTH_GROUPS),
            "past": sum(health[group][1] for group in HEALTH_GROUPS),
        },
        "intros": {"chart": intros_chart, "tree": tree},
    }


# Goals


def goals_with_matches(owner_id: int) -> list[tuple[Goal, list[Person] | None]]:
    """Each goal with known people who may match: in one of its fields, or doing what it names.

    Two queries, then one for each of the first GOALS_MATCHED open goals;
    later open goals get None (not looked up).
    """
    goals = list(Goal.objects.filter(owner_id=owner_id).prefetch_related("fields"))
    result = []
    looked_up = 0
    for goal in goals:
        matches: list[Person] | None = []
        if not goal.is_met and looked_up >= GOALS_MATCHED:
            matches = None
        elif not goal.is_met:
            looked_up += 1
            does = Q(what_they_do__icontains=goal.description.strip())
            condition = does
            field_ids = [f.pk for f in goal.fields.all()]
            if field_ids:
                condition |= Q(pk__in=Person.fields.through.objects.filter(field_id__in=field_ids).values("person_id"))
            # People who do what the goal names first, then the rest of the fields' people.
            matches = list(
                Person.objects.filter(condition, owner_id=owner_id, status=Status.ACTIVE)
                .annotate(does=Case(When(does, then=Value(1)), default=Value(0), output_field=IntegerField()))
                .order_by("-does", F("last_contact_on").desc(nulls_last=True), "sort_key", "pk")[:GOAL_MATCHES_SHOWN]
            )
        result.append((goal, matches))
    return result
