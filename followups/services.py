"""Writes of the follow-up engine. Views, tasks and management commands call these."""

import datetime
import logging
import secrets
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from contacts import services as contacts_services
from contacts.models import Person
from jobs import services as jobs
from jobs.models import JobChunk, JobRun
from jobs.services import send as _send
from ledger import services as ledger_services
from ledger.models import LedgerSettings

from . import push, rules
from .models import (
    DigestDelivery,
    DigestKind,
    DigestState,
    FollowUp,
    FollowUpSettings,
    PendingRecompute,
    PushNotice,
    Reason,
    State,
)
from .signals import followups_written

log = logging.getLogger(__name__)

NIGHTLY = "nightly-followups"
DIGEST_HOUR = 7
DIGEST_MAX_ATTEMPTS = 8


# Per-person recomputes, after a save


def request_recompute(*, owner_id: int, person_ids: Iterable[int]) -> None:
    """Note that these people's follow-ups must be recomputed, then ask a worker to do it.

    Called after the save committed. The note is written first, so a broker
    that is down loses nothing: `sweep_pending` sends it again later.
    """
    from .tasks import recompute_pending

    ids = Person.objects.filter(owner_id=owner_id, pk__in=list(person_ids)).values_list("pk", flat=True)
    if _note_pending(owner_id, ids):
        _send(recompute_pending, owner_id)


def _note_pending(owner_id: int, person_ids) -> int:
    """Write (or refresh) the pending-recompute notes of these people; return how many."""
    now = timezone.now()
    notes = [PendingRecompute(person_id=pk, owner_id=owner_id, requested_at=now) for pk in person_ids]
    PendingRecompute.objects.bulk_create(
        notes, update_conflicts=True, unique_fields=["person"], update_fields=["requested_at"], batch_size=1000
    )
    return len(notes)


def recompute_pending(*, owner_id: int, today: datetime.date | None = None) -> rules.Outcome:
    """Recompute the follow-ups of the owner's people waiting for it, and clear their notes.

    A note written again while this ran (a newer `requested_at`) stays for the next run.
    """
    started = timezone.now()
    pending = dict(PendingRecompute.objects.filter(owner_id=owner_id).values_list("person_id", "requested_at"))
    if not pending:
        return rules.Outcome()
    outcome = rules.recompute(rules.people_of(owner_id, person_ids=pending), today=today or timezone.localdate())
    PendingRecompute.objects.filter(owner_id=owner_id, person_id__in=list(pending), requested_at__lte=started).delete()
    return outcome


def sweep_pending(*, older_than: datetime.timedelta = datetime.timedelta(minutes=1)) -> int:
    """Send the recomputes still waiting (the broker was down, or a worker died). Returns owners sent."""
    from .tasks import recompute_pending as task

    owners = list(
        PendingRecompute.objects.filter(requested_at__lte=timezone.now() - older_than)
        .values_list("owner_id", flat=True)
        .distinct()
        .order_by("owner_id")
    )
    return sum(_send(task, owner_id) for owner_id in owners)


def recompute_person(*, person: Person, today: datetime.date | None = None) -> rules.Outcome:
    """Recompute one person's follow-ups now, in this process."""
    return rules.recompute(
        rules.people_of(person.owner_id, person_ids=[person.pk]), today=today or timezone.localdate()
    )


# The nightly job


def _plan_chunks(run: JobRun, owner_ids: list[int] | None) -> list[JobChunk]:
    now = timezone.now()
    people = Person.objects.order_by("owner_id", "pk")
    if owner_ids is not None:
        people = people.filter(owner_id__in=owner_ids)
    chunks: list[JobChunk] = []
    current = None
    for owner_id, pk in people.values_list("owner_id", "pk").iterator(chunk_size=10000):
        if current is None or current.owner_id != owner_id or current.people >= settings.FOLLOWUPS_CHUNK_PEOPLE:
            current = JobChunk(run=run, owner_id=owner_id, first_id=pk, last_id=pk, people=0, sent_at=now)
            chunks.append(current)
        current.last_id = pk
        current.people += 1
    return chunks


