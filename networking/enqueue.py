"""Sending tasks to the broker without ever failing the request that asks.

Every piece of background work is written to the database first (a job row,
a pending note); the message only says "look at it now". So when the broker
is down or hung, the send is logged and dropped, the request answers as
usual, and a sweeper (the reaper on beat) sends the work again later. The
broker's socket timeouts (settings: CELERY_BROKER_TRANSPORT_OPTIONS) bound
how long a hung Redis can hold the request.
"""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def send(task, *args, **options) -> bool:
    """Enqueue `task(*args)` now; False (logged) when the broker cannot take it."""
    try:
        task.apply_async(args, retry=False, **options)
    except Exception as error:  # noqa: BLE001 - any broker failure must not break a save
        log.warning("could not enqueue %s%r: %s", task.name, args, error)
        return False
    return True


def send_on_commit(task, *args, using: str | None = None, **options) -> None:
    """Enqueue `task(*args)` once the current transaction commits (at once outside one), guarded as `send`."""
    transaction.on_commit(lambda: send(task, *args, **options), using=using)
