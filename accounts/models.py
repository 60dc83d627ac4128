from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.dispatch import Signal
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class User(AbstractUser):
    """An account. Every row of user data in the other apps points to one."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ja",
        help_text=_("Used for e-mail sent to you; the pages follow the language you pick in the menu."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


# Sent when an account is created through the app (sign-up, demo data), with
# `user`. Other apps connect to it to set up what a new account starts with.
account_created = Signal()
# Sent after a user changed their password (in the app or the admin), with
# `user`. Secrets derived from the old one, such as the calendar feed address,
# are replaced by their apps.
password_changed = Signal()


class LoginThrottle(models.Model):
    """Failed sign-ins counted per user name and per client address.

    Too many within the window locks the key for a while: even the right
    password is refused until then, so guessing gains nothing.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.key


def hash_recovery_code(code: str, salt: str, secret: str | bytes | None = None) -> str:
    """The stored form of a recovery code: HMAC-SHA256 keyed with SECRET_KEY, with a salt of its own.

    A code carries 40 random bits, too few to stand a fast hash alone, so the
    key lives outside the database: a copy of the table alone tells nothing.
    A slow password hasher is not needed with a key, and would make checking
    ten codes per attempt take seconds.
    """
    return salted_hmac(f"accounts.recovery-code:{salt}", code, secret=secret, algorithm="sha256").hexdigest()


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A user's single-use recovery codes, kept only as keyed hashes (`RecoveryCode`).

    A django-otp device, so a code counts as a second factor wherever the
    authenticator's does, with the same growing wait after wrong codes.
    """

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self):
        return 1

    def verify_token(self, token):
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        for row in self.codes.all():
            if not any(
                constant_time_compare(row.digest, hash_recovery_code(token, row.salt, secret)) for secret in secrets
            ):
                continue
            # Deleting by id, and only if the row is still there, lets one of two
            # requests racing with the same code through, never both.
            if RecoveryCode.objects.filter(pk=row.pk).delete()[0] == 1:
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
                return True
            break
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    """One unused recovery code, as its salted keyed hash; deleted once used."""

    device = models.ForeignKey(RecoveryCodes, related_name="codes", on_delete=models.CASCADE)
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    def __str__(self):
        return f"recovery code {self.pk}"


# A credential id is at most 1,023 bytes (WebAuthn level 3): 1,364 characters in base64url.
CREDENTIAL_ID_MAX_LENGTH = 1364


class Passkey(TimestampMixin, ThrottlingMixin, Device):
    """A passkey (WebAuthn credential) that proves the second step of signing in.

    A django-otp device like the authenticator app, so a sign-in with it counts
    as verified wherever two-factor authentication is required (staff, the admin).
    It never accepts a typed code: `accounts.passkeys` checks its signature.
    """

    credential_id = models.CharField(max_length=CREDENTIAL_ID_MAX_LENGTH, unique=True)  # base64url
    public_key = models.BinaryField()  # COSE key, as the authenticator sent it
    # The authenticator's own use count; a count that does not grow means a copied key.
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def get_throttle_factor(self):
        return 1

    def verify_token(self, token):
        return False


class PasskeyChallenge(models.Model):
    """A challenge issued for one passkey ceremony, by its hash.

    The session holds the challenge (binding it to that browser); this row is
    what makes it single-use: a response is checked only after deleting the row
    succeeded, which one request can do, even when two carry the same session.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the challenge, hex
    purpose = models.CharField(max_length=16)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.purpose} challenge for user {self.user_id}"
