"""The one shape every import format is read into, and its validation.

A reader (vCard, a CSV layout) turns each record of a file into a `Card` of
raw strings, remembering the file line it starts on. `clean_card` checks it
the way the person form would and returns the values to save, or the reasons
the record cannot be imported, in the user's language.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from contacts import dates
from contacts.forms import MAX_CONTACT_LINES, normalize_phone, split_name, split_reading
from contacts.models import NOTES_MAX_LENGTH, ContactPointKind, Person

# The text columns a card may fill, in the order the person form shows them.
TEXT_FIELDS = (
    "family_name", "given_name", "family_reading", "given_reading", "company", "company_reading",
    "department", "title", "address", "website", "line", "facebook", "x_handle", "linkedin",
    "what_they_do", "what_they_want", "notes",
)  # fmt: skip
DATE_FIELDS = ("birthday", "first_met_on")
MAX_TAGS = 20
MAX_TAG_LENGTH = 60

_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S")
_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_NO_YEAR = re.compile(r"^--\d{2}-?\d{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Card:
    """One record read from a file: raw text, nothing checked yet."""

    line: int
    family_name: str = ""
    given_name: str = ""
    full_name: str = ""
    family_reading: str = ""
    given_reading: str = ""
    reading: str = ""
    company: str = ""
    company_reading: str = ""
    department: str = ""
    title: str = ""
    address: str = ""
    website: str = ""
    line_id: str = ""
    facebook: str = ""
    x_handle: str = ""
    linkedin: str = ""
    what_they_do: str = ""
    what_they_want: str = ""
    notes: str = ""
    birthday: str = ""
    first_met_on: str = ""
    emails: list[str] = field(default_factory=list)
    # (kind, number): kind is "phone", "mobile" or "fax"; "phone" may turn
    # out to be a mobile number.
    phones: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class CleanCard:
    line: int
    values: dict = field(default_factory=dict)
    points: list[tuple[str, str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"values": self.values, "points": [list(p) for p in self.points], "tags": self.tags}


def tidy(value: str) -> str:
    """NFC text without control characters or surrounding blanks (newlines kept)."""
    value = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def tidy_reading(value: str) -> str:
    """A reading in full-width kana: half-width ﾔﾏﾀﾞ becomes ヤマダ."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", tidy(value)))


def parse_date(raw: str) -> datetime.date | None:
    """Read the date formats the exporters write; None for a date without a year. Raise ValueError."""
    raw = unicodedata.normalize("NFKC", raw).strip()
    if not raw or _NO_YEAR.match(raw):
        return None
    if "T" in raw[8:]:
        raw = raw.split("T", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    match = _DAY_MONTH_YEAR.match(raw)
    if match and match.group(2).lower() in _MONTHS:
        return datetime.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    raise ValueError(raw)


def _max_length(name: str) -> int:
    if name == "notes":
        return NOTES_MAX_LENGTH
    return Person._meta.get_field(name).max_length


def clean_card(card: Card) -> CleanCard:
    """Check a card as the person form would; collect every problem, not just the first."""
    result = CleanCard(line=card.line, errors=list(card.errors))
    values = {name: tidy(getattr(card, "line_id" if name == "line" else name)) for name in TEXT_FIELDS}
    for name in ("family_reading", "given_reading", "company_reading"):
        values[name] = tidy_reading(values[name])
    if not values["family_name"] and not values["given_name"] and tidy(card.full_name):
        values["family_name"], values["given_name"] = split_name(tidy(card.full_name))
    if not values["family_reading"] and not values["given_reading"] and tidy(card.reading):
        values["family_reading"], values["given_reading"] = split_reading(tidy_reading(card.reading))
    if not values["family_name"] and not values["given_name"]:
        result.errors.append(_("No name: enter a family name or a given name."))

    if values["website"]:
        if "://" not in values["website"]:
            values["website"] = "https://" + values["website"]
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except ValidationError:
            result.errors.append(_("“%(value)s” is not a web address.") % {"value": values["website"]})

    for name in TEXT_FIELDS:
        limit = _max_length(name)
        if len(values[name]) > limit:
            result.errors.append(
                _("%(field)s is longer than %(limit)d characters.")
                % {"field": Person._meta.get_field(name).verbose_name, "limit": limit}
            )

    for name in DATE_FIELDS:
        raw = getattr(card, name)
        try:
            date = parse_date(raw)
        except (ValueError, OverflowError):
            result.errors.append(_("“%(value)s” is not a date.") % {"value": raw[:40]})
            date = None
        problems = dates.check(date, birthday=name == "birthday")
        if problems:
            label = Person._meta.get_field(name).verbose_name
            result.errors += [f"{label}: {problem}" for problem in problems]
            date = None
        values[name] = date.isoformat() if date else None
    result.values = values

    seen = set()
    emails = [tidy(e).removeprefix("mailto:") for e in card.emails if tidy(e)]
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": email[:80]})
            continue
        if email.lower() not in seen:
            seen.add(email.lower())
            result.points.append((ContactPointKind.EMAIL, email, email.lower()))
    phones = [(kind, tidy(number).removeprefix("tel:")) for kind, number in card.phones if tidy(number)]
    for kind, number in phones:
        try:
            display, e164, mobile = normalize_phone(number[:60])
        except ValidationError as error:
            result.errors.extend(error.messages)
            continue
        if kind != ContactPointKind.FAX and mobile:
            kind = ContactPointKind.MOBILE
        if (kind, e164) not in seen:
            seen.add((kind, e164))
            result.points.append((kind, display, e164))
    if len(emails) > MAX_CONTACT_LINES or len(phones) > 2 * MAX_CONTACT_LINES:
        result.errors.append(_("Too many e-mail addresses or phone numbers."))

    for tag in card.tags:
        tag = unicodedata.normalize("NFKC", tidy(tag))
        if tag and tag not in result.tags:
            result.tags.append(tag[:MAX_TAG_LENGTH])
    if len(result.tags) > MAX_TAGS:
        result.errors.append(_("Use at most %(count)d tags.") % {"count": MAX_TAGS})
    return result
