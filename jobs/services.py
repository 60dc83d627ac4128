"""Writes of the job machinery: test jobs, heartbeats, enqueueing, runs and their chunks, the reaper."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User

from . import registry
from .models import JobCheck, JobChunk, JobRun, WorkerHeartbeat

log = logging.getLogger(__name__)


def request_job_check(*, user: User) -> JobCheck:
    """Record a check and hand it to the worker once the row is committed."""
    from .tasks import complete_job_check

    with transaction.atomic():
        check = JobCheck.objects.create(owner=user)
        complete_job_check.delay_on_commit(check.pk)
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
    try:
        task.apply_async(args, retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure must not break a save
        log.warning("could not enqueue %s%r: %s", task.name, args, error)
        return False
    return True


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
    JobChunk.objects.filter(pk=chunk.pk).update(finished_at=timezone.now())
    unfinished = JobChunk.objects.filter(run_id=chunk.run_id, finished_at__isnull=True)
    owner_done = not unfinished.filter(owner_id=chunk.owner_id).exists()
    run_done = not unfinished.exists()
    if run_done:
        JobRun.objects.filter(pk=chunk.run_id, finished_at__isnull=True).update(finished_at=timezone.now())
    return owner_done, run_done


def reap(*, stale_after: datetime.timedelta | None = None) -> int:
    """Send again the chunks a worker took and never finished, then run the apps' reaper hooks.

    Returns how many chunks were sent again.
    """
    stale_after = stale_after if stale_after is not None else datetime.timedelta(seconds=settings.FOLLOWUPS_STALE_AFTER)
    cutoff = timezone.now() - stale_after
    stuck = list(
        JobChunk.objects.filter(finished_at__isnull=True, sent_at__lte=cutoff).values_list("pk", "run__kind")[:5000]
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
    return len(stuck)
