"""Celery tasks. Task names are a public API: never rename one in place."""

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
