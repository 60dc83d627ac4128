"""The rules a person's values follow wherever they come from.

The person form, a capture row, an import (`transfer.cards.clean_card`) and
a merge all go through these, so a value allowed in one place is allowed in
every other. Each text has ONE limit, the `max_length` of the model column
it is stored in, and it is measured after the normalisation the save
applies: NFKC for names, readings and the names of fields and tags (so ㍿
counts as the four characters 株式会社 it becomes), NFC for free text.
Text over its limit is refused with a message; nothing is ever cut.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import NOTES_MAX_LENGTH, Field, Person, Tag, Wish

MAX_TAGS = 20
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
FIELD_NAME_MAX_LENGTH = Field._meta.get_field("name").max_length
MAX_CONTACT_LINES = 10
# Person columns stored in NFKC: full-width Latin letters and half-width kana
# typed on a phone become the ordinary forms, and duplicates are found.
NFKC_COLUMNS = frozenset({"family_name", "given_name", "family_reading", "given_reading", "company_reading"})
# Fields at least this long show a counter as they fill.
COUNTER_FROM = 500
TAG_SEPARATORS = re.compile(r"[,、，]+")
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def limit(model: type[models.Model], name: str) -> int:
    """The one limit of a text column: its max_length."""
    return model._meta.get_field(name).max_length


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value or "") is not None


def strip_control_characters(value: str) -> str:
    return _CONTROL.sub("", value or "")


def normalize(value: str, *, nfkc: bool = False) -> str:
    """The text as it is stored: NFKC or NFC, line breaks as \\n, no surrounding blanks."""
    value = unicodedata.normalize("NFKC" if nfkc else "NFC", value or "")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def too_long(value: str, max_length: int, *, typed: str | None = None) -> ValidationError:
    """The message for text over its limit; it says when normalising made the text longer."""
    params = {"limit": max_length, "count": len(value), "over": len(value) - max_length}
    if typed is not None and len(typed.strip()) <= max_length:
        return ValidationError(
            _(
                "Use at most %(limit)d characters. Once full-width and combined characters (such as ㍿) are "
                "written out this is %(count)d. Nothing was cut: shorten it and save again."
            ),
            code="max_length",
            params=params,
        )
    return ValidationError(
        _(
            "Use at most %(limit)d characters: this is %(count)d, %(over)d too many. "
            "Nothing was cut: shorten it and save again."
        ),
        code="max_length",
        params=params,
    )


CONTROL_MESSAGE = _("Remove the control characters (such as NUL) from this text.")


def check_text(value: str, max_length: int | None, *, nfkc: bool = False) -> str:
    """Return `value` as it will be stored, or raise ValidationError (control characters, over the limit)."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")
    stored = normalize(value, nfkc=nfkc)
    if max_length is not None and len(stored) > max_length:
        raise too_long(stored, max_length, typed=value)
    return stored


