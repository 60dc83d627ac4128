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
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import dates, rules
from contacts.models import NOTES_MAX_LENGTH, ContactPointKind, Person
from contacts.phones import MAX_PHONE_LENGTH, read_phone
from contacts.rules import MAX_CONTACT_LINES, MAX_TAGS, split_name, split_reading

# The text columns a card may fill, in the order the person form shows them.
TEXT_FIELDS = (
    "family_name", "given_name", "family_reading", "given_reading", "company", "company_reading",
    "department", "title", "address", "website", "line", "facebook", "x_handle", "linkedin",
    "what_they_do", "what_they_want", "notes",
)  # fmt: skip
DATE_FIELDS = ("birthday", "first_met_on")

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y%m%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y",
)
_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
# Exporters write a birthday without a year with a stand-in year: Apple and
# Thunderbird 1604, others 0000/0001. Any year before this one is taken as unknown.
MIN_KNOWN_YEAR = 1800
_STAND_IN_YEAR = re.compile(r"^(?:\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$")
_SPACES = re.compile(r"\s+")
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
    address: str = ""  # the street (and building) when the parts below are known
    postal_code: str = ""
    region: str = ""
    locality: str = ""
    country: str = ""
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
    # (kind, number) or (kind, number, label)
    phones: list[tuple[str, ...]] = field(default_factory=list)
    # The country a file says its numbers are in (ISO code), else empty: see contacts.phones.
    phone_region: str = ""
    tags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


