"""The dates a notebook accepts, checked the same way by forms, import and restore.

A meeting, an event, a first meeting or a ledger entry lies between
1900-01-01 and one year after today (a meeting can be planned ahead; a year
like 0024 or 9999 is a typo). A birthday lies between 1900-01-01 and today.
Rows saved before these checks existed may hold other dates: they are never
changed behind the user's back. `is_out_of_range` lets the person page mark
them, and the follow-up rules ignore them (`followups.rules`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)


def latest(today: datetime.date | None = None) -> datetime.date:
    """One year after `today` (28 February for 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def plus_days(day: datetime.date, days: int) -> datetime.date:
    """`day` + `days`, held at the calendar's ends instead of raising OverflowError."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def is_out_of_range(day: datetime.date | None, *, birthday: bool = False, today: datetime.date | None = None) -> bool:
    """Whether a stored date lies outside what the forms accept today (None is fine)."""
    if day is None:
        return False
    today = today or timezone.localdate()
    return not EARLIEST <= day <= (today if birthday else latest(today))


def _show(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day.year >= 1000 else day.isoformat()


def validate_event_date(value: datetime.date) -> None:
    """A meeting, event, first-met or ledger date: from 1900-01-01 to one year ahead."""
    if value is None:
        return
    end = latest()
    if not EARLIEST <= value <= end:
        raise ValidationError(
            _("Enter a date between %(start)s and %(end)s."),
            code="date_out_of_range",
            params={"start": _show(EARLIEST), "end": _show(end)},
        )


def validate_birthday(value: datetime.date) -> None:
    """A birthday: from 1900-01-01 to today."""
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("A birthday cannot be in the future."), code="birthday_in_future")
    if value < EARLIEST:
        raise ValidationError(
            _("Enter a birthday after %(start)s."), code="date_out_of_range", params={"start": _show(EARLIEST)}
        )


# The person's date columns and the check each takes, for the person page's marks and restore.
PERSON_DATES = {"birthday": validate_birthday, "first_met_on": validate_event_date}


def check(value: datetime.date | None, *, birthday: bool = False) -> list[str]:
    """The messages for a date (empty when it is fine), for import rows that collect them."""
    try:
        (validate_birthday if birthday else validate_event_date)(value)
    except ValidationError as error:
        return list(error.messages)
    return []