def _task_batches(chunks: list[JobChunk]) -> list[list[int]]:
    """One task message per chunk: one owner's id range of at most FOLLOWUPS_CHUNK_PEOPLE people.

    Owners never share a message, so one owner's data (slow, or failing) never
    holds another's follow-ups back; the workers take the messages in turn.
    """
    return [[chunk.pk] for chunk in chunks]


def start_nightly(*, day: datetime.date | None = None, owner_ids: list[int] | None = None, send: bool = True):
    """Claim the day's run and split everyone's people into chunks for the workers.

    Beat sending this twice (two beats, a redelivered message) finds the run
    claimed and does nothing more; chunks left unfinished are the reaper's.
    Returns the run, or None when it was already claimed.
    """
    from .tasks import run_chunks

    day = day or timezone.localdate()
    with transaction.atomic():
        run = jobs.claim_run(kind=NIGHTLY, day=day)
        if run is None:
            return None
        chunks = JobChunk.objects.bulk_create(_plan_chunks(run, owner_ids), batch_size=1000)
    if send:
        for batch in _task_batches(chunks):
            _send(run_chunks, batch)
    return run


def run_chunk(*, chunk_id: int) -> rules.Outcome:
    """Rebuild the ledger tallies and recompute the follow-ups of one chunk's people."""
    chunk = (
        JobChunk.objects.select_related("run")
        .filter(pk=chunk_id, finished_at__isnull=True, failed_at__isnull=True)
        .first()
    )
    if chunk is None:
        return rules.Outcome()
    jobs.chunk_started(chunk)
    day = chunk.run.day
    people = rules.people_of(chunk.owner_id, first_id=chunk.first_id, last_id=chunk.last_id)
    # Tallies already following the day's windows are kept current by the
    # ledger services; only an older day's need rebuilding.
    if not LedgerSettings.objects.filter(owner_id=chunk.owner_id, tallied_on=day).exists():
        ledger_services.refresh_ledger_tallies(chunk.owner_id, person_ids=people.values("pk"), today=day)
    outcome = rules.Outcome()
    if not _recomputed(chunk, day):
        outcome = rules.recompute(people, today=day)
    with transaction.atomic():
        owner_done, _run_done = jobs.chunk_finished(chunk)
        if owner_done:
            # Every tally of this owner now follows the day's windows, and
            # every follow-up the day's dates.
            LedgerSettings.objects.update_or_create(owner_id=chunk.owner_id, defaults={"tallied_on": day})
            FollowUpSettings.objects.update_or_create(owner_id=chunk.owner_id, defaults={"recomputed_on": day})
            owner_id = chunk.owner_id
            transaction.on_commit(lambda: followups_written.send(sender=JobChunk, owner_ids=[owner_id]))
    return outcome


def run_chunks(*, chunk_ids: list[int]) -> None:
    """Run each chunk on its own: one that fails is recorded and the others still run."""
    for chunk_id in chunk_ids:
        try:
            run_chunk(chunk_id=chunk_id)
        except Exception as error:  # noqa: BLE001 - recorded on the chunk, shown on the jobs page
            log.exception("nightly chunk %s failed", chunk_id)
            jobs.chunk_failed(chunk_id=chunk_id, error=error)


def _recomputed(chunk: JobChunk, day: datetime.date) -> bool:
    """Whether an earlier run of the same day already recomputed the chunk's people and nothing
    changed since: every change since then left a PendingRecompute note until it was applied."""
    if not FollowUpSettings.objects.filter(owner_id=chunk.owner_id, recomputed_on=day).exists():
        return False
    pending = PendingRecompute.objects.filter(
        owner_id=chunk.owner_id, person_id__gte=chunk.first_id, person_id__lte=chunk.last_id
    )
    return not pending.exists()


