"""Celery tasks of the contacts app. Task names are a public API: never rename one in place."""

from celery import shared_task

from . import trash


@shared_task(name="contacts.purge_trash")
def purge_trash() -> int:
    """Delete for good the people in the trash for longer than 30 days (safe to run twice)."""
    return trash.purge()
