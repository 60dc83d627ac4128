from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


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