def run_nightly_here(*, day: datetime.date | None = None, owner_ids: list[int] | None = None) -> rules.Outcome:
    """The nightly job in this process (management command, benchmarks): plan, then run every chunk."""
    day = day or timezone.localdate()
    run = start_nightly(day=day, owner_ids=owner_ids, send=False)
    if run is None:
        run = JobRun.objects.get(kind=NIGHTLY, day=day)
    outcome = rules.Outcome()
    for chunk_id in run.chunks.filter(finished_at__isnull=True, failed_at__isnull=True).values_list("pk", flat=True):
        try:
            outcome += run_chunk(chunk_id=chunk_id)
        except Exception as error:  # noqa: BLE001 - recorded on the chunk; the other owners go on
            log.exception("nightly chunk %s failed", chunk_id)
            jobs.chunk_failed(chunk_id=chunk_id, error=error)
    return outcome


def sweep_on_reap(stale_after: datetime.timedelta) -> None:
    """The reaper's pass (jobs.services.reap; stuck chunks are its own): pending notes left unsent."""
    sweep_pending(older_than=min(stale_after, datetime.timedelta(minutes=1)))


# Actions from the weekly queue


def _close(followup: FollowUp, state: str, **extra) -> bool:
    updated = FollowUp.objects.filter(pk=followup.pk, state=State.OPEN).update(
        state=state, closed_at=timezone.now(), **extra
    )
    return updated == 1


def complete(*, followup: FollowUp, meeting: dict | None = None) -> None:
    """Mark a follow-up done, logging a meeting with the person in the same step when asked.

    The meeting (or the done keep-in-touch itself) resets the person's clock.
    """
    with transaction.atomic():
        _close(followup, State.DONE)
        if meeting:
            contacts_services.log_meeting(owner=followup.owner, people=[followup.person], **meeting)
        transaction.on_commit(lambda: request_recompute(owner_id=followup.owner_id, person_ids=[followup.person_id]))


def snooze(*, followup: FollowUp, until: datetime.date) -> None:
    FollowUp.objects.filter(pk=followup.pk, state=State.OPEN).update(show_on=until, overdue_on=until, snoozed=True)


def skip(*, followup: FollowUp, reason: str = "") -> None:
    with transaction.atomic():
        _close(followup, State.SKIPPED, skip_reason=reason[:200])
        transaction.on_commit(lambda: request_recompute(owner_id=followup.owner_id, person_ids=[followup.person_id]))


def add_manual(*, owner: User, person: Person, due_on: datetime.date, note: str) -> FollowUp:
    """A follow-up the user asks for; it replaces an open manual one of the same person."""
    if person.owner_id != owner.pk:
        raise PermissionError("the person must belong to the owner")
    with transaction.atomic():
        FollowUp.objects.filter(person=person, reason=Reason.MANUAL, state=State.OPEN).update(
            state=State.CLOSED, closed_at=timezone.now()
        )
        return FollowUp.objects.create(
            owner=owner, person=person, reason=Reason.MANUAL, due_on=due_on, show_on=due_on, overdue_on=due_on,
            note=note[:500],
        )  # fmt: skip


# The calendar feed


def enable_feed(*, owner: User) -> FollowUpSettings:
    """Give the owner a new secret feed address; the old one stops working."""
    token = secrets.token_urlsafe(32)
    found, _created = FollowUpSettings.objects.update_or_create(owner=owner, defaults={"feed_token": token})
    return found


def rotate_feed(*, owner: User) -> None:
    """Give a feed that is on a new secret address (after a password change); a feed that is off stays off."""
    # Only feeds that are on (bandit takes the empty token for a hard-coded password).
    FollowUpSettings.objects.filter(owner=owner).exclude(feed_token="").update(  # nosec B106
        feed_token=secrets.token_urlsafe(32)
    )


def disable_feed(*, owner: User) -> None:
    # Clears the secret (bandit takes an empty token for a hard-coded password).
    FollowUpSettings.objects.filter(owner=owner).update(feed_token="")  # nosec B106


