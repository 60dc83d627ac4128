"""Sending tasks to the broker without ever failing the request that asks.

Every piece of background work is written to the database first (a job row,
a pending note); the message only says "look at it now". So when the broker
is down or hung, the send is logged and dropped, the request answers as
usual, and a sweeper (the reaper on beat) sends the work again later. The
broker's socket timeouts (settings: CELERY_BROKER_TRANSPORT_OPTIONS) bound
how long a hung Redis can hold the request.
"""

import logging
import time

from django.db import transaction

log = logging.getLogger(__name__)

# After a failed send, the sends of the next seconds in this process fail at
# once instead of each waiting for the broker's timeout: a save that sends two
# messages to a hung Redis costs one timeout, and the saves after it none.
PAUSE_AFTER_FAILURE = 15.0
_paused_until = 0.0


def send(task, *args, **options) -> bool:
    """Enqueue `task(*args)` now; False (logged) when the broker cannot take it."""
    global _paused_until
    if time.monotonic() < _paused_until:
        log.info("broker paused after a failure: %s%r left to the sweeper", task.name, args)
        return False
    try:
        task.apply_async(args, retry=False, **options)
    except Exception as error:  # noqa: BLE001 - any broker failure must not break a save
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        log.warning("could not enqueue %s%r: %s", task.name, args, error)
        return False
    return True


def reset() -> None:
    """Forget a failure (tests; nothing else needs it)."""
    global _paused_until
    _paused_until = 0.0


def send_on_commit(task, *args, using: str | None = None, **options) -> None:
    """Enqueue `task(*args)` once the current transaction commits (at once outside one), guarded as `send`."""
    transaction.on_commit(lambda: send(task, *args, **options), using=using)
