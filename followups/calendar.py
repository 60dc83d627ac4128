"""The calendar feed: open follow-ups as all-day events a calendar app subscribes to."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.models import User

from . import selectors


def feed(owner: User, *, today: datetime.date, site_url: str) -> bytes:
    """Every open follow-up due within the next months (and the overdue ones, on today)."""
    cal = Calendar()
    cal.add("prodid", "-//Jinmyaku//Follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Jinmyaku follow-ups"))
    cal.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    for item in selectors.feed_items(owner.pk, today=today):
        day = max(item.show_on, today) if item.overdue_on < today else item.show_on
        event = Event()
        event.add("uid", f"followup-{item.pk}@jinmyaku")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        event.add("summary", f"{item.get_reason_display()}: {item.person.display_name}")
        description = [item.note] if item.note else []
        if item.person.what_they_want:
            description.append(_("What they want: %(want)s") % {"want": item.person.what_they_want})
        description.append(site_url + item.person.get_absolute_url())
        event.add("description", "\n".join(description))
        event.add("url", site_url + item.person.get_absolute_url())
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
