"""Writes of the insights app: key-person tags, suggestions and their scoring job, profile and goals."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.db.models.functions import Abs, Least
from django.utils import timezone

from accounts.models import User
from contacts.models import Field, KeyPerson, MeetingKind, Person, Profile, Status, Wish
from contacts.services import people_changed, refresh_search
from jobs import enqueue

from .models import Dismissal, Goal, Suggestion

# How many candidates the job keeps per field, and the least score worth showing.
CANDIDATES_PER_FIELD = 5
MIN_SCORE = 20
HALF_YEAR = datetime.timedelta(days=182)
YEAR = datetime.timedelta(days=365)


def _announce(owner_id: int, person_ids: Iterable[int]) -> None:
    """Tell the follow-up engine (after commit) that these people's cadence may have changed."""
    ids = sorted(set(person_ids))
    transaction.on_commit(lambda: people_changed.send(sender=Person, owner_id=owner_id, person_ids=ids))


# Key persons


def tag_key_person(
    *, owner: User, person: Person, field: Field, note: str = "", on: datetime.date | None = None
) -> KeyPerson:
    """Make `person` a key person for `field` (again: nothing changes) and drop the suggestion."""
    if person.owner_id != owner.pk or field.owner_id != owner.pk:
        raise PermissionError("person and field must belong to the owner")
    with transaction.atomic():
        key, created = KeyPerson.objects.get_or_create(
            owner=owner, person=person, field=field, defaults={"tagged_on": on or timezone.localdate(), "note": note}
        )
        Suggestion.objects.filter(owner=owner, person=person, field=field).delete()
        if created:
            if not person.fields.filter(pk=field.pk).exists():
                # Key in a field means working in it: list the field on the person too.
                person.fields.add(field)
                refresh_search([person.pk])
            _announce(owner.pk, [person.pk])
    return key


def untag_key_person(*, key: KeyPerson) -> None:
    with transaction.atomic():
        deleted, _rows = KeyPerson.objects.filter(pk=key.pk).delete()
        if deleted:
            _announce(key.owner_id, [key.person_id])


def accept_suggestion(*, suggestion: Suggestion) -> KeyPerson:
    return tag_key_person(owner=suggestion.owner, person=suggestion.person, field=suggestion.field)


def dismiss_suggestion(*, suggestion: Suggestion, today: datetime.date | None = None) -> Dismissal:
    """Hide this person as a candidate for this field for six months."""
    until = (today or timezone.localdate()) + Dismissal.DURATION
    with transaction.atomic():
        dismissal, _created = Dismissal.objects.update_or_create(
            person_id=suggestion.person_id,
            field_id=suggestion.field_id,
            defaults={"owner_id": suggestion.owner_id, "until": until},
        )
        Suggestion.objects.filter(pk=suggestion.pk).delete()
    return dismissal


# The scoring job


