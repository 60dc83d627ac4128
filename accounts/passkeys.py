"""Passkeys (WebAuthn) as a second factor, checked with Duo Labs' py_webauthn.

The relying party is the address users open, SITE_URL: its host is the RP ID
and its scheme, host and port the only origin accepted. A challenge is made
for one ceremony and kept in the session that asked for it (so it is bound
to that browser) and, by its hash, in the database (PasskeyChallenge), whose
row the first answer deletes, right or wrong: single use, even for two
requests racing with one session. It is refused after CHALLENGE_SECONDS. Sign-in asks for the signed-in user's
own credentials only and finds the answering one among them, so one user's
passkey never signs in another. User verification (PIN, fingerprint) is
preferred, not required: the password was the first factor.
"""

import datetime
import hashlib
import ipaddress
import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .models import CREDENTIAL_ID_MAX_LENGTH, Passkey, PasskeyChallenge, User

log = logging.getLogger(__name__)

CHALLENGE_KEY = "passkey_challenge"
CHALLENGE_SECONDS = 3 * 60
# What the browser is told it may take to answer (a hint; the server's limit is CHALLENGE_SECONDS).
TIMEOUT_MS = 2 * 60 * 1000
# A response with attestation "none" is about 1 KB; anything far larger is not one.
RESPONSE_MAX_LENGTH = 64 * 1024
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class PasskeyError(Exception):
    """A response that was refused; the reason is logged, the user sees one message."""


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str


def rp_problem(site_url: str) -> str | None:
    """Why `site_url` cannot name a WebAuthn relying party, or None when it can."""
    parts = urlsplit(site_url)
    host = (parts.hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"its host {host!r} is an IP address; passkeys need a domain name"
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return f"its host {host!r} is not a valid domain name"
    if not ascii_host or not all(_LABEL.match(label) for label in ascii_host.split(".")):
        return f"its host {host!r} is not a valid domain name"
    if parts.scheme != "https" and ascii_host != "localhost" and not ascii_host.endswith(".localhost"):
        return "browsers offer passkeys only over https (or on localhost)"
    return None


def relying_party() -> RelyingParty | None:
    """The RP ID and origin taken from SITE_URL, or None when it cannot be one (see the `accounts` check)."""
    if rp_problem(settings.SITE_URL) is not None:
        return None
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return RelyingParty(id=host, origin=f"{parts.scheme}://{host}{port}")


def available() -> bool:
    return relying_party() is not None


def _user_handle(user: User) -> bytes:
    # Stable per account and meaningless outside this server (WebAuthn asks for no personal data here).
    return salted_hmac("accounts.passkeys.user-handle", str(user.pk), algorithm="sha256").digest()


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for value in passkey.transports:
        try:
            transports.append(AuthenticatorTransport(value))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id), transports=transports or None)


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _issue_challenge(
    request: HttpRequest, *, purpose: str, user: User, challenge: bytes, owner_confirmed: bool = False
) -> None:
    now = timezone.now()
    PasskeyChallenge.objects.filter(created_at__lt=now - datetime.timedelta(seconds=CHALLENGE_SECONDS)).delete()
    PasskeyChallenge.objects.create(user=user, digest=_digest(challenge), purpose=purpose, created_at=now)
    request.session[CHALLENGE_KEY] = {
        "challenge": bytes_to_base64url(challenge),
        "purpose": purpose,
        "user": user.pk,
        "owner_confirmed": owner_confirmed,
    }


def _take_challenge(request: HttpRequest, *, purpose: str, user: User) -> tuple[bytes, bool]:
    """The challenge issued to this session for `purpose`, used up so it can answer only once.

    Also whether the owner proved who they are (password or code) before it was issued.
    """
    issued = request.session.pop(CHALLENGE_KEY, None)
    if (
        not isinstance(issued, dict)
        or issued.get("purpose") != purpose
        or issued.get("user") != user.pk
        or not isinstance(issued.get("challenge"), str)
    ):
        raise PasskeyError("no challenge for this session")
    challenge = base64url_to_bytes(issued["challenge"])
    fresh_since = timezone.now() - datetime.timedelta(seconds=CHALLENGE_SECONDS)
    used = PasskeyChallenge.objects.filter(
        user=user, purpose=purpose, digest=_digest(challenge), created_at__gte=fresh_since
    ).delete()[0]
    if used != 1:
        raise PasskeyError("the challenge expired or was already answered")
    return challenge, issued.get("owner_confirmed") is True


