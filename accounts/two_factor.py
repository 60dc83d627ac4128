"""Two-factor sign-in: a TOTP authenticator app, passkeys, and single-use recovery codes (django-otp).

A user has at most one confirmed TOTP device ("authenticator"), any number of
passkeys (`accounts.passkeys`), and one `RecoveryCodes` device holding their
recovery codes as keyed hashes. Enrolment makes an unconfirmed TOTP device;
the first right code confirms it and issues the recovery codes. The first
passkey of an account without an authenticator issues them too. Removing the
last authenticator or passkey turns two-factor authentication off, recovery
codes included: they are a way back to a second factor, not one of their own.
"""

import base64
import secrets
from collections.abc import Iterable

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Passkey, RecoveryCode, RecoveryCodes, User, hash_recovery_code

RECOVERY_CODES = 10
# django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s …) without
# an end; after this many failures it stops growing (2**11 s, about 34 minutes),
# so someone who stole the password cannot keep the owner out for years.
MAX_COUNTED_FAILURES = 12


def is_enabled(user: User) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factors(user: User) -> int:
    """How many authenticators and passkeys the user has (recovery codes not counted)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).count()
        + Passkey.objects.filter(user=user, confirmed=True).count()
    )


def pending_authenticator(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, made on first use; a confirmed one is never returned."""
    found = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return found or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def readable_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, as authenticator apps ask for it when typed."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG data: URI (allowed by the CSP's img-src)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def clean_code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").lower()[:16]


def cap_failures(user: User) -> None:
    """Stop the growing wait of the user's devices at MAX_COUNTED_FAILURES."""
    _cap_failures(devices_for_user(user, confirmed=True))


def _cap_failures(devices: Iterable[Device]) -> None:
    for device in devices:
        if getattr(device, "throttling_failure_count", 0) > MAX_COUNTED_FAILURES:
            type(device).objects.filter(pk=device.pk).update(throttling_failure_count=MAX_COUNTED_FAILURES)


def confirm_authenticator(*, user: User, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from the app, or return None.

    Returns the new recovery codes, or [] when the user already has some (made with a passkey).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(clean_code(code)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return [] if has_recovery_codes(user) else new_recovery_codes(user=user)


def random_recovery_code() -> str:
    """Eight lower-case base32 characters (40 random bits), as django-otp's static tokens were."""
    return base64.b32encode(secrets.token_bytes(5)).decode().lower()


def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once); only their hashes are kept."""
    codes = [random_recovery_code() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        RecoveryCodes.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()  # plain codes from before they were hashed
        device = RecoveryCodes.objects.create(user=user, name="recovery codes", confirmed=True)
        rows = []
        for code in codes:
            salt = secrets.token_hex(16)
            rows.append(RecoveryCode(device=device, salt=salt, digest=hash_recovery_code(code, salt)))
        RecoveryCode.objects.bulk_create(rows)
    return codes


def has_recovery_codes(user: User) -> bool:
    return RecoveryCodes.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (the app's code or an unused recovery code), or None.

    Each device waits longer after each wrong code (django-otp's throttle); a
    recovery code is deleted once used.
    """
    token = clean_code(code)
    if not token:
        return None
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))
        # Six digits are the app's code; anything else can only be a recovery code.
        kind = TOTPDevice if token.isdigit() and len(token) == 6 else RecoveryCodes
        for device in devices:
            if isinstance(device, kind) and device.verify_token(token):
                return device
        _cap_failures(devices)
    return None


def wait_seconds(user: User) -> int:
    """How long the user's devices refuse any code after the last wrong ones (0: not throttled)."""
    longest = 0
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            longest = max(longest, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return longest


def disable(*, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
        RecoveryCodes.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def remove_passkey(*, user: User, passkey_id: int) -> bool:
    """Remove one of the user's passkeys; the last second factor takes the recovery codes with it.

    Returns False when the passkey is not the user's (or already gone).
    """
    with transaction.atomic():
        if not Passkey.objects.filter(user=user, pk=passkey_id).delete()[0]:
            return False
        if second_factors(user) == 0:
            disable(user=user)
    return True


def required_for(user: User) -> bool:
    """Whether this user must use a second factor (staff, when TWO_FACTOR_REQUIRED_FOR_STAFF is on)."""
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_STAFF and user.is_authenticated and user.is_staff)
