"""The rules that open, move and close follow-ups, applied in bulk to a set of people.

`recompute` reads what the rules need for all the people at once (a fixed
number of queries, whatever their number), works out the follow-ups each
person should have open, and writes only the difference. Running it again
with nothing changed writes nothing; running it twice at once cannot open a
follow-up twice (the database allows one open follow-up per person and reason).

- **Thank-you**: after a first meeting, due the next day (the same day for a
  meeting logged before noon on that day), overdue three days after the
  meeting. Once per person; first meetings older than two weeks (history
  brought in later) get none.
- **Keep in touch**: the cadence of the person (their own, or their tier's),
  counted from the last touch: the latest meeting, ledger entry, first meeting
  or keep-in-touch (or key-person) follow-up closed. Any of them resets the clock.
- **Key-person check-in**: for a person who is key in any field, it *replaces*
  the keep-in-touch follow-up (one clock per person, not two reminders for the
  same tie): same clock, the key-person cadence (`key_person_days`) unless the
  person has a cadence of their own. Tagging closes the open keep-in-touch
  follow-up and opens this one; untagging does the reverse.
- **Next step**: a meeting's next step, on its date, one at a time per person.
- **Give back**: while the ledger says I owe them; closed when I no longer do.
  Done or skipped, it does not come back for 30 days.
- **Birthday**: `birthday_days_before` days before the person's birthday
  (0 turns it off), for people in the network tier or key in a field, and for
  acquaintances only when the user asks. One per birthday: `due_on` is the
  birthday itself, so a follow-up done or skipped this year is never made
  again for the same date, and next year's is a new row. A birthday more than
  a week past is over: an open one moves on to the next year.
  Only the month and day count, so a birthday whose year is unknown (kept as
  `birthday_month` and `birthday_day`, as vCard `--MMDD` imports do) is
  reminded of the same way.
- Ended relationships get none: their open follow-ups are closed.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from contacts import dates
from contacts.models import KeyPerson, Meeting, Person, Status, Tier
from ledger.models import LedgerEntry, LedgerTally

from .models import FollowUp, FollowUpSettings, Reason, State
from .signals import followups_written

THANK_YOU_WINDOW = datetime.timedelta(days=14)
THANK_YOU_OVERDUE_AFTER = datetime.timedelta(days=3)
GIVE_BACK_QUIET = datetime.timedelta(days=30)
BIRTHDAY_LATE = datetime.timedelta(days=7)
NOON = 12
CLOSED_BY_USER = (State.DONE, State.SKIPPED)
CADENCE_REASONS = (Reason.KEEP_IN_TOUCH, Reason.KEY_PERSON)

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    created: int = 0
    moved: int = 0
    closed: int = 0
    # People the rules could not be applied to (logged, left as they were).
    skipped: int = 0

    def __add__(self, other: "Outcome") -> "Outcome":
        return Outcome(
            self.created + other.created,
            self.moved + other.moved,
            self.closed + other.closed,
            self.skipped + other.skipped,
        )


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def thank_you_dates(meeting_on: datetime.date, logged_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """(due, overdue after) for a thank-you after a first meeting on `meeting_on`, logged at `logged_at`."""
    logged = timezone.localtime(logged_at)
    due = meeting_on if logged.date() == meeting_on and logged.hour < NOON else meeting_on + datetime.timedelta(days=1)
    return due, meeting_on + THANK_YOU_OVERDUE_AFTER


def birthday_on(month: int, day: int, year: int) -> datetime.date:
    """The birthday in `year`; 29 February is kept on the 28th in other years."""
    if month == 2 and day == 29:
        try:
            return datetime.date(year, 2, 29)
        except ValueError:
            return datetime.date(year, 2, 28)
    return datetime.date(year, month, day)


def next_birthday(month: int, day: int, *, today: datetime.date) -> datetime.date:
    """The birthday to remind of: this year's unless it is more than a week past, else next year's."""
    for year in (today.year - 1, today.year, today.year + 1):
        date = birthday_on(month, day, year)
        if date >= today - BIRTHDAY_LATE:
            return date
    raise AssertionError("unreachable: next year's birthday is always ahead")


def recompute(people: QuerySet, *, today: datetime.date) -> Outcome:
    """Bring the open follow-ups of `people` (an owner-scoped queryset) in line with the rules."""
    people = people.order_by()
    now = timezone.now()
    ended = FollowUp.objects.filter(
        person__in=people.filter(status=Status.ENDED).values("pk"), state=State.OPEN
    ).update(state=State.CLOSED, closed_at=now)
    active = people.filter(status=Status.ACTIVE)
    active_ids = active.values("pk")
    through = Meeting.people.through

    rows = list(
        active.annotate(
            last_entry=Subquery(
                LedgerEntry.objects.filter(owner_id=OuterRef("owner_id"), person_id=OuterRef("pk"))
                .order_by("-date")
                .values("date")[:1]
            ),
            last_kept=Subquery(
                FollowUp.objects.filter(
                    person_id=OuterRef("pk"), reason__in=CADENCE_REASONS, state__in=CLOSED_BY_USER
                )
                .order_by("-closed_at")
                .values("closed_at")[:1]
            ),
            first_meeting=Subquery(
                through.objects.filter(person_id=OuterRef("pk"))
                .order_by("meeting__date", "meeting_id")
                .values("meeting_id")[:1]
            ),
            is_key=Exists(KeyPerson.objects.filter(person_id=OuterRef("pk"))),
        ).values_list(
            "pk", "owner_id", "tier", "keep_in_touch_days", "last_contact_on", "first_met_on", "created_at",
            "last_entry", "last_kept", "first_meeting", "is_key", "birthday", "birthday_month", "birthday_day",
        )
    )  # fmt: skip
    if not rows and not ended:
        return Outcome()

    open_now = {
        (person_id, reason): (pk, due_on, show_on, snoozed)
        for pk, person_id, reason, due_on, show_on, snoozed in FollowUp.objects.filter(
            person__in=active_ids, state=State.OPEN
        ).values_list("pk", "person_id", "reason", "due_on", "show_on", "snoozed")
    }
    thanked = set(
        FollowUp.objects.filter(person__in=active_ids, reason=Reason.THANK_YOU).values_list("person_id", flat=True)
    )
    recent_meetings = {
        meeting_id: (date, created_at)
        for meeting_id, date, created_at in through.objects.filter(
            person__in=active_ids, meeting__date__gte=today - THANK_YOU_WINDOW, meeting__date__lte=today
        ).values_list("meeting_id", "meeting__date", "meeting__created_at")
    }
    next_steps: dict[int, tuple] = {}
    pending_steps = (
        through.objects.filter(person__in=active_ids, meeting__next_step_on__isnull=False)
        .exclude(meeting__next_step="")
        .exclude(
            Exists(
                FollowUp.objects.filter(
                    person_id=OuterRef("person_id"), meeting_id=OuterRef("meeting_id"), reason=Reason.NEXT_STEP
                )
            )
        )
        .order_by("person_id", "meeting__next_step_on", "meeting_id")
        .values_list("person_id", "meeting_id", "meeting__next_step_on", "meeting__next_step")
    )
    for person_id, meeting_id, step_on, step in pending_steps:
        next_steps.setdefault(person_id, (meeting_id, step_on, step))
    owing = set(LedgerTally.objects.filter(person__in=active_ids, i_owe=True).values_list("person_id", flat=True))
    quiet = set(
        FollowUp.objects.filter(
            person__in=active_ids,
            reason=Reason.GIVE_BACK,
            state__in=CLOSED_BY_USER,
            closed_at__gte=now - GIVE_BACK_QUIET,
        ).values_list("person_id", flat=True)
    )
    birthdays_made = set(
        FollowUp.objects.filter(
            person__in=active_ids, reason=Reason.BIRTHDAY, due_on__gte=today - BIRTHDAY_LATE
        ).values_list("person_id", "due_on")
    )
    owners = {row[1] for row in rows}
    cadences = {s.owner_id: s for s in FollowUpSettings.objects.filter(owner_id__in=owners)}

    create: list[FollowUp] = []
    move: list[FollowUp] = []
    close: list[int] = []

    def want(owner_id, person_id, reason, due, overdue=None, **extra):
        current = open_now.get((person_id, reason))
        overdue = overdue or due
        if current is None:
            create.append(
                FollowUp(
                    owner_id=owner_id, person_id=person_id, reason=reason, due_on=due, show_on=due,
                    overdue_on=overdue, **extra,
                )
            )  # fmt: skip
            return
        pk, due_on, show_on, snoozed = current
        if due_on == due:
            return
        if snoozed and show_on >= due:
            move.append(FollowUp(pk=pk, due_on=due, show_on=show_on, overdue_on=show_on, snoozed=True))
        else:
            move.append(FollowUp(pk=pk, due_on=due, show_on=due, overdue_on=overdue, snoozed=False))

    latest_touch = dates.latest(today)
    skipped: list[int] = []
    for (
        person_id, owner_id, tier, own_days, last_contact, first_met, created_at, last_entry, last_kept, first_meeting,
        is_key, birthday, birthday_month, birthday_day,
    ) in rows:  # fmt: skip
        marks = len(create), len(move), len(close)
        try:
            settings = cadences.get(owner_id) or FollowUpSettings(owner_id=owner_id)
            # A touch dated past next year (a typo such as 9999-12-31, kept until the user
            # corrects it) would push the clock out of the calendar: it does not count.
            touches = [
                d for d in (last_contact, last_entry, _local_date(last_kept), first_met) if d and d <= latest_touch
            ]
            last_touch = max(touches) if touches else _local_date(created_at)
            cadence = own_days or (settings.key_person_days if is_key else settings.cadence(tier))
            reason, replaced = (
                (Reason.KEY_PERSON, Reason.KEEP_IN_TOUCH) if is_key else (Reason.KEEP_IN_TOUCH, Reason.KEY_PERSON)
            )
            if (person_id, replaced) in open_now:
                close.append(open_now[(person_id, replaced)][0])
            want(owner_id, person_id, reason, dates.plus_days(last_touch, cadence))
            if first_meeting in recent_meetings and person_id not in thanked:
                met_on, logged_at = recent_meetings[first_meeting]
                due, overdue = thank_you_dates(met_on, logged_at)
                want(owner_id, person_id, Reason.THANK_YOU, due, overdue, meeting_id=first_meeting)
            if person_id in next_steps and (person_id, Reason.NEXT_STEP) not in open_now:
                meeting_id, step_on, step = next_steps[person_id]
                want(owner_id, person_id, Reason.NEXT_STEP, step_on, meeting_id=meeting_id, note=step[:500])
            if person_id in owing:
                if (person_id, Reason.GIVE_BACK) not in open_now and person_id not in quiet:
                    want(owner_id, person_id, Reason.GIVE_BACK, today)
            elif (person_id, Reason.GIVE_BACK) in open_now:
                close.append(open_now[(person_id, Reason.GIVE_BACK)][0])
            before = settings.birthday_days_before
            # A full date, or a month and day whose year is unknown (contacts.Person).
            month_day = (birthday.month, birthday.day) if birthday else (birthday_month, birthday_day)
            wants_birthday = (
                all(month_day) and before > 0 and (is_key or tier == Tier.NETWORK or settings.birthday_acquaintances)
            )
            current = open_now.get((person_id, Reason.BIRTHDAY))
            if wants_birthday:
                on = next_birthday(*month_day, today=today)
                show = on - datetime.timedelta(days=before)
                if current is None:
                    if (person_id, on) not in birthdays_made:
                        create.append(
                            FollowUp(
                                owner_id=owner_id, person_id=person_id, reason=Reason.BIRTHDAY, due_on=on, show_on=show,
                                overdue_on=on,
                            )
                        )  # fmt: skip
                else:
                    pk, due_on, show_on, snoozed = current
                    if due_on != on or (show_on != show and not snoozed):
                        move.append(FollowUp(pk=pk, due_on=on, show_on=show, overdue_on=on, snoozed=False))
            elif current is not None:
                close.append(current[0])
        except Exception:
            # One person's data must never cost the others theirs: drop what this
            # person asked for so far, and go on.
            log.exception("follow-up rules failed for person %s; skipped", person_id)
            del create[marks[0] :], move[marks[1] :], close[marks[2] :]
            skipped.append(person_id)

    closed, failed = _write(create, move, close, now=now)
    outcome = Outcome(created=len(create), moved=len(move), closed=ended + closed, skipped=len(skipped) + len(failed))
    if outcome.created or outcome.moved or outcome.closed:
        owners = {row[1] for row in rows} or set(people.values_list("owner_id", flat=True).distinct())
        _announce(owners)
    return outcome


def _write(create: list[FollowUp], move: list[FollowUp], close: list[int], *, now) -> tuple[int, set[int]]:
    """Write the follow-ups wanted; return (how many closed, the people whose writes failed).

    All at once when it works (a few queries). When the database refuses the
    batch, each person's writes go again on their own, so a row the database
    cannot take (a date past its range) skips that person, not the chunk.
    """
    try:
        with transaction.atomic():
            return _write_all(create, move, close, now=now), set()
    except DatabaseError:
        log.warning("follow-up writes failed as a batch; writing person by person", exc_info=True)
    by_person: dict[int, tuple[list, list, list]] = {}
    for item in create:
        by_person.setdefault(item.person_id, ([], [], []))[0].append(item)
    persons_of = dict(FollowUp.objects.filter(pk__in=[m.pk for m in move] + close).values_list("pk", "person_id"))
    for item in move:
        by_person.setdefault(persons_of.get(item.pk), ([], [], []))[1].append(item)
    for pk in close:
        by_person.setdefault(persons_of.get(pk), ([], [], []))[2].append(pk)
    closed, failed = 0, set()
    for person_id, (mine_create, mine_move, mine_close) in by_person.items():
        try:
            with transaction.atomic():
                closed += _write_all(mine_create, mine_move, mine_close, now=now)
        except DatabaseError:
            log.exception("follow-up writes failed for person %s; skipped", person_id)
            failed.add(person_id)
    return closed, failed


def _write_all(create: list[FollowUp], move: list[FollowUp], close: list[int], *, now) -> int:
    if create:
        FollowUp.objects.bulk_create(create, ignore_conflicts=True, batch_size=1000)
    if move:
        FollowUp.objects.bulk_update(move, ["due_on", "show_on", "overdue_on", "snoozed"], batch_size=1000)
    return FollowUp.objects.filter(pk__in=close, state=State.OPEN).update(state=State.CLOSED, closed_at=now)


def _announce(owner_ids) -> None:
    ids = sorted(owner_ids)
    transaction.on_commit(lambda: followups_written.send(sender=FollowUp, owner_ids=ids))


def people_of(owner_id: int, person_ids=None, first_id=None, last_id=None) -> QuerySet:
    """The owner's people, all or some (by ids, or by an id range), as `recompute` takes them."""
    people = Person.objects.filter(owner_id=owner_id)
    if person_ids is not None:
        people = people.filter(pk__in=list(person_ids))
    if first_id is not None:
        people = people.filter(pk__gte=first_id)
    if last_id is not None:
        people = people.filter(pk__lte=last_id)
    return people
