"""Celery tasks of the job machinery.

Task names are a public API: these kept the names they had when they lived
in `followups` (beat's schedule and messages already queued use them).
"""

import socket

from celery import shared_task

from . import services


def _worker_name(task) -> str:
    return getattr(task.request, "hostname", None) or socket.gethostname()


@shared_task(name="followups.complete_job_check", bind=True)
def complete_job_check(self, check_id: int) -> None:
    services.complete_job_check(check_id=check_id, worker=_worker_name(self))


@shared_task(name="followups.record_heartbeat", bind=True)
def record_heartbeat(self) -> None:
    services.record_heartbeat(hostname=_worker_name(self))


@shared_task(name="followups.reap")
def reap() -> None:
    services.reap()
