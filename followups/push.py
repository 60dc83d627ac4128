"""Web Push: the morning notice on the user's devices (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID).

The payload carries counts only ("今日お礼を送る人: 3人"), never a name: it
passes through the browser vendor's push service. Each device is a
`PushSubscription`; the push service answering 404 or 410 means the browser
dropped it, and the row is removed.

VAPID keys come from settings (`WEBPUSH_VAPID_PRIVATE_KEY`,
`WEBPUSH_VAPID_PUBLIC_KEY`, `WEBPUSH_VAPID_SUBJECT`); the management command
`generate_vapid_keys` makes a pair.
"""

import base64
import datetime
import json
import logging
import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from py_vapid import Vapid02

from accounts.models import User

from . import selectors
from .models import FollowUpSettings, PushNotice, PushSubscription, Reason

log = logging.getLogger(__name__)

TTL_SECONDS = 12 * 3600
TIMEOUT_SECONDS = 10
# A notice not sent within this long after the chosen time (the worker was down) is left out.
NOTICE_WINDOW = datetime.timedelta(hours=3)
GONE = (404, 410)


class BadSubscription(ValueError):
    pass


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _b64encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


def configured() -> bool:
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)


def generate_keys() -> tuple[str, str]:
    """A new VAPID key pair: (private key, public key), both base64url (raw scalar, uncompressed point)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64encode(private), _b64encode(public)


def parse_subscription(data) -> dict:
    """The endpoint and keys of a browser's `PushSubscription.toJSON()`, checked; raise BadSubscription."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise BadSubscription(_("This is not a push subscription."))
    endpoint, keys = data.get("endpoint"), data["keys"]
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        raise BadSubscription(_("This is not a push subscription."))
    parts = urlsplit(endpoint)
    insecure_ok = settings.WEBPUSH_ALLOW_HTTP and parts.scheme == "http"
    if not (parts.scheme == "https" or insecure_ok) or not parts.hostname:
        raise BadSubscription(_("A push service address must start with https://."))
    try:
        p256dh = _b64decode(str(keys.get("p256dh", "")))
        auth = _b64decode(str(keys.get("auth", "")))
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except (ValueError, TypeError) as error:
        raise BadSubscription(_("The subscription's keys are not valid.")) from error
    if len(auth) != 16:
        raise BadSubscription(_("The subscription's keys are not valid."))
    return {"endpoint": endpoint, "p256dh": _b64encode(p256dh), "auth": _b64encode(auth)}


def save_subscription(*, owner: User, endpoint: str, p256dh: str, auth: str, device: str = "") -> PushSubscription:
    """Store a device, or refresh it (a device signed in with another account moves to this one)."""
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"owner": owner, "p256dh": p256dh, "auth": auth, "device": device[:120], "enabled": True},
    )
    return subscription


def notice_counts(owner_id: int, *, today: datetime.date) -> dict[str, int]:
    """How many follow-ups are due by today: thank-yous, birthdays and in all (one query)."""
    return (
        selectors.open_followups(owner_id)
        .filter(show_on__lte=today)
        .aggregate(
            total=Count("pk"),
            thank_you=Count("pk", filter=Q(reason=Reason.THANK_YOU)),
            birthday=Count("pk", filter=Q(reason=Reason.BIRTHDAY)),
        )
    )


def notice_payload(user: User, *, today: datetime.date) -> dict | None:
    """The notice's text in the user's language, with counts only; None when nothing is due."""
    from django.urls import reverse

    counts = notice_counts(user.pk, today=today)
    if not counts["total"]:
        return None
    with translation.override(user.language):
        lines = []
        if counts["thank_you"]:
            lines.append(_("Thank-yous to send today: %(count)d") % {"count": counts["thank_you"]})
        if counts["birthday"]:
            lines.append(_("Birthdays coming: %(count)d") % {"count": counts["birthday"]})
        lines.append(
            ngettext("%(count)d follow-up due in all", "%(count)d follow-ups due in all", counts["total"])
            % {"count": counts["total"]}
        )
        return {
            "title": _("This week"),
            "body": "\n".join(lines),
            "url": reverse("followups:week"),
            "tag": f"jinmyaku-{today.isoformat()}",
        }