def scored_people(owner_id: int, *, today: datetime.date, my_stage: str):
    """The owner's active people with the facts and score of a key-person candidate, in one query.

    Score: mutual wish to meet again (30; one side 10), meetings in the last
    6 months (6 each, at most 30) and 12 months (3 each, at most 15), joint
    work (10 each, at most 30), recency of the last contact (15 within a
    month, 10 within three, 5 within six), an even 12-month give and take
    (10; lopsided by 3 to 5 points, 5; nothing without any ledger entry) and
    the same stage as mine (10).
    """
    year_ago, half_ago = today - YEAR, today - HALF_YEAR
    in_year = Q(meetings__date__gte=year_ago, meetings__date__lte=today)
    people = Person.objects.filter(owner_id=owner_id, status=Status.ACTIVE).annotate(
        meetings_year=Count("meetings", filter=in_year),
        meetings_half=Count("meetings", filter=Q(meetings__date__gte=half_ago, meetings__date__lte=today)),
        joint_work=Count("meetings", filter=in_year & Q(meetings__kind=MeetingKind.JOINT_WORK)),
        met_since=Min("meetings__date", filter=in_year),
        balance=F("ledger_tally__given_year") - F("ledger_tally__received_year"),
    )

    def points(condition: Q, value: int):
        return Case(When(condition, then=Value(value)), default=Value(0), output_field=IntegerField())

    mine = Q(i_want_to_meet_again=Wish.YES)
    theirs = Q(they_want_to_meet_again=Wish.YES)
    score = (
        points(mine & theirs, 30)
        + points((mine & ~theirs) | (~mine & theirs), 10)
        + Least(F("meetings_half") * 6, 30)
        + Least(F("meetings_year") * 3, 15)
        + Least(F("joint_work") * 10, 30)
        + points(Q(last_contact_on__gte=today - datetime.timedelta(days=30)), 15)
        + points(
            Q(last_contact_on__lt=today - datetime.timedelta(days=30), last_contact_on__gte=today - HALF_YEAR / 2),
            10,
        )
        + points(Q(last_contact_on__lt=today - HALF_YEAR / 2, last_contact_on__gte=today - HALF_YEAR), 5)
        + Case(
            When(Q(abs_balance__lte=2), then=Value(10)),
            When(Q(abs_balance__lte=5), then=Value(5)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    if my_stage:
        score += points(Q(stage=my_stage), 10)
    return people.annotate(abs_balance=Abs("balance")).annotate(score=score)


def refresh_suggestions(*, owner_id: int, today: datetime.date | None = None) -> dict:
    """Rebuild the owner's key-person suggestions: the best candidates per field, written as a diff.

    A fixed number of queries whatever the number of people: the profile,
    the scored people (one aggregate), their fields, the key persons, the
    dismissals, the current suggestions, then the writes. Running it again
    with nothing changed writes nothing; the unique (person, field) row
    keeps two runs at once from doubling a suggestion.
    """
    today = today or timezone.localdate()
    stage = Profile.for_owner(owner_id).stage
    facts = {
        row["pk"]: row
        for row in scored_people(owner_id, today=today, my_stage=stage)
        .filter(score__gte=MIN_SCORE)
        .values(
            "pk", "score", "meetings_year", "meetings_half", "joint_work", "met_since", "balance",
            "i_want_to_meet_again", "they_want_to_meet_again", "stage", "last_contact_on", "sort_key",
        )
    }  # fmt: skip
    taken = set(KeyPerson.objects.filter(owner_id=owner_id).values_list("person_id", "field_id"))
    hidden = set(Dismissal.objects.filter(owner_id=owner_id, until__gt=today).values_list("person_id", "field_id"))
    by_field: dict[int, list[dict]] = defaultdict(list)
    pairs = Person.fields.through.objects.filter(
        person__owner_id=owner_id, person__status=Status.ACTIVE, field__owner_id=owner_id
    ).values_list("person_id", "field_id")
    for person_id, field_id in pairs:
        row = facts.get(person_id)
        if row is not None and (person_id, field_id) not in taken and (person_id, field_id) not in hidden:
            by_field[field_id].append(row)

    wanted: dict[tuple[int, int], Suggestion] = {}
    for field_id, rows in by_field.items():
        rows.sort(key=lambda r: (-r["score"], -(r["last_contact_on"] or datetime.date.min).toordinal(), r["pk"]))
        for rank, row in enumerate(rows[:CANDIDATES_PER_FIELD], start=1):
            wanted[(row["pk"], field_id)] = Suggestion(
                owner_id=owner_id,
                person_id=row["pk"],
                field_id=field_id,
                score=row["score"],
                rank=rank,
                meetings_year=row["meetings_year"],
                meetings_half=row["meetings_half"],
                joint_work=row["joint_work"],
                met_since=row["met_since"],
                i_want=row["i_want_to_meet_again"] == Wish.YES,
                they_want=row["they_want_to_meet_again"] == Wish.YES,
                balance=row["balance"],
                same_stage=row["stage"] if stage and row["stage"] == stage else "",
                last_contact_on=row["last_contact_on"],
            )

    current = {(s.person_id, s.field_id): s for s in Suggestion.objects.filter(owner_id=owner_id)}
    gone = [s.pk for key, s in current.items() if key not in wanted]
    create = [s for key, s in wanted.items() if key not in current]
    update = []
    for key, s in wanted.items():
        old = current.get(key)
        if old is not None and any(getattr(old, name) != getattr(s, name) for name in Suggestion.FACTS):
            s.pk = old.pk
            update.append(s)
    with transaction.atomic():
        if gone:
            Suggestion.objects.filter(pk__in=gone).delete()
        if update:
            Suggestion.objects.bulk_update(update, list(Suggestion.FACTS), batch_size=500)
        if create:
            Suggestion.objects.bulk_create(create, batch_size=500, ignore_conflicts=True)
    return {"created": len(create), "updated": len(update), "deleted": len(gone)}


def refresh_everyone(*, send: bool = True) -> list[int]:
    """The weekly run: one task per owner with people (or, with send=False, the owners to do)."""
    from .tasks import refresh_suggestions as task

    owners = list(
        Person.objects.filter(status=Status.ACTIVE).values_list("owner_id", flat=True).distinct().order_by("owner_id")
    )
    if send:
        for owner_id in owners:
            enqueue.send(task, owner_id)
    return owners


def request_suggestions(*, owner: User) -> None:
    """Ask a worker to rebuild the owner's suggestions once the current transaction commits."""
    from .tasks import refresh_suggestions as task

    enqueue.send_on_commit(task, owner.pk)


# Profile and goals


def save_profile(*, owner: User, values: dict) -> Profile:
    profile, _created = Profile.objects.update_or_create(owner=owner, defaults=values)
    return profile


def create_goal(*, owner: User, description: str, fields: Iterable[Field] = ()) -> Goal:
    fields = list(fields)
    if any(f.owner_id != owner.pk for f in fields):
        raise PermissionError("fields must belong to the owner")
    with transaction.atomic():
        goal = Goal.objects.create(owner=owner, description=description)
        goal.fields.set(fields)
    return goal


def mark_goal_met(*, goal: Goal, met: bool, on: datetime.date | None = None) -> None:
    Goal.objects.filter(pk=goal.pk).update(met_on=(on or timezone.localdate()) if met else None)


def delete_goal(*, goal: Goal) -> None:
    goal.delete()
