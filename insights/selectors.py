"""Reads behind the key-person page, the insights page and the goals page.

Each page runs a fixed number of queries whatever the size of the notebook:
every figure is an aggregate computed by the database.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _

from contacts.models import EventKind, Field, KeyPerson, LedgerTally, Person, Status, Tier
from followups.models import FollowUp, Reason, State

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


def ended_ids(owner_id: int):
    """The owner's ended ties, as a sub-query: few, found on the (owner, status) index."""
    return Person.objects.filter(owner_id=owner_id, status=Status.ENDED).values("pk")


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


def breadth(owner_id: int) -> dict:
    """People and key persons per field, and the fields with no key person (three queries)."""
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
    chart = Chart(
        id="chart-breadth",
        kind="bar",
        labels=[name for _pk, name in fields],
        series=[
            (_("People"), [people.get(pk, 0) for pk, _name in fields]),
            (_("Key persons"), [keys.get(pk, 0) for pk, _name in fields]),
        ],
        horizontal=True,
    )
    return {
        "chart": chart,
        "uncovered": [name for pk, name in fields if not keys.get(pk)],
        "empty_fields": [name for pk, name in fields if not people.get(pk)],
    }


def event_kinds(owner_id: int, *, since: datetime.date | None) -> Chart:
    """Per kind of event where people were first met: met, met again, became network, became key (one query)."""
    people = Person.objects.filter(owner_id=owner_id, first_met_event__isnull=False)
    if since is not None:
        people = people.filter(first_met_on__gte=since)
    # Met again: a meeting on a later day than the first, i.e. the last contact (the latest
    # meeting, kept by contacts.services) is after the first meeting. A column comparison,
    # not a sub-query per person.
    again = Q(last_contact_on__gt=F("first_met_on"))
    key = Exists(KeyPerson.objects.filter(person_id=OuterRef("pk")))
    rows = {
        row["first_met_event__kind"]: row
        for row in people.values("first_met_event__kind").annotate(
            met=Count("pk"),
            again=Count("pk", filter=again),
            network=Count("pk", filter=Q(tier=Tier.NETWORK)),
            key=Count("pk", filter=Q(key)),
        )
    }
    kinds = [kind for kind in EventKind if kind in rows]
    kinds.sort(key=lambda kind: (-rows[kind]["network"], -rows[kind]["met"]))

    def column(name):
        return [rows[kind][name] for kind in kinds]

    return Chart(
        id="chart-events",
        kind="bar",
        labels=[kind.label for kind in kinds],
        series=[
            (_("Met"), column("met")),
            (_("Met again"), column("again")),
            (_("Became network"), column("network")),
            (_("Became key person"), column("key")),
        ],
        horizontal=True,
    )


BALANCE_BUCKETS = [
    # (label, lower bound or None, upper bound or None), on the all-time weighted balance.
    ("≤ −6", None, -6),
    ("−5…−3", -5, -3),
    ("−2…+2", -2, 2),
    ("+3…+5", 3, 5),
    ("≥ +6", 6, None),
]


def give_and_take(owner_id: int) -> dict:
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
    figures = tallies.aggregate(
        **counts, owe=Count("pk", filter=Q(i_owe=True)), takers=Count("pk", filter=Q(taker=True))
    )
    owed = list(
        LedgerTally.objects.filter(owner_id=owner_id, person__status=Status.ACTIVE, i_owe=True)
        .select_related("person")
        .annotate(balance=F("given_all") - F("received_all"))
        .order_by("balance", "person_id")[:OWED_SHOWN]
    )
    chart = Chart(
        id="chart-balance",
        kind="bar",
        labels=[label for label, _low, _high in BALANCE_BUCKETS],
        series=[(_("People"), [figures[f"b{i}"] for i in range(len(BALANCE_BUCKETS))])],
    )
    return {"chart": chart, "owe": figures["owe"], "takers": figures["takers"], "owed": owed}


def tie_health(owner_id: int, *, today: datetime.date) -> dict:
    """How many ties are inside their keep-in-touch cadence and how many are past it, per group (one query)."""
    rows = (
        FollowUp.objects.filter(
            owner_id=owner_id,
            state=State.OPEN,
            reason__in=[Reason.KEEP_IN_TOUCH, Reason.KEY_PERSON],
            person__status=Status.ACTIVE,
        )
        .values("reason", "person__tier")
        .annotate(inside=Count("pk", filter=Q(due_on__gte=today)), past=Count("pk", filter=Q(due_on__lt=today)))
    )
    groups = {"key": [0, 0], Tier.NETWORK: [0, 0], Tier.ACQUAINTANCE: [0, 0]}
    for row in rows:
        group = "key" if row["reason"] == Reason.KEY_PERSON else row["person__tier"]
        groups.setdefault(group, [0, 0])
        groups[group][0] += row["inside"]
        groups[group][1] += row["past"]
    order = [
        ("key", _("Key persons")),
        (Tier.NETWORK, Tier.NETWORK.label),
        (Tier.ACQUAINTANCE, Tier.ACQUAINTANCE.label),
    ]
    chart = Chart(
        id="chart-health",
        kind="bar",
        labels=[label for _key, label in order],
        series=[
            (_("Inside cadence"), [groups[key][0] for key, _label in order]),
            (_("Past cadence"), [groups[key][1] for key, _label in order]),
        ],
        stacked=True,
        horizontal=True,
    )
    inside = sum(values[0] for values in groups.values())
    past = sum(values[1] for values in groups.values())
    return {"chart": chart, "inside": inside, "past": past}


def introductions(owner_id: int) -> dict:
    """The top connectors (most people introduced who became network) and whom they introduced (three queries).

    Counted from the introduced side, so only the people someone introduced are grouped, not everyone.
    """
    top = list(
        Person.objects.filter(owner_id=owner_id, introduced_by__isnull=False)
        .values("introduced_by")
        .annotate(brought=Count("pk"), became_network=Count("pk", filter=Q(tier=Tier.NETWORK)))
        .order_by("-became_network", "-brought", "introduced_by")[:CONNECTORS_SHOWN]
    )
    found = Person.objects.filter(owner_id=owner_id).in_bulk([row["introduced_by"] for row in top])
    connectors = []
    for row in top:
        connector = found[row["introduced_by"]]
        connector.brought, connector.became_network = row["brought"], row["became_network"]
        connectors.append(connector)
    children: dict[int, list] = {c.pk: [] for c in connectors}
    introduced = (
        Person.objects.filter(owner_id=owner_id, introduced_by__in=list(children))
        .annotate(brought=Count("introduced"))
        .order_by(F("tier").desc(), "sort_key", "pk")
    )
    for person in introduced:
        children[person.introduced_by_id].append(person)
    tree = [(c, children[c.pk][:INTRODUCED_SHOWN], max(0, len(children[c.pk]) - INTRODUCED_SHOWN)) for c in connectors]
    chart = Chart(
        id="chart-connectors",
        kind="bar",
        labels=[c.display_name for c in connectors],
        series=[
            (_("Introduced, became network"), [c.became_network for c in connectors]),
            (_("Introduced, not (yet) network"), [c.brought - c.became_network for c in connectors]),
        ],
        stacked=True,
        horizontal=True,
    )
    return {"chart": chart, "tree": tree}


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
