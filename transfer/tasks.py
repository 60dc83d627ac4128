"""Celery tasks. Task names are a public API: never rename one in place.

Imports and restores run on a queue of their own ("transfer", settings:
CELERY_TASK_ROUTES) served by a worker of its own, so a big file never keeps
another user's follow-ups or test job waiting; each runs within a time budget
(TRANSFER_TIME_LIMIT, through CELERY_TASK_ANNOTATIONS), after which it fails with a message and saves nothing.
"""

from celery import shared_task

from . import services


@shared_task(name="transfer.run_import")
def run_import_task(job_id: int) -> None:
    # Idempotent: run_import claims the job with a conditional UPDATE, so a
    # redelivered message finds it taken and does nothing.
    services.run_import(job_id=job_id)


@shared_task(name="transfer.read_import")
def read_import_task(job_id: int) -> None:
    # Idempotent: read_upload claims the job with a conditional UPDATE.
    services.read_upload(job_id=job_id)


@shared_task(name="transfer.run_restore")
def run_restore_task(job_id: int) -> None:
    # Idempotent: run_restore claims the job with a conditional UPDATE.
    services.run_restore(job_id=job_id)


@shared_task(name="transfer.reap")
def reap() -> None:
    services.reap()
