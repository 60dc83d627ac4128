"""Sign-in throttling that an attacker cannot turn against the account's owner.

It follows OWASP's "Slow down online guessing attacks with device cookies":

- A browser that signed in to a name before carries a signed device cookie
  for that name. Its attempts count only against that cookie
  (`LOGIN_FAILURES_PER_DEVICE` within the window lock that one browser), so
  nobody else's failures can keep the owner out of their own devices.
- Every other attempt counts against three keys: the (name, address) pair,
  which after `LOGIN_FAILURES_PER_PAIR` failures waits 1, 2, 4, 8 … minutes
  (at most `LOGIN_LOCKOUT_MINUTES`) before each further try; the name, whose
  far higher limit (`LOGIN_FAILURES_PER_USER`) stops a guessing run spread
  over many addresses; and the address (`LOGIN_FAILURES_PER_ADDRESS`), which
  stops one address from guessing many names.

The client address is REMOTE_ADDR or, with `TRUSTED_PROXY_COUNT` set, the
address the nearest trusted proxy saw (X-Forwarded-For); an IPv6 address
counts as its /64 network, which one host usually has to itself.

The counts live in the database, so every gunicorn worker sees the same ones
and a Redis outage does not reset them. The authentication backend
(accounts/backends.py) applies them to every sign-in form, the admin's included.
"""

import datetime
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import LoginThrottle

DEVICE_COOKIE = "jinmyaku_device"
DEVICE_SALT = "accounts.throttle.device"
# A browser remembers at most this many names (a shared family computer).
DEVICE_NAMES = 5
# The (name, address) pair keeps its count this long, so its delays keep growing.
PAIR_WINDOW = datetime.timedelta(hours=24)
SIGNUP_WINDOW = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Rule:
    """One count an attempt adds to: too many failures within `window` lock `key`."""

    key: str
    limit: int
    window: datetime.timedelta
    # Past the limit, lock 1, 2, 4 … minutes (at most LOGIN_LOCKOUT_MINUTES) instead of the full lockout.
    growing: bool = False

    def lock_for(self, failures: int) -> datetime.timedelta:
        lockout = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        if not self.growing:
            return lockout
        return min(lockout, datetime.timedelta(minutes=2 ** min(failures - self.limit, 20)))


def _lockout_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def normalise_name(username: str) -> str:
    return username.strip().casefold()[:150]


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address, as the nearest trusted proxy saw it when TRUSTED_PROXY_COUNT is set.

    With N trusted proxies in front, the N-th address from the right of
    X-Forwarded-For was written by the outermost trusted one; anything left of
    it came from the client and proves nothing.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            address = hops[-count]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _device_entries(request: HttpRequest | None) -> dict[str, str]:
    if request is None or DEVICE_COOKIE not in request.COOKIES:
        return {}
    try:
        entries = signing.loads(
            request.COOKIES[DEVICE_COOKIE],
            salt=DEVICE_SALT,
            max_age=datetime.timedelta(days=settings.LOGIN_DEVICE_COOKIE_DAYS),
        )
    except signing.BadSignature:
        return {}
    if not isinstance(entries, dict):
        return {}
    return {str(name): str(nonce) for name, nonce in entries.items()}


def device_nonce(request: HttpRequest | None, username: str) -> str | None:
    """The id of this browser for `username`, when it signed in to that name before."""
    return _device_entries(request).get(normalise_name(username))


def rules_for(username: str, request: HttpRequest | None) -> list[Rule]:
    """The counts an attempt on `username` from this request adds to."""
    name = normalise_name(username)
    nonce = device_nonce(request, name)
    lockout = _lockout_window()
    if nonce:
        return [Rule(f"device:{nonce}", settings.LOGIN_FAILURES_PER_DEVICE, lockout)]
    rules = [Rule(f"user:{name}", settings.LOGIN_FAILURES_PER_USER, lockout)]
    address = client_address(request)
    if address:
        pair = hashlib.sha256(f"{name}\n{address}".encode()).hexdigest()
        rules.append(Rule(f"pair:{pair}", settings.LOGIN_FAILURES_PER_PAIR, PAIR_WINDOW, growing=True))
        rules.append(Rule(f"addr:{address}", settings.LOGIN_FAILURES_PER_ADDRESS, lockout))
    return rules


def locked_until(rules: list[Rule], now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The latest time until which one of the keys is locked, or None."""
    now = now or timezone.now()
    rows = LoginThrottle.objects.filter(key__in=[rule.key for rule in rules], locked_until__gt=now)
    return max(rows.values_list("locked_until", flat=True), default=None)


def record_failure(rules: list[Rule], now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    for rule in rules:
        with transaction.atomic():
            # Start a new window when the last one is over, then count this failure.
            LoginThrottle.objects.filter(key=rule.key, window_started_at__lte=now - rule.window).update(
                failures=0, window_started_at=now
            )
            if not LoginThrottle.objects.filter(key=rule.key).update(failures=F("failures") + 1):
                try:
                    with transaction.atomic():
                        LoginThrottle.objects.create(key=rule.key, failures=1, window_started_at=now)
                except IntegrityError:  # another worker created it first
                    LoginThrottle.objects.filter(key=rule.key).update(failures=F("failures") + 1)
            failures = LoginThrottle.objects.filter(key=rule.key).values_list("failures", flat=True).first() or 0
            if failures >= rule.limit:
                LoginThrottle.objects.filter(key=rule.key).update(locked_until=now + rule.lock_for(failures))


def record_success(request: HttpRequest, username: str) -> None:
    """Forget the failures of this browser and of this (name, address) pair.

    The name's and the address's counts stay: an attacker's own successful
    sign-in must not reset the count of their guesses at other names.
    """
    keys = [rule.key for rule in rules_for(username, request) if rule.key.startswith(("pair:", "device:"))]
    LoginThrottle.objects.filter(key__in=keys).delete()


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Give this browser a device cookie for `username` (or renew the one it has)."""
    entries = _device_entries(request)
    name = normalise_name(username)
    entries.pop(name, None)
    entries[name] = secrets.token_urlsafe(16)
    entries = dict(list(entries.items())[-DEVICE_NAMES:])
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(entries, salt=DEVICE_SALT),
        max_age=int(datetime.timedelta(days=settings.LOGIN_DEVICE_COOKIE_DAYS).total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def signup_rules(request: HttpRequest) -> list[Rule]:
    address = client_address(request)
    return [Rule(f"signup:{address}", settings.SIGNUPS_PER_ADDRESS, SIGNUP_WINDOW)] if address else []


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete counts whose window and lock are both over. Returns how many."""
    now = now or timezone.now()
    purged = 0
    for prefix, window in (("pair:", PAIR_WINDOW), ("signup:", SIGNUP_WINDOW), ("", _lockout_window())):
        rows = LoginThrottle.objects.filter(window_started_at__lte=now - window).exclude(locked_until__gt=now)
        if prefix:
            rows = rows.filter(key__startswith=prefix)
        else:
            rows = rows.exclude(key__startswith="pair:").exclude(key__startswith="signup:")
        purged += rows.delete()[0]
    return purged
