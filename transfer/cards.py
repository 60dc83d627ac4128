"""The one shape every import format is read into, and its validation.

A reader (vCard, a CSV layout) turns each record of a file into a `Card` of
raw strings, remembering the file line it starts on. `clean_card` checks it
the way the person form would (the limits and name and tag rules are
`contacts.rules`) and returns the values to save, or the reasons the record
cannot be imported, in the user's language.

One field over its limit never drops the row: its text is kept in full in
the notes, labelled, and the row carries a warning the preview shows. Only
when the notes themselves have no room is that text left out, and the
warning says so. Nothing is cut.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from contacts import rules
from contacts.forms import normalize_phone
from contacts.models import NOTES_MAX_LENGTH, ContactPointKind, Person
from contacts.rules import MAX_CONTACT_LINES, TAG_MAX_LENGTH, split_name, split_reading

# The text columns a card may fill, in the order the person form shows them.
TEXT_FIELDS = (
    "family_name", "given_name", "family_reading", "given_reading", "company", "company_reading",
    "department", "title", "address", "website", "line", "facebook", "x_handle", "linkedin",
    "what_they_do", "what_they_want", "notes",
)  # fmt: skip
DATE_FIELDS = ("birthday", "first_met_on")

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
    # Imported, but something was moved to the notes or left out: shown in the preview.
    warnings: list[str] = field(default_factory=list)

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


def _label(name: str) -> str:
    return capfirst(str(Person._meta.get_field(name).verbose_name))


def _keep_overflow(values: dict, overflow: list[tuple[str, str, str]], warnings: list[str]) -> None:
    """Keep text that fits no column in the notes, labelled; report each piece.

    `overflow` holds (label, text, the warning when kept).
    """
    for label, text, kept in overflow:
        try:
            values["notes"] = rules.joined_notes(values["notes"], f"{label}: {text}")
        except rules.NotesTooLong:
            warnings.append(
                _("%(field)s (%(count)d characters) was left out: it is over its limit and the notes have no room.")
                % {"field": label, "count": len(text)}
            )
        else:
            warnings.append(kept)


def clean_card(card: Card) -> CleanCard:
    """Check a card as the person form would; collect every problem, not just the first."""
    result = CleanCard(line=card.line, errors=list(card.errors))
    values = {name: tidy(getattr(card, "line_id" if name == "line" else name)) for name in TEXT_FIELDS}
    for name in ("family_name", "given_name"):
        values[name] = rules.normalize(values[name], nfkc=True)
    for name in ("family_reading", "given_reading", "company_reading"):
        values[name] = tidy_reading(values[name])
    if not values["family_name"] and not values["given_name"] and tidy(card.full_name):
        values["family_name"], values["given_name"] = split_name(tidy(card.full_name))
    if not values["family_reading"] and not values["given_reading"] and tidy(card.reading):
        values["family_reading"], values["given_reading"] = split_reading(tidy_reading(card.reading))
    overflow: list[tuple[str, str, str]] = []
    if len(values["notes"]) > NOTES_MAX_LENGTH:
        result.warnings.append(
            _("The notes are %(count)d characters, over the limit of %(limit)d: they were left out.")
            % {"count": len(values["notes"]), "limit": NOTES_MAX_LENGTH}
        )
        values["notes"] = ""
    for name in TEXT_FIELDS:
        if name != "notes" and len(values[name]) > rules.limit(Person, name):
            kept = _("%(field)s is %(count)d characters, over its limit of %(limit)d: kept in full in the notes.") % {
                "field": _label(name),
                "count": len(values[name]),
                "limit": rules.limit(Person, name),
            }
            overflow.append((_label(name), values[name], kept))
            values[name] = ""
    if not values["family_name"] and not values["given_name"]:
        result.errors.append(_("No name: enter a family name or a given name."))

    if values["website"]:
        if "://" not in values["website"]:
            values["website"] = "https://" + values["website"]
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except ValidationError:
            result.errors.append(_("“%(value)s” is not a web address.") % {"value": values["website"]})

    for name in DATE_FIELDS:
        raw = getattr(card, name)
        try:
            date = parse_date(raw)
        except (ValueError, OverflowError):
            result.errors.append(_("“%(value)s” is not a date.") % {"value": raw[:40]})
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

    result.tags, refused, _problems = rules.sort_tag_names(card.tags)
    if refused:
        kept = _(
            "Tags beyond the first %(count)d or longer than %(limit)d characters were kept in the notes: %(tags)s"
        ) % {"count": rules.MAX_TAGS, "limit": TAG_MAX_LENGTH, "tags": "、".join(name[:20] for name in refused)[:200]}
        overflow.append((_("Tags"), ", ".join(refused), kept))
    _keep_overflow(values, overflow, result.warnings)
    return result