@dataclass
class CleanCard:
    line: int
    values: dict = field(default_factory=dict)
    # (kind, value, normalized, label)
    points: list[tuple[str, str, str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        data = {"values": self.values, "points": [list(p) for p in self.points], "tags": self.tags}
        if self.warnings:
            data["warnings"] = self.warnings
        return data


def tidy(value: str) -> str:
    """NFC text without control characters or surrounding blanks (newlines kept)."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def tidy_reading(value: str) -> str:
    """A reading in full-width kana: half-width ﾔﾏﾀﾞ becomes ヤマダ."""
    if not value:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", tidy(value)))


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


def month_day_of(raw: str) -> tuple[int, int] | None:
    """(month, day) of a birthday written without a year (--1224, --12-24) or with a stand-in year (1604-12-24)."""
    raw = unicodedata.normalize("NFKC", raw).strip()
    match = _NO_YEAR.match(raw) or _STAND_IN_YEAR.match(raw)
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    try:
        datetime.date(2000, month, day)  # a leap year: 02-29 is a birthday
    except ValueError:
        return None
    return month, day


@functools.cache
def _max_length(name: str) -> int:
    if name == "notes":
        return NOTES_MAX_LENGTH
    return rules.limit(Person, name)


def _too_long(values: dict, name: str, text: str, limit: int) -> dict:
    """Text over its column's limit: kept in full in the notes, labelled, when they have room,
    else left out. Returns the warning that says which."""
    if name != "notes":
        label = str(Person._meta.get_field(name).verbose_name)
        try:
            values["notes"] = rules.joined_notes(values["notes"], f"{label[:1].upper()}{label[1:]}: {text}")
        except rules.NotesTooLong:
            pass
        else:
            return warning("too_long_kept", field=name, limit=limit)
    return warning("too_long", field=name, limit=limit)


# Why a field of a row was left out or kept as written: (code -> message). The
# message is rendered in the reader's language when the preview is shown.
WARNINGS = {
    "phone_unverified": gettext_lazy("Phone number “%(value)s” could not be checked; it is kept as written."),
    "phone_dropped": gettext_lazy("“%(value)s” is not a phone number; it is left out."),
    "email_invalid": gettext_lazy("“%(value)s” is not an e-mail address; it is left out."),
    "url_kept": gettext_lazy("“%(value)s” may not be a web address; it is kept as written."),
    "url_dropped": gettext_lazy("“%(value)s” is not a web address; it is left out."),
    "too_long": gettext_lazy("%(field)s is longer than %(limit)s characters; it is left out."),
    "too_long_kept": gettext_lazy("%(field)s is longer than %(limit)s characters; it is kept in full in the notes."),
    "date_invalid": gettext_lazy("%(field)s “%(value)s” is not a date; it is left out."),
    "date_out_of_range": gettext_lazy(
        "%(field)s “%(value)s” is outside the dates kept (1900 to a year ahead; a birthday in the past); it is left out."
    ),
    "birthday_no_year": gettext_lazy("The birthday has no year; it is kept as %(value)s."),
    "too_many_points": gettext_lazy("Only the first %(limit)s e-mail addresses and phone numbers are kept."),
    "too_many_tags": gettext_lazy("Only the first %(limit)s tags are kept."),
    "tag_too_long": gettext_lazy("The tag “%(value)s…” is longer than %(limit)s characters; it is left out."),
    "notes_not_merged": gettext_lazy(
        "Merged, the notes would be %(value)s characters, over the limit of %(limit)s: "
        "this row's notes are left out when it is merged."
    ),
    "tags_kept": gettext_lazy(
        "Tags beyond the first %(limit)s or too long to be tags (%(value)s) are kept in the notes."
    ),
    "tags_dropped": gettext_lazy(
        "Tags beyond the first %(limit)s or too long to be tags (%(value)s) are left out: the notes have no room."
    ),
    "name_from": gettext_lazy("No name in the file: “%(value)s” is used as the name."),
    "incomplete": gettext_lazy("The card is not complete (END:VCARD is missing); what was read is kept."),
    "no_begin": gettext_lazy("The card has no BEGIN:VCARD line; it was read all the same."),
}


def warning(code: str, *, value: str = "", field: str = "", limit: int | None = None) -> dict:
    entry = {"code": code}
    if value:
        entry["value"] = value[:80]
    if field:
        entry["field"] = field
    if limit is not None:
        entry["limit"] = limit
    return entry


def describe(entry: dict) -> str:
    """A stored warning as a sentence in the active language."""
    template = WARNINGS.get(entry.get("code"))
    if template is None:
        return str(entry.get("code", ""))
    name = entry.get("field", "")
    try:
        label = Person._meta.get_field(name).verbose_name if name else ""
    except Exception:
        label = name
    label = str(label)
    return str(template) % {
        "value": entry.get("value", ""),
        "field": label[:1].upper() + label[1:],
        "limit": entry.get("limit", ""),
    }


def _email(raw: str) -> str:
    return unicodedata.normalize("NFKC", tidy(raw)).removeprefix("mailto:").removeprefix("MAILTO:").strip()


# A web address the validator refuses but that is safe to keep and link: http(s), a host with a dot.
_LOOSE_URL = re.compile(r"^https?://[\w.-]+\.\w{2,}(?::\d+)?(?:[/?#][^\s<>\"']*)?$", re.IGNORECASE)


def _website(raw: str) -> tuple[str, dict | None]:
    """The web address to keep, and the warning about it if any."""
    url = unicodedata.normalize("NFKC", raw).strip()
    if "://" not in url:
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
        return url, None
    except ValidationError:
        pass
    if _LOOSE_URL.match(url) and len(url) <= _max_length("website"):
        return url, warning("url_kept", value=raw)
    return "", warning("url_dropped", value=raw)


def clean_card(card: Card) -> CleanCard:
    """Check each field of a card on its own, as the person form would.

    A field that cannot be used is kept as written where that is safe
    (phone numbers, web addresses) or left out, with a warning; the row is
    refused (`errors`) only when it has no name and nothing else to keep.
    """
    result = CleanCard(line=card.line, errors=list(card.errors), warnings=list(card.warnings))
    values = {name: tidy(getattr(card, "line_id" if name == "line" else name)) for name in TEXT_FIELDS}
    for name in ("family_name", "given_name"):
        values[name] = rules.normalize(values[name], nfkc=True)
    for name in ("family_reading", "given_reading", "company_reading"):
        values[name] = tidy_reading(values[name])
    if not values["family_name"] and not values["given_name"] and tidy(card.full_name):
        values["family_name"], values["given_name"] = split_name(tidy(card.full_name))
    if not values["family_reading"] and not values["given_reading"] and tidy(card.reading):
        values["family_reading"], values["given_reading"] = split_reading(tidy_reading(card.reading))

    if values["website"]:
        values["website"], problem = _website(values["website"])
        if problem:
            result.warnings.append(problem)

    # The notes first: what does not fit elsewhere is kept there.
    if len(values["notes"]) > NOTES_MAX_LENGTH:
        result.warnings.append(warning("too_long", field="notes", limit=NOTES_MAX_LENGTH))
        values["notes"] = ""
    for name in ("postal_code", "region", "locality", "country"):
        values[name] = tidy(getattr(card, name))
    for name in (*TEXT_FIELDS, "postal_code", "region", "locality", "country"):
        limit = _max_length(name)
        if name != "notes" and len(values[name]) > limit:
            result.warnings.append(_too_long(values, name, values[name], limit))
            values[name] = ""

    values["birthday_month"] = values["birthday_day"] = None
    for name in DATE_FIELDS:
        raw = tidy(getattr(card, name))
        try:
            date = parse_date(raw)
            readable = True
        except (ValueError, OverflowError):
            date, readable = None, False
        if name == "birthday" and raw and (date is None or date.year < MIN_KNOWN_YEAR):
            month_day = month_day_of(raw)
            if month_day:
                values["birthday_month"], values["birthday_day"] = month_day
                result.warnings.append(warning("birthday_no_year", value=f"{month_day[0]:02d}-{month_day[1]:02d}"))
                values[name] = None
                continue
        if not readable or (date is not None and date.year < MIN_KNOWN_YEAR):
            result.warnings.append(warning("date_invalid", field=name, value=raw))
            date = None
        if date is not None and dates.check(date, birthday=name == "birthday"):
            # Outside the dates the app keeps (1900 to a year ahead; a birthday in the past):
            # left out, the rest of the row kept.
            result.warnings.append(warning("date_out_of_range", field=name, value=raw))
            date = None
        values[name] = date.isoformat() if date else None
    result.values = values

    seen = set()
    emails = [_email(e) for e in card.emails if _email(e)]
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            result.warnings.append(warning("email_invalid", value=email))
            continue
        if email.lower() not in seen:
            seen.add(email.lower())
            result.points.append((ContactPointKind.EMAIL, email, email.lower(), ""))
    for kind, number, *label in card.phones:
        if not tidy(number):
            continue
        if len(tidy(number)) > MAX_PHONE_LENGTH:
            result.warnings.append(warning("phone_dropped", value=tidy(number)))
            continue
        phone = read_phone(tidy(number), region=card.phone_region or None)
        if phone is None:
            continue
        if not phone.verified:
            result.warnings.append(warning("phone_unverified", value=phone.display))
        if kind != ContactPointKind.FAX and phone.mobile:
            kind = ContactPointKind.MOBILE
        if (kind, phone.normalized) not in seen:
            seen.add((kind, phone.normalized))
            result.points.append((kind, phone.display, phone.normalized, tidy(label[0] if label else "")[:40]))
    emails_kept = [p for p in result.points if p[0] == ContactPointKind.EMAIL][:MAX_CONTACT_LINES]
    phones_kept = [p for p in result.points if p[0] != ContactPointKind.EMAIL][: 2 * MAX_CONTACT_LINES]
    if len(emails_kept) + len(phones_kept) < len(result.points):
        result.warnings.append(warning("too_many_points", limit=MAX_CONTACT_LINES))
        result.points = emails_kept + phones_kept

    # Tags as the person form takes them; those it would refuse (too long,
    # beyond the first MAX_TAGS) are kept in the notes when they have room.
    result.tags, refused, _problems = rules.sort_tag_names(tidy(tag) for tag in card.tags)
    if refused:
        shown = "、".join(name[:20] for name in refused)[:80]
        try:
            values["notes"] = rules.joined_notes(values["notes"], f"{_('Tags')}: {', '.join(refused)}")
        except rules.NotesTooLong:
            result.warnings.append(warning("tags_dropped", value=shown, limit=MAX_TAGS))
        else:
            result.warnings.append(warning("tags_kept", value=shown, limit=MAX_TAGS))

    if not values["family_name"] and not values["given_name"]:
        stand_in = values["company"] or next((p[1] for p in result.points), "")
        if stand_in:
            values["family_name"] = stand_in[: _max_length("family_name")]
            result.warnings.append(warning("name_from", value=stand_in))
        else:
            result.errors.append(_("No name and nothing else to import."))
    return result
