"""Writes of the job machinery: test jobs, heartbeats, enqueueing, runs and their chunks, the reaper."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from jobs import enqueue

from . import registry
from .models import JobCheck, JobChunk, JobRun, WorkerHeartbeat

log = logging.getLogger(__name__)


def request_job_check(*, user: User) -> JobCheck:
    """Record a check and hand it to the worker once the row is committed."""
    from .tasks import complete_job_check

    with transaction.atomic():
        check = JobCheck.objects.create(owner=user)
        enqueue.send_on_commit(complete_job_check, check.pk)
    return check


def complete_job_check(*, check_id: int, worker: str) -> bool:
    """Stamp a check as done. Return False when it was already done or is gone.

    The conditional update makes a redelivered message harmless.
    """
    updated = JobCheck.objects.filter(pk=check_id, completed_at__isnull=True).update(
        completed_at=timezone.now(), worker=worker[:255]
    )
    return updated == 1


def record_heartbeat(*, hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(hostname=hostname[:255], defaults={"last_seen": timezone.now()})


def send(task, *args) -> bool:
    """Enqueue a task; when the broker is down, log it and go on (the sweeper catches up)."""
    return enqueue.send(task, *args)


def claim_run(*, kind: str, day: datetime.date) -> JobRun | None:
    """Claim the run of `kind` for `day`: the new run, or None when it was already claimed."""
    run, created = JobRun.objects.get_or_create(kind=kind, day=day)
    return run if created else None


def chunk_started(chunk: JobChunk) -> None:
    JobChunk.objects.filter(pk=chunk.pk).update(started_at=timezone.now())


def chunk_finished(chunk: JobChunk) -> tuple[bool, bool]:
    """Mark a chunk done (inside the caller's transaction).

    Returns (owner_done, run_done): whether every chunk of the chunk's owner,
    and of the whole run, is now finished. A finished run is stamped.
    """
    JobChunk.objects.filter(pk=chunk.pk).update(finished_at=timezone.now(), error="")
    unfinished = JobChunk.objects.filter(run_id=chunk.run_id, finished_at__isnull=True)
    owner_done = not unfinished.filter(owner_id=chunk.owner_id).exists()
    return owner_done, _finish_run_if_done(chunk.run_id)


def chunk_failed(*, chunk_id: int, error: BaseException) -> None:
    """Record a chunk's error; after MAX_ATTEMPTS tries give it up, so it is not sent again.

    A given-up chunk no longer holds its run open: the run finishes when every
    other chunk has, and the owner sees the failure on the background-jobs page.
    """
    text = f"{type(error).__name__}: {error}"[:500]
    with transaction.atomic():
        JobChunk.objects.filter(pk=chunk_id, finished_at__isnull=True).update(error=text)
        JobChunk.objects.filter(
            pk=chunk_id, finished_at__isnull=True, failed_at__isnull=True, attempts__gte=JobChunk.MAX_ATTEMPTS
        ).update(failed_at=timezone.now())
        run_id = JobChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
        if run_id is not None:
            _finish_run_if_done(run_id)


def _finish_run_if_done(run_id: int) -> bool:
    """Stamp the run finished when no chunk is left to run (done, or given up). Returns whether it is."""
    if JobChunk.objects.filter(run_id=run_id, finished_at__isnull=True, failed_at__isnull=True).exists():
        return False
    JobRun.objects.filter(pk=run_id, finished_at__isnull=True).update(finished_at=timezone.now())
    return True


def reap(*, stale_after: datetime.timedelta | None = None) -> int:
    """Send again the chunks a worker took and never finished, then run the apps' reaper hooks.

    Returns how many chunks were sent again.
    """
    stale_after = stale_after if stale_after is not None else datetime.timedelta(seconds=settings.FOLLOWUPS_STALE_AFTER)
    cutoff = timezone.now() - stale_after
    stuck = list(
        JobChunk.objects.filter(finished_at__isnull=True, failed_at__isnull=True, sent_at__lte=cutoff).values_list(
            "pk", "run__kind"
        )[:5000]
    )
    if stuck:
        JobChunk.objects.filter(pk__in=[pk for pk, _kind in stuck]).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
        for chunk_id, kind in stuck:
            task = registry.CHUNK_TASKS.get(kind)
            if task is None:
                log.error("no task registered for chunks of %r (chunk %s)", kind, chunk_id)
                continue
            send(task, [chunk_id])
    for hook in registry.ON_REAP:
        hook(stale_after)
    resend_job_checks()
    return len(stuck)


def resend_job_checks(*, now: datetime.datetime | None = None) -> int:
    """Send again the test jobs still pending a minute after they were asked for (the broker
    was down then); checks older than a day are left as they are, answered or not."""
    from .tasks import complete_job_check

    now = now or timezone.now()
    pending = JobCheck.objects.pending().filter(
        requested_at__lt=now - datetime.timedelta(minutes=1), requested_at__gt=now - datetime.timedelta(days=1)
    )
    return sum(send(complete_job_check, pk) for pk in pending.values_list("pk", flat=True)[:100])
