"""Celery tasks. Task names are a public API: never rename one in place.

Every task is safe to run twice: the services claim their rows with
conditional updates or unique rows before doing anything. The job
machinery's tasks (heartbeat, test job, reaper) live in `jobs.tasks` under
the names they had here.
"""

import datetime

from celery import shared_task

from . import services


@shared_task(name="followups.recompute_pending")
def recompute_pending(owner_id: int) -> None:
    services.recompute_pending(owner_id=owner_id)


@shared_task(name="followups.start_nightly")
def start_nightly() -> None:
    services.start_nightly()


@shared_task(name="followups.run_chunks")
def run_chunks(chunk_ids: list[int]) -> None:
    services.run_chunks(chunk_ids=chunk_ids)


@shared_task(name="followups.dispatch_digests")
def dispatch_digests() -> None:
    services.dispatch_digests()


@shared_task(name="followups.send_digest")
def send_digest(delivery_id: int) -> None:
    services.send_digest(delivery_id=delivery_id)


@shared_task(name="followups.dispatch_push_notices")
def dispatch_push_notices() -> None:
    services.dispatch_push_notices()


@shared_task(name="followups.send_push_notice")
def send_push_notice(owner_id: int, day: str) -> None:
    from . import push

    push.send_claimed_notice(owner_id=owner_id, day=datetime.date.fromisoformat(day))
