"""Sign-up by e-mail link, so the sign-up page never tells whether a name exists.

The form asks for a name and an e-mail address and always answers "we sent
you a link". The mail holds a signed link to choose a password and create the
account, or, when the name is taken, says so: only whoever reads that mailbox
learns it, one mail at a time, within the per-address sign-up limit.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import User, account_created

SALT = "accounts.signup"
LINK_HOURS = 24


def request_account(*, username: str, email: str, language: str) -> None:
    """Mail `email` a link that creates the account `username`, or say the name is taken."""
    with translation.override(language):
        if User.objects.filter(username__iexact=username).exists():
            subject = _("Jinmyaku: that user name is taken")
            body = _(
                "Someone (probably you) asked to create a Jinmyaku account named “%(name)s” with this address. "
                "That name is already taken. If the account is yours, log in at %(login)s. "
                "Otherwise sign up again with another name at %(signup)s.\n\n"
                "If you did not ask for this, ignore this mail."
            ) % {
                "name": username,
                "login": settings.SITE_URL + reverse("accounts:login"),
                "signup": settings.SITE_URL + reverse("accounts:signup"),
            }
        else:
            token = signing.dumps({"u": username, "e": email, "l": language}, salt=SALT)
            subject = _("Jinmyaku: finish creating your account")
            body = _(
                "Open this link within %(hours)d hours to choose a password and create the account “%(name)s”:\n\n"
                "%(link)s\n\n"
                "If you did not ask for this, ignore this mail: nothing is created without the link."
            ) % {
                "hours": LINK_HOURS,
                "name": username,
                "link": settings.SITE_URL + reverse("accounts:signup_confirm", args=[token]),
            }
    EmailMessage(subject=subject, body=body, to=[email]).send()


def read_link(token: str) -> dict | None:
    """The sign-up a link asks for ({"u": name, "e": address, "l": language}), or None when bad or too old."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_HOURS * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), str) for key in ("u", "e", "l")):
        return None
    return data


def create_account(*, form) -> User | None:
    """Save the account from a valid SetPasswordForm; None when the name was taken meanwhile."""
    user = form.user
    try:
        with transaction.atomic():
            if User.objects.filter(username__iexact=user.username).exists():
                return None
            form.save()
    except IntegrityError:
        return None
    account_created.send(sender=User, user=user)
    return user