# The weekly digest


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def dispatch_digests(*, now: datetime.datetime | None = None) -> int:
    """Claim the digests whose morning has come (this week's on Monday, today's for daily ones), send the due ones.

    Runs every quarter hour from beat. A claim is a unique row per user, kind
    and week (or day): claiming again finds it and does nothing. Returns
    messages sent.
    """
    from zoneinfo import ZoneInfo

    from .tasks import send_digest

    now = now or timezone.now()
    zones = set(FollowUpSettings.objects.values_list("time_zone", flat=True).distinct()) | {settings.TIME_ZONE}
    claims = []
    for zone in sorted(zones):
        try:
            local = now.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError):
            continue
        if local.hour < DIGEST_HOUR:
            continue
        if local.weekday() == 0:
            users = User.objects.filter(is_active=True).filter(
                Q(followup_settings__time_zone=zone, followup_settings__digest_enabled=True)
                | (Q(followup_settings__isnull=True) if zone == settings.TIME_ZONE else Q(pk__in=[]))
            )
            claims += [
                DigestDelivery(owner_id=pk, week_start=local.date(), next_attempt_at=now)
                for pk in users.values_list("pk", flat=True)
            ]
        daily = User.objects.filter(
            is_active=True, followup_settings__time_zone=zone, followup_settings__daily_digest_enabled=True
        )
        claims += [
            DigestDelivery(owner_id=pk, week_start=local.date(), kind=DigestKind.DAILY, next_attempt_at=now)
            for pk in daily.values_list("pk", flat=True)
        ]
    DigestDelivery.objects.bulk_create(claims, ignore_conflicts=True, batch_size=1000)
    due = DigestDelivery.objects.filter(state=DigestState.PENDING, next_attempt_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(_send(send_digest, pk) for pk in due[:10000])


def send_digest(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Send one claimed digest at most once; on an SMTP error, try again later with backoff."""
    from .digest import build_digest

    now = now or timezone.now()
    claimed = DigestDelivery.objects.filter(pk=delivery_id, state=DigestState.PENDING, next_attempt_at__lte=now).update(
        state=DigestState.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not claimed"
    delivery = DigestDelivery.objects.select_related("owner").get(pk=delivery_id)
    message = build_digest(delivery.owner, today=delivery.week_start, daily=delivery.kind == DigestKind.DAILY)
    if message is None:
        DigestDelivery.objects.filter(pk=delivery_id).update(state=DigestState.SENT, sent_at=now, error="empty")
        return "empty"
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        failed = delivery.attempts >= DIGEST_MAX_ATTEMPTS
        backoff = datetime.timedelta(minutes=5 * 2 ** (delivery.attempts - 1))
        DigestDelivery.objects.filter(pk=delivery_id).update(
            state=DigestState.FAILED if failed else DigestState.PENDING,
            next_attempt_at=now + min(backoff, datetime.timedelta(hours=6)),
            error=str(error)[:500],
        )
        return "failed" if failed else "retry"
    DigestDelivery.objects.filter(pk=delivery_id).update(state=DigestState.SENT, sent_at=timezone.now(), error="")
    return "sent"


def recompute_everyone(*, owner_id: int) -> None:
    """After the cadences changed: recompute all the owner's people, in the background."""
    from .tasks import recompute_pending

    _note_pending(owner_id, Person.objects.filter(owner_id=owner_id).values_list("pk", flat=True).iterator())
    transaction.on_commit(lambda: _send(recompute_pending, owner_id))


# The morning notice on the user's devices (Web Push)


def dispatch_push_notices(*, now: datetime.datetime | None = None) -> int:
    """Claim the notice of everyone whose chosen time has come today, and hand each to a worker.

    Runs every five minutes from beat. The claim is a unique row per user and
    day, so a second beat or a redelivered message sends nothing more; a claim
    whose message could not be enqueued is given back for the next run.
    """
    from .tasks import send_push_notice

    sent = 0
    for owner_id, day in push.due_owners(now=now or timezone.now()):
        if not push.claim_notice(owner_id=owner_id, day=day):
            continue
        if _send(send_push_notice, owner_id, day.isoformat()):
            sent += 1
        else:
            PushNotice.objects.filter(owner_id=owner_id, day=day, delivered=0).delete()
    return sent
