"""This week's items, written in Python: the page shows up to 90 of them (500 with "show all").

Each item is a few lines of escaped HTML around its values (a `selectors.Row`),
and its done / snooze / skip buttons are one fragment per language, rendered
once from the template (`followups/week.html#actions`) and kept, with the
item's id put in per item. Rendering the same item with the template engine
cost about 1 ms each. The buttons' forms are not on the page: each is fetched
when its button is opened (they were two thirds of the page's 300 KB).

Every value from the database goes through `escape`.
"""

import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import dateformat, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.fixed_urls import url_maker
from followups.models import Reason
from followups.selectors import Row

register = template.Library()

# A stand-in put where an item's id goes, replaced per item.
PK_MARK = 2147483647


@functools.lru_cache(maxsize=16)
def _actions(language: str, prefix: str) -> tuple[str, ...]:
    """The three buttons of an item, split where its id goes (per language and script prefix)."""
    html = render_to_string("followups/week.html#actions", {"pk": PK_MARK})
    # Its parts are blocks in flex boxes: the template's indentation between tags is only bytes.
    return tuple(re.sub(r">\s+<", "><", html.strip()).split(str(PK_MARK)))


def _short(value: str) -> str:
    """As the `truncatechars:80` filter: at most 80 characters, the last one "…" when cut."""
    return value if len(value) <= 80 else value[:79] + "…"


@functools.lru_cache(maxsize=4096)
def _day(day: datetime.date, language: str, with_year: bool) -> str:
    """A due date as the page writes it in `language` (the active one): "11/20 (Thu)", escaped."""
    return escape(dateformat.format(day, "Y/n/j (D)" if with_year else "n/j (D)"))


@dataclass
class Page:
    """What every item of one page shares: the day, the words in the active language, the forms."""

    today: datetime.date
    actions: tuple[str, ...]
    person_url: Callable[[int], str] = field(default_factory=lambda: url_maker("contacts:person_detail"))
    reach_url: Callable[[int], str] = field(default_factory=lambda: url_maker("followups:followup_reach"))
    reasons: dict[str, str] = field(default_factory=lambda: {value: escape(label) for value, label in Reason.choices})
    reach: str = field(default_factory=lambda: escape(_("Reach out")))
    snoozed: str = field(default_factory=lambda: escape(_("snoozed")))
    never_met: str = field(default_factory=lambda: escape(_("No meeting logged yet")))
    last_met: str = field(default_factory=lambda: _("Last met %(date)s"))
    wants: str = field(default_factory=lambda: _("Wants: %(want)s"))
    balance: str = field(default_factory=lambda: _("Gave %(given)s · received %(received)s"))
    dates: dict[datetime.date, str] = field(default_factory=dict)

    def due(self, show_on: datetime.date) -> str:
        """The item's date as the page shows it ("today", "11/20 (Thu)" or with the year), escaped."""
        if show_on not in self.dates:
            if show_on == self.today:
                self.dates[show_on] = escape(_("today"))
            else:
                self.dates[show_on] = _day(show_on, translation.get_language(), show_on.year != self.today.year)
        return self.dates[show_on]


def _context(row: Row, page: Page) -> str:
    """The line under the name: note, company, last meeting, what they want, the balance."""
    parts = []
    if row.note:
        parts.append(f'<p class="week-item__note">{escape(row.note)}</p>')
    if row.company:
        parts.append(f"<span>{escape(row.company)}</span>")
    if row.last_meeting_on:
        met = escape(page.last_met % {"date": row.last_meeting_on.isoformat()})
        if row.last_meeting_summary:
            met += ": " + escape(_short(row.last_meeting_summary))
        parts.append(f"<span>{met}</span>")
    else:
        parts.append(f"<span>{page.never_met}</span>")
    if row.what_they_want:
        parts.append(f"<span>{escape(page.wants % {'want': _short(row.what_they_want)})}</span>")
    if row.given is not None:
        parts.append(f"<span>{escape(page.balance % {'given': row.given, 'received': row.received})}</span>")
    return "".join(parts)


def item_html(row: Row, page: Page, *, error: str = "") -> SafeString:
    """One item: who and why, its context, the reach-out box (loaded when it comes into view), its buttons."""
    pk = str(row.pk)
    overdue = " week-item--overdue" if row.overdue_on < page.today else ""
    reach_url = page.reach_url(row.pk)
    snoozed = f' <span class="chip chip--muted">{page.snoozed}</span>' if row.snoozed else ""
    alert = f'<p class="field__error" role="alert">{escape(error)}</p>' if error else ""
    reason = escape(row.reason)
    return mark_safe(  # nosec B308 B703 - every value in it is escaped
        f'<li class="week-item{overdue}" id="followup-{pk}" tabindex="-1" data-followup>'
        f'<div class="week-item__head">'
        f'<a class="week-item__person" href="{page.person_url(row.person_id)}" data-open>'
        f"{escape(row.name)}</a> "
        f'<span class="chip week-reason week-reason--{reason}">{page.reasons.get(row.reason, reason)}</span> '
        f'<time class="week-item__due" datetime="{row.show_on.isoformat()}">{page.due(row.show_on)}</time>'
        f"{snoozed}</div>"
        f'<div class="week-item__context">{_context(row, page)}</div>{alert}'
        f'<div class="week-reach-slot" data-reach-slot hx-get="{reach_url}" hx-trigger="near-screen once" '
        f'hx-swap="innerHTML"><a href="{reach_url}">{page.reach}</a></div>'
        f'<div class="week-item__actions">{pk.join(page.actions)}</div>'
        f"</li>"
    )


def page_for(today: datetime.date) -> Page:
    return Page(today=today, actions=_actions(translation.get_language(), get_script_prefix()))


@register.simple_tag
def week_items(rows: list[Row], page: Page) -> SafeString:
    """The items of one section; `page` is what the page's items share (made once by the view)."""
    return mark_safe("".join(item_html(row, page) for row in rows))  # nosec B308 B703
