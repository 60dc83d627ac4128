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