class LimitedCharField(forms.CharField):
    """A text field checked as it is stored: normalised first, then measured against its one limit.

    The limit goes to the page as `data-maxlength`, not `maxlength`: a
    browser cuts pasted text at `maxlength` without a word, and the rule is
    that nothing is cut. static/js/limits.js shows a counter and refuses
    text over the limit while it is typed; the server refuses it too, and
    the form comes back with all of it in the field.
    """

    def __init__(self, *, nfkc: bool = False, **kwargs):
        self.nfkc = nfkc
        super().__init__(**kwargs)
        # The limit is checked in to_python, on the normalised text.
        self.validators = [
            v for v in self.validators if not isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        if value in self.empty_values:
            return self.empty_value
        return check_text(str(value), self.max_length, nfkc=self.nfkc) or self.empty_value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.max_length is not None and not widget.is_hidden:
            attrs.pop("maxlength", None)
            attrs["data-maxlength"] = str(self.max_length)
            if self.max_length >= COUNTER_FROM:
                attrs["data-counter"] = ""
            if self.nfkc:
                attrs["data-nfkc"] = ""
        return attrs


def carry_limits(form: forms.BaseForm) -> None:
    """Give every field with a limit `data-maxlength` instead of `maxlength` (see LimitedCharField);
    for the fields of other classes (e-mail, web address) that Django gives a `maxlength`."""
    for field in form.fields.values():
        attrs = field.widget.attrs
        if "maxlength" in attrs and not field.widget.is_hidden:
            attrs["data-maxlength"] = str(attrs.pop("maxlength"))


class LimitsMixin:
    """A form whose inputs carry their limits without letting the browser cut pasted text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        carry_limits(self)


def limited_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """ModelForm formfield_callback: text columns become LimitedCharFields with the column's limit."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        kwargs.setdefault("form_class", LimitedCharField)
        kwargs.setdefault("nfkc", db_field.model is Person and db_field.name in NFKC_COLUMNS)
    return db_field.formfield(**kwargs)


# Names


def split_name(name: str) -> tuple[str, str]:
    """Split a typed name into (family, given).

    Japanese names are written family first (山田 太郎); Latin names given
    first (John Smith). Without a space, the whole name is the family name.
    """
    parts = unicodedata.normalize("NFKC", name).split()
    if not parts:
        return "", ""
    if all(ord(ch) < 0x250 for ch in "".join(parts)):
        return (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else ("", parts[0])
    return parts[0], " ".join(parts[1:])


def split_reading(reading: str) -> tuple[str, str]:
    parts = unicodedata.normalize("NFKC", reading).split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


NAME_REQUIRED = _("Enter a family name or a given name.")
NAME_PART = _("A family or given name")


def check_name_parts(family: str, given: str, *, what=NAME_PART) -> None:
    """Raise ValidationError unless there is a name and each part fits its column."""
    if not family.strip() and not given.strip():
        raise ValidationError(NAME_REQUIRED, code="name_required")
    max_length = limit(Person, "family_name")
    for part in (family, given):
        if len(part) > max_length:
            raise ValidationError(
                _("%(what)s can be at most %(limit)d characters long (this one is %(count)d)."),
                code="max_length",
                params={"what": what, "limit": max_length, "count": len(part)},
            )


# Tags and the names of fields


def clean_grouping_name(value: str, max_length: int) -> str:
    """A field or tag name as stored (NFKC), or raise ValidationError."""
    name = check_text(value, None, nfkc=True)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Enter a name."), code="required")
    if len(name) > max_length:
        raise too_long(name, max_length, typed=value)
    return name


def sort_tag_names(names: Iterable[str]) -> tuple[list[str], list[str], list[ValidationError]]:
    """Split tag names into (kept, refused, problems): NFKC, blanks and repeats dropped.

    A tag longer than its column, or beyond the first MAX_TAGS, is refused
    with a problem; the form shows the problems, an import keeps the refused
    names in the notes and reports them.
    """
    kept: list[str] = []
    refused: list[str] = []
    problems: list[ValidationError] = []
    for raw in names:
        name = " ".join(normalize(strip_control_characters(raw), nfkc=True).split())
        if not name or name in kept or name in refused:
            continue
        if len(name) > TAG_MAX_LENGTH:
            refused.append(name)
            problems.append(
                ValidationError(
                    _("A tag can be at most %(limit)d characters long: “%(name)s…” is %(count)d."),
                    code="tag_too_long",
                    params={"limit": TAG_MAX_LENGTH, "name": name[:20], "count": len(name)},
                )
            )
        elif len(kept) >= MAX_TAGS:
            refused.append(name)
        else:
            kept.append(name)
    if len(kept) + len([n for n in refused if len(n) <= TAG_MAX_LENGTH]) > MAX_TAGS:
        problems.append(
            ValidationError(_("Use at most %(count)d tags."), code="too_many_tags", params={"count": MAX_TAGS})
        )
    return kept, refused, problems


def split_tags(value: str) -> list[str]:
    return TAG_SEPARATORS.split(value or "")


# Merging: two people, or an import row into a person already here

MERGE_TEXT_FIELDS = [
    "family_name", "given_name", "family_reading", "given_reading", "company", "company_reading", "department",
    "title", "address", "website", "line", "facebook", "x_handle", "linkedin", "what_they_do", "what_they_want", "stage",
    "postal_code", "region", "locality", "country",
]  # fmt: skip


class NotesTooLong(ValueError):
    """Joined, two people's notes would be longer than the notes limit."""

    def __init__(self, length: int):
        self.length = length
        super().__init__(
            _(
                "Together the notes would be %(count)d characters, over the limit of %(limit)d. "
                "Shorten the notes of one of them first; nothing was merged."
            )
            % {"count": length, "limit": NOTES_MAX_LENGTH}
        )


def joined_notes(kept: str, other: str) -> str:
    """The notes of a merge: both, a blank line apart; the other's alone dropped when already there.

    Raise NotesTooLong when they would not fit: notes are never cut.
    """
    if not other or other in kept:
        return kept
    notes = "\n\n".join(part for part in (kept, other) if part)
    if len(notes) > NOTES_MAX_LENGTH:
        raise NotesTooLong(len(notes))
    return notes


def merge_card(keep: Person, other: Mapping[str, Any]) -> None:
    """Fold another card's values into `keep` (unsaved): the one rule for merging two people
    and for merging an import row into someone already here.

    Blank text of `keep` takes the other's; dates and links `keep` lacks are
    taken; the earlier first meeting wins; notes are joined (NotesTooLong when
    they would not fit, and then `keep` is unchanged); a wish not yet known
    takes the other's; a network tie stays one. `other` holds column names:
    `card_values(person)` for a person, an import row's values as they are.
    """
    notes = joined_notes(keep.notes, other.get("notes") or "")
    for name in MERGE_TEXT_FIELDS:
        if not getattr(keep, name) and other.get(name):
            setattr(keep, name, other[name])
    for name in ("birthday", "first_met_event", "introduced_by"):
        if getattr(keep, name) is None and other.get(name) is not None:
            setattr(keep, name, other[name])
    if keep.birthday is None and keep.birthday_month_day is None and other.get("birthday_month"):
        keep.birthday_month, keep.birthday_day = other["birthday_month"], other.get("birthday_day")
    first_met = other.get("first_met_on")
    if first_met and (keep.first_met_on is None or first_met < keep.first_met_on):
        keep.first_met_on = first_met
        keep.first_met_event = other.get("first_met_event") or keep.first_met_event
    keep.notes = notes
    for name in ("i_want_to_meet_again", "they_want_to_meet_again"):
        if getattr(keep, name) == Wish.UNKNOWN and other.get(name):
            setattr(keep, name, other[name])
    if other.get("tier") == "network":
        keep.tier = "network"


MERGE_COLUMNS = [
    *MERGE_TEXT_FIELDS, "birthday", "birthday_month", "birthday_day", "first_met_event", "introduced_by",
    "first_met_on", "notes",
    "i_want_to_meet_again", "they_want_to_meet_again", "tier",
]  # fmt: skip


def card_values(person: Person) -> dict[str, Any]:
    """A person's values in the shape merge_card reads."""
    return {name: getattr(person, name) for name in MERGE_COLUMNS}
