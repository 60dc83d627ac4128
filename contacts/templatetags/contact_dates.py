"""Marks for dates saved before the bounds existed (contacts.dates): shown, never changed."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from .. import dates

register = template.Library()


@register.filter
def impossible_date(day) -> bool:
    """Whether a meeting, event, first-met or ledger date lies outside 1900 … one year ahead."""
    return dates.is_out_of_range(day)


@register.filter
def impossible_birthday(day) -> bool:
    """Whether a birthday lies outside 1900 … today."""
    return dates.is_out_of_range(day, birthday=True)


@register.simple_tag
def date_mark(day, kind: str = "date") -> SafeString | str:
    """A "check this date" mark after a date outside its bounds; nothing otherwise.

    Written here rather than by an inclusion template: it is asked for on
    every row of a timeline or ledger, and almost always answers nothing.
    """
    if not dates.is_out_of_range(day, birthday=kind == "birthday"):
        return ""
    return format_html(
        ' <span class="date-mark" title="{}">{}</span>',
        gettext("This date is outside the dates this notebook accepts. Edit it to correct it."),
        gettext("Check this date"),
    )
