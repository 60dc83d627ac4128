"""Sign-in throttling: count failures per user name and per address, lock after too many.

The counts live in the database, so every gunicorn worker sees the same ones
and a Redis outage does not reset them.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import LoginThrottle


def keys_for(username: str, address: str | None) -> dict[str, int]:
    """The keys a sign-in attempt counts against, each with its failure limit."""
    keys = {f"user:{username.strip().casefold()[:150]}": settings.LOGIN_FAILURES_PER_USER}
    if address:
        keys[f"addr:{address[:64]}"] = settings.LOGIN_FAILURES_PER_ADDRESS
    return keys


def locked_until(keys: dict[str, int], now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The latest time until which one of the keys is locked, or None."""
    now = now or timezone.now()
    rows = LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now)
    return max(rows.values_list("locked_until", flat=True), default=None)


def record_failure(keys: dict[str, int], now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    for key, limit in keys.items():
        with transaction.atomic():
            # Start a new window when the last one is over, then count this failure.
            LoginThrottle.objects.filter(key=key, window_started_at__lte=now - window).update(
                failures=0, window_started_at=now
            )
            if not LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1):
                try:
                    with transaction.atomic():
                        LoginThrottle.objects.create(key=key, failures=1, window_started_at=now)
                except IntegrityError:  # another worker created it first
                    LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1)
            LoginThrottle.objects.filter(key=key, failures__gte=limit).update(locked_until=now + window)


def clear(username: str) -> None:
    """A successful sign-in forgets the name's failures (not the address's: an attacker's own
    account must not reset the count of its guesses)."""
    LoginThrottle.objects.filter(key__in=list(keys_for(username, None))).delete()


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete counts whose window and lock are both over. Returns how many."""
    now = now or timezone.now()
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    expired = LoginThrottle.objects.filter(window_started_at__lte=now - window).exclude(locked_until__gt=now)
    return expired.delete()[0]