def _vapid_headers(endpoint: str) -> dict[str, str]:
    parts = urlsplit(endpoint)
    vapid = Vapid02.from_string(settings.WEBPUSH_VAPID_PRIVATE_KEY)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(timezone.now().timestamp()) + 12 * 3600,
        "sub": settings.WEBPUSH_VAPID_SUBJECT,
    }
    return vapid.sign(claims)


def encrypt(payload: bytes, *, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body for one subscription (RFC 8291): a new server key and salt per message."""
    server_key = ec.generate_private_key(ec.SECP256R1())
    return http_ece.encrypt(
        payload,
        salt=os.urandom(16),
        private_key=server_key,
        dh=_b64decode(p256dh),
        auth_secret=_b64decode(auth),
        version="aes128gcm",
    )


def deliver(subscription: PushSubscription, payload: dict) -> int:
    """POST one encrypted message to the device's push service; return the HTTP status (0: unreachable)."""
    body = encrypt(json.dumps(payload, ensure_ascii=False).encode(), p256dh=subscription.p256dh, auth=subscription.auth)
    headers = {
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL_SECONDS),
        "Urgency": "normal",
        **_vapid_headers(subscription.endpoint),
    }
    # The address was checked on save: https (or http in tests), never file: or another scheme.
    request = urllib.request.Request(subscription.endpoint, data=body, headers=headers, method="POST")  # nosec B310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError) as error:
        log.warning("push to %s failed: %s", urlsplit(subscription.endpoint).hostname, error)
        return 0


def send_notice(*, owner: User, today: datetime.date | None = None, payload: dict | None = None) -> int:
    """Send the notice to each of the owner's devices that is on; remove the ones the push service dropped.

    Returns how many devices accepted it.
    """
    if not configured():
        return 0
    today = today or timezone.localdate()
    payload = payload or notice_payload(owner, today=today)
    if payload is None:
        return 0
    delivered = 0
    for subscription in PushSubscription.objects.filter(owner=owner, enabled=True):
        status = deliver(subscription, payload)
        if status in GONE:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
        elif 200 <= status < 300:
            delivered += 1
            PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now(), last_error="")
        else:
            PushSubscription.objects.filter(pk=subscription.pk).update(
                last_error=f"HTTP {status}" if status else "unreachable"
            )
    return delivered


def due_owners(*, now: datetime.datetime) -> list[tuple[int, datetime.date]]:
    """(owner, local day) of everyone with a device on whose notice time has come today and not long ago."""
    owners = set(
        PushSubscription.objects.filter(enabled=True, owner__is_active=True).values_list("owner_id", flat=True)
    )
    if not owners:
        return []
    chosen = {s.owner_id: s for s in FollowUpSettings.objects.filter(owner_id__in=owners)}
    due = []
    for owner_id in sorted(owners):
        found = chosen.get(owner_id) or FollowUpSettings(owner_id=owner_id)
        try:
            zone = ZoneInfo(found.time_zone)
        except (KeyError, ValueError):
            zone = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(zone)
        at = datetime.datetime.combine(local.date(), found.notice_time, tzinfo=zone)
        if at <= local < at + NOTICE_WINDOW:
            due.append((owner_id, local.date()))
    return due


def claim_notice(*, owner_id: int, day: datetime.date) -> bool:
    """Claim the owner's notice of the day; False when it was already claimed (sent, or being sent)."""
    try:
        with transaction.atomic():
            PushNotice.objects.create(owner_id=owner_id, day=day)
    except IntegrityError:
        return False
    return True


def send_claimed_notice(*, owner_id: int, day: datetime.date) -> int:
    user = User.objects.filter(pk=owner_id, is_active=True).first()
    if user is None:
        return 0
    delivered = send_notice(owner=user, today=day)
    PushNotice.objects.filter(owner_id=owner_id, day=day).update(delivered=delivered)
    return delivered
