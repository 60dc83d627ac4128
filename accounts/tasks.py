"""Celery tasks of the accounts app. Task names are a public API: never rename one in place."""

from celery import shared_task

from . import throttle


@shared_task(name="accounts.purge_login_throttles")
def purge_login_throttles() -> int:
    return throttle.purge_expired()
