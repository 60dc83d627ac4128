"""Marks for dates saved before the bounds existed (contacts.dates): shown, never changed."""

from django import template

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


@register.inclusion_tag("components/date_mark.html")
def date_mark(day, kind: str = "date") -> dict:
    """A "check this date" mark after a date outside its bounds; nothing otherwise."""
    return {"show": dates.is_out_of_range(day, birthday=kind == "birthday")}