def registration_options(request: HttpRequest, *, user: User, owner_confirmed: bool = False) -> str:
    """Options for navigator.credentials.create(), as JSON; the challenge waits in the session.

    `owner_confirmed`: the view checked the password or a current code first
    (needed when two-factor authentication is already on, see `register`).
    """
    rp = relying_party()
    if rp is None:
        raise PasskeyError("SITE_URL cannot be a relying party")
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name="Jinmyaku",
        user_id=_user_handle(user),
        user_name=user.get_username(),
        user_display_name=user.get_full_name() or user.get_username(),
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(p) for p in Passkey.objects.filter(user=user)],
    )
    _issue_challenge(
        request, purpose="register", user=user, challenge=options.challenge, owner_confirmed=owner_confirmed
    )
    return options_to_json(options)


def register(request: HttpRequest, *, user: User, name: str, response: str, needs_owner: bool = False) -> Passkey:
    """Check the browser's answer to the registration options and keep the new passkey.

    With `needs_owner`, the challenge must have been issued after the owner
    proved who they are, so a stolen session cannot add a way in.
    """
    challenge, owner_confirmed = _take_challenge(request, purpose="register", user=user)
    if needs_owner and not owner_confirmed:
        raise PasskeyError("the owner was not confirmed before the challenge was issued")
    rp = relying_party()
    if rp is None or len(response) > RESPONSE_MAX_LENGTH:
        raise PasskeyError("no relying party, or the response is too long")
    try:
        parsed = json.loads(response)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=False,
        )
        transports = parsed.get("response", {}).get("transports") or []
    except Exception as error:  # anything the library raises on a malformed or wrong answer
        raise PasskeyError(f"registration refused: {error!r}") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > CREDENTIAL_ID_MAX_LENGTH:
        raise PasskeyError("credential id too long")
    known = [str(t) for t in transports if isinstance(t, str)][:8] if isinstance(transports, list) else []
    try:
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                name=name,
                confirmed=True,
                credential_id=credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=[t for t in known if t in {m.value for m in AuthenticatorTransport}],
            )
    except IntegrityError as error:
        raise PasskeyError("credential id already registered") from error


def authentication_options(request: HttpRequest, *, user: User) -> str:
    """Options for navigator.credentials.get() listing the user's own passkeys, as JSON."""
    rp = relying_party()
    passkeys = list(Passkey.objects.filter(user=user, confirmed=True))
    if rp is None or not passkeys:
        raise PasskeyError("no relying party, or the user has no passkey")
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=TIMEOUT_MS,
        allow_credentials=[_descriptor(p) for p in passkeys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _issue_challenge(request, purpose="sign-in", user=user, challenge=options.challenge)
    return options_to_json(options)


def _answering_passkey(user: User, response: str) -> Passkey | None:
    """The user's passkey that the response names, or None (not theirs, or not readable)."""
    try:
        credential_id = parse_authentication_credential_json(response).id
    except Exception:  # a malformed answer names no passkey
        return None
    if not isinstance(credential_id, str) or len(credential_id) > CREDENTIAL_ID_MAX_LENGTH:
        return None
    return Passkey.objects.filter(user=user, confirmed=True, credential_id=credential_id).first()


def authenticate(request: HttpRequest, *, user: User, response: str) -> Passkey:
    """Check a signed answer to this session's sign-in challenge; the passkey that signed it.

    A wrong answer counts against the answering passkey (or all the user's
    passkeys when it names none of them), with django-otp's growing wait, as
    a wrong code counts against the authenticator.
    """
    challenge, _confirmed = _take_challenge(request, purpose="sign-in", user=user)
    rp = relying_party()
    if rp is None or len(response) > RESPONSE_MAX_LENGTH:
        raise PasskeyError("no relying party, or the response is too long")
    failure = None
    with transaction.atomic():
        passkey = _answering_passkey(user, response)
        if passkey is not None:
            passkey = Passkey.objects.select_for_update().get(pk=passkey.pk)
            allowed, _data = passkey.verify_is_allowed()
            if not allowed:
                raise PasskeyError("passkey throttled after wrong answers")
        try:
            if passkey is None:
                raise PasskeyError("the response names none of the user's passkeys")
            verified = verify_authentication_response(
                credential=response,
                expected_challenge=challenge,
                expected_rp_id=rp.id,
                expected_origin=rp.origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=False,
            )
        except Exception as error:  # anything the library raises on a malformed or wrong answer
            # Counted in this transaction, which then commits: the refusal is raised after it.
            for failed in [passkey] if passkey else Passkey.objects.filter(user=user, confirmed=True):
                failed.throttle_increment()
            failure = error
        else:
            passkey.sign_count = verified.new_sign_count
            passkey.last_used_at = timezone.now()
            passkey.throttle_reset(commit=False)
            passkey.save(
                update_fields=["sign_count", "last_used_at", "throttling_failure_count", "throttling_failure_timestamp"]
            )
    if failure is not None:
        raise PasskeyError(f"sign-in refused: {failure!r}") from failure
    return passkey


def has_passkeys(user: User) -> bool:
    return Passkey.objects.filter(user=user, confirmed=True).exists()
