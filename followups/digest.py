"""The weekly digest e-mail: the week's queue, in the user's language, as HTML and text."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from accounts.models import User
from contacts.models import Profile

from . import selectors


def build_digest(user: User, *, today: datetime.date) -> EmailMultiAlternatives | None:
    """The message for `user` for the week starting `today`, or None with nothing due or no address."""
    if not user.email:
        return None
    queue = selectors.queue(user.pk, today=today, limit=selectors.DIGEST_SHOWN)
    if not (queue.overdue or queue.this_week):
        return None
    with translation.override(user.language):
        context = {
            "user": user,
            "queue": queue,
            # How many of each section the e-mail leaves out (it lists the first DIGEST_SHOWN).
            "more": {name: queue.size(name) - len(getattr(queue, name)) for name in ("overdue", "this_week")},
            # What the user wants, as a reminder of what to tell the people they see this week.
            "what_i_want": Profile.for_owner(user.pk).what_i_want,
            "site_url": settings.SITE_URL,
            "week_url": settings.SITE_URL + reverse("followups:week"),
            "settings_url": settings.SITE_URL + reverse("followups:settings"),
        }
        subject = ngettext("This week: %(count)d follow-up", "This week: %(count)d follow-ups", queue.count_due) % {
            "count": queue.count_due
        }
        text = render_to_string("followups/email/digest.txt", context)
        html = render_to_string("followups/email/digest.html", context)
    message = EmailMultiAlternatives(subject=f"[Jinmyaku] {subject}", body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message
