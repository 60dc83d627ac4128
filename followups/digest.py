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


def build_digest(user: User, *, today: datetime.date, daily: bool = False) -> EmailMultiAlternatives | None:
    """The message for `user` for the week starting `today` (or for the day, when `daily`),
    or None with nothing due or no address. A daily digest is sent only when something is due by today."""
    if not user.email:
        return None
    queue = selectors.queue(user.pk, today=today, limit=selectors.DIGEST_SHOWN)
    if not (queue.overdue or queue.this_week):
        return None
    due_today = selectors.open_followups(user.pk).filter(show_on__lte=today).count() if daily else 0
    if daily and not due_today:
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
        context["daily"] = daily
        if daily:
            subject = ngettext("Today: %(count)d follow-up due", "Today: %(count)d follow-ups due", due_today) % {
                "count": due_today
            }
        else:
            subject = ngettext("This week: %(count)d follow-up", "This week: %(count)d follow-ups", queue.count_due) % {
                "count": queue.count_due
            }
        text = render_to_string("followups/email/digest.txt", context)
        html = render_to_string("followups/email/digest.html", context)
    message = EmailMultiAlternatives(subject=f"[Jinmyaku] {subject}", body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message
