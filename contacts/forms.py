"""Forms for people, events and meetings. Every choice of a related row is
limited to the owner's own rows, so a foreign id is a validation error."""

import datetime
import decimal
import re
import unicodedata

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import (
    AMOUNT_MAX_DIGITS,
    NOTES_MAX_LENGTH,
    ContactPointKind,
    Direction,
    Event,
    Field,
    LedgerEntry,
    LedgerKind,
    LedgerSettings,
    Meeting,
    Person,
    Stage,
    Tag,
    Tier,
    Wish,
)

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
MAX_TAGS = 20
MAX_CONTACT_LINES = 10


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=False, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        **kwargs,
    )


def normalize_phone(raw: str) -> tuple[str, str, bool]:
    """Return (display, E.164, is_mobile) for a number typed in any width; raise ValidationError."""
    cleaned = unicodedata.normalize("NFKC", raw).strip()
    try:
        number = phonenumbers.parse(cleaned, "JP")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number."), params={"value": raw}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number."), params={"value": raw})
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 81
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    mobile = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    return (
        phonenumbers.format_number(number, fmt),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        mobile,
    )


class NFKCEmailField(forms.EmailField):
    """An e-mail address typed in any width (ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ), normalised before it is checked."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value or "") if isinstance(value, str) else value)


class NFKCURLField(forms.URLField):
    """A web address typed in any width, normalised before it is checked."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value or "") if isinstance(value, str) else value)


def phone_point(raw: str) -> tuple[str, str, str]:
    """(kind, display, E.164) of a number typed in a capture row: mobile unless it is a landline."""
    display, e164, mobile = normalize_phone(raw)
    kind = ContactPointKind.MOBILE
    if not mobile:
        try:
            number = phonenumbers.parse(e164)
            if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE:
                kind = ContactPointKind.PHONE
        except phonenumbers.NumberParseException:
            pass
    return kind, display, e164


def split_lines(value: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\r\n,;、，]+", value or "") if line.strip()]


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


MAX_ID = 2**63 - 1


def _id_in_range(value) -> bool:
    """False for a number no id column can hold (SQLite raises OverflowError on it)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True  # not a number: Django reports it as an invalid choice
    return 0 < number <= MAX_ID


class OwnedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that turns an impossible id into a validation error, not a 500."""

    def to_python(self, value):
        if value not in self.empty_values and not _id_in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class OwnedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value or ():
            if not _id_in_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def owned_formfield(db_field, **kwargs):
    """ModelForm formfield_callback: relations use the id-checking fields above."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", OwnedModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", OwnedModelChoiceField)
    return db_field.formfield(**kwargs)


class OwnedChoicesMixin:
    """Limit related-row choices to the owner's rows."""

    def limit_to_owner(self, owner):
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "owner"):
                field.queryset = queryset.filter(owner=owner)
        self.owner = owner


class PersonForm(OwnedChoicesMixin, forms.ModelForm):
    emails = forms.CharField(
        label=_("E-mail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line."),
        max_length=2000,
    )
    phones = forms.CharField(
        label=_("Phone"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One number per line; mobile numbers are recognised."),
        max_length=1000,
    )
    fax = forms.CharField(label=_("FAX"), required=False, max_length=40)
    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Separate tags with commas."),
    )
    birthday = date_field(_("Birthday"))
    first_met_on = date_field(_("First met"))
    website = NFKCURLField(label=_("Website"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        formfield_callback = owned_formfield
        fields = [
            "family_name", "given_name", "family_reading", "given_reading",
            "company", "company_reading", "department", "title",
            "address", "website", "line", "facebook", "x_handle", "linkedin", "birthday",
            "fields", "what_they_do", "what_they_want", "stage", "tier", "keep_in_touch_days",
            "introduced_by", "first_met_on", "first_met_event",
            "i_want_to_meet_again", "they_want_to_meet_again", "notes",
        ]  # fmt: skip
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 5}),
            "i_want_to_meet_again": forms.RadioSelect,
            "they_want_to_meet_again": forms.RadioSelect,
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)
        if self.instance.pk:
            self.fields["introduced_by"].queryset = self.fields["introduced_by"].queryset.exclude(pk=self.instance.pk)
            if not self.is_bound:
                points = list(self.instance.contact_points.all())
                self.initial["emails"] = "\n".join(p.value for p in points if p.kind == ContactPointKind.EMAIL)
                self.initial["phones"] = "\n".join(
                    p.value for p in points if p.kind in (ContactPointKind.PHONE, ContactPointKind.MOBILE)
                )
                self.initial["fax"] = next((p.value for p in points if p.kind == ContactPointKind.FAX), "")
                self.initial["tags_text"] = ", ".join(t.name for t in self.instance.tags.all())
                self.initial["version"] = self.instance.version
        self.fields["stage"].choices = [("", _("Not set")), *Stage.choices]
        self.fields["notes"].max_length = NOTES_MAX_LENGTH
        self.fields["introduced_by"].widget.attrs["class"] = "select-person"
        if self.instance.pk and self.instance.reading_inferred:
            self.fields["family_reading"].help_text = _("Guessed from the name dictionary: check it")
        # Typed through a Japanese IME, each name fills its reading (static/js/reading-fill.js).
        for name in ("family", "given"):
            self.fields[f"{name}_name"].widget.attrs["data-reading-target"] = f"id_{name}_reading"
            self.fields[f"{name}_reading"].widget.attrs["data-reading-of"] = f"id_{name}_name"

    def clean_emails(self):
        emails = [unicodedata.normalize("NFKC", email) for email in split_lines(self.cleaned_data["emails"])]
        if len(emails) > MAX_CONTACT_LINES:
            raise ValidationError(
                _("Enter at most %(count)d addresses."),
                params={"count": MAX_CONTACT_LINES},
            )
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    _("“%(value)s” is not a valid e-mail address."),
                    params={"value": email},
                ) from None
        return emails

    def clean_phones(self):
        lines = split_lines(self.cleaned_data["phones"])
        if len(lines) > MAX_CONTACT_LINES:
            raise ValidationError(
                _("Enter at most %(count)d numbers."),
                params={"count": MAX_CONTACT_LINES},
            )
        return [normalize_phone(line) for line in lines]

    def clean_fax(self):
        raw = self.cleaned_data["fax"].strip()
        return normalize_phone(raw) if raw else None

    def clean_tags_text(self):
        names = []
        for name in re.split(r"[,、，]+", self.cleaned_data["tags_text"]):
            name = unicodedata.normalize("NFKC", name).strip()
            if name and name not in names:
                if len(name) > 60:
                    raise ValidationError(_("A tag can be at most 60 characters long."))
                names.append(name)
        if len(names) > MAX_TAGS:
            raise ValidationError(_("Use at most %(count)d tags."), params={"count": MAX_TAGS})
        return names

    def clean(self):
        data = super().clean()
        if not (data.get("family_name") or "").strip() and not (data.get("given_name") or "").strip():
            raise ValidationError(_("Enter a family name or a given name."), code="name_required")
        return data

    def model_values(self) -> dict:
        """The cleaned values of the Person columns (no relations)."""
        skip = {"fields"}
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name not in skip}

    def contact_points(self) -> list[tuple[str, str, str]]:
        points = [(ContactPointKind.EMAIL, email, email.lower()) for email in self.cleaned_data["emails"]]
        for display, e164, mobile in self.cleaned_data["phones"]:
            points.append(
                (
                    ContactPointKind.MOBILE if mobile else ContactPointKind.PHONE,
                    display,
                    e164,
                )
            )
        if self.cleaned_data.get("fax"):
            display, e164, _mobile = self.cleaned_data["fax"]
            points.append((ContactPointKind.FAX, display, e164))
        return points

    def tags(self) -> list[Tag]:
        """The owner's tags named in the form, created when new."""
        tags = []
        for name in self.cleaned_data["tags_text"]:
            tag, _created = Tag.objects.get_or_create(owner=self.owner, name=name)
            tags.append(tag)
        return tags


class EventForm(forms.ModelForm):
    date = date_field(_("Date"), required=True)

    class Meta:
        model = Event
        fields = ["name", "kind", "date", "place", "goal", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].max_length = NOTES_MAX_LENGTH


class MeetingForm(OwnedChoicesMixin, forms.ModelForm):
    date = date_field(_("Date"), required=True)
    next_step_on = date_field(_("Next step date"))

    class Meta:
        model = Meeting
        formfield_callback = owned_formfield
        fields = [
            "date",
            "kind",
            "people",
            "event",
            "summary",
            "next_step",
            "next_step_on",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "people": forms.MultipleHiddenInput,
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)
        self.fields["summary"].max_length = NOTES_MAX_LENGTH
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("date", datetime.date.today())


class CaptureRowForm(OwnedChoicesMixin, forms.Form):
    """One person met at an event, typed on a phone in a few seconds."""

    name = forms.CharField(label=_("Name"), max_length=200)
    reading = forms.CharField(label=_("Reading"), max_length=200, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    phone = forms.CharField(label=_("Mobile"), required=False, max_length=60)
    email = NFKCEmailField(label=_("E-mail"), required=False, max_length=254)
    fields = OwnedModelMultipleChoiceField(
        label=_("Fields"),
        queryset=Field.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    memo = forms.CharField(label=_("Memo"), max_length=500, required=False)
    ledger_direction = forms.ChoiceField(
        label=_("Gave / got something"),
        choices=[("", _("Nothing")), *Direction.choices],
        required=False,
    )
    ledger_kind = forms.ChoiceField(
        label=_("What"),
        choices=[(k.value, k.label) for k in LedgerKind if k != LedgerKind.MONEY],
        required=False,
    )
    ledger_description = forms.CharField(label=_("What exactly"), max_length=200, required=False)
    want_again = forms.ChoiceField(
        label=_("Want to meet again?"),
        choices=Wish,
        initial=Wish.UNKNOWN,
        required=False,
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not any(split_name(name)):
            raise ValidationError(_("Enter a name."))
        # The family and given name columns hold 100 characters each (NFKC
        # can lengthen text), so check the parts as they will be stored.
        if any(len(part) > 100 for part in split_name(name)):
            raise ValidationError(_("A family or given name can be at most 100 characters long."))
        return name

    def clean_reading(self):
        reading = self.cleaned_data["reading"]
        if any(len(part) > 100 for part in split_reading(reading)):
            raise ValidationError(_("A reading can be at most 100 characters long per name."))
        return reading

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return phone_point(raw) if raw else None

    def contact_points(self) -> list[tuple[str, str, str]]:
        """The row's e-mail address and number as (kind, value, normalized)."""
        points = []
        if email := self.cleaned_data.get("email"):
            points.append((ContactPointKind.EMAIL, email, email.lower()))
        if phone := self.cleaned_data.get("phone"):
            points.append(phone)
        return points

    def ledger_values(self) -> dict | None:
        """The ledger entry typed with the row, or None when nothing was given or received."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("ledger_direction"):
            return None
        return {
            "direction": data["ledger_direction"],
            "kind": data.get("ledger_kind") or LedgerKind.OTHER,
            "description": data.get("ledger_description", "").strip(),
        }

    def person_values(self) -> dict:
        family, given = split_name(self.cleaned_data["name"])
        family_reading, given_reading = split_reading(self.cleaned_data["reading"])
        return {
            "family_name": family,
            "given_name": given,
            "family_reading": family_reading,
            "given_reading": given_reading,
            "company": self.cleaned_data["company"].strip(),
            "title": self.cleaned_data["title"].strip(),
            "i_want_to_meet_again": self.cleaned_data["want_again"] or Wish.UNKNOWN,
        }


class EndRelationshipForm(forms.Form):
    ended_on = date_field(_("Ended on"), required=True)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(OwnedChoicesMixin, forms.Form):
    other = OwnedModelChoiceField(label=_("Merge this person into the one shown"), queryset=Person.objects.all())

    def __init__(self, *args, owner, keep: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)
        self.fields["other"].queryset = self.fields["other"].queryset.exclude(pk=keep.pk)


class PeopleFilterForm(OwnedChoicesMixin, forms.Form):
    """The query string of the people list. Bad values are dropped, never a 500."""

    SORTS = [
        ("reading", _("Reading (五十音順)")),
        ("last_contact", _("Last contact")),
        ("first_met", _("First met")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    field = OwnedModelChoiceField(
        label=_("Field"), queryset=Field.objects.all(), required=False, empty_label=_("Any field")
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("Any tier")), *Tier.choices], required=False)
    tag = OwnedModelChoiceField(label=_("Tag"), queryset=Tag.objects.all(), required=False, empty_label=_("Any tag"))
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", _("Any stage")), *Stage.choices], required=False)
    event = OwnedModelChoiceField(label=_("Event"), queryset=Event.objects.all(), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("active", _("Active")), ("ended", _("Ended")), ("all", _("All"))],
        required=False,
    )
    want = forms.ChoiceField(
        label=_("I want to meet again"),
        choices=[("", _("Any")), *Wish.choices],
        required=False,
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)


AMOUNT_LIMIT = decimal.Decimal(10) ** (AMOUNT_MAX_DIGITS - 2)
_AMOUNT_NOISE = re.compile(r"[\s,_'’¥￥$€£]|円|JPY|USD|EUR", re.IGNORECASE)


class AmountField(forms.Field):
    """A sum of money: Decimal, at least 0, below 10¹² (two decimals at most).

    Accepts full-width digits and thousands separators ("１,０００,０００",
    "1,000,000", "¥5,000", "5000円").
    """

    widget = forms.TextInput
    MAX_TYPED = 40

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="decimal", autocomplete="off", maxlength=self.MAX_TYPED)

    def to_python(self, value):
        raw = str(value).strip() if value is not None else ""
        if not raw:
            return None
        if len(raw) > self.MAX_TYPED:
            raise ValidationError(_("That amount is too large (the limit is under 1 trillion)."), code="too_large")
        cleaned = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", raw)).replace("−", "-").replace("ー", "-")
        try:
            amount = decimal.Decimal(cleaned)
        except decimal.InvalidOperation:
            raise ValidationError(
                _("“%(value)s” is not an amount. Type digits, for example 5000 or 1,000,000."),
                code="invalid",
                params={"value": raw[:40]},
            ) from None
        if not amount.is_finite():
            raise ValidationError(_("“%(value)s” is not an amount."), code="invalid", params={"value": raw[:40]})
        if amount < 0:
            raise ValidationError(_("An amount cannot be negative."), code="negative")
        if amount >= AMOUNT_LIMIT:
            raise ValidationError(_("That amount is too large (the limit is under 1 trillion)."), code="too_large")
        if amount != amount.quantize(decimal.Decimal("0.01")):
            raise ValidationError(_("Use at most two decimal places."), code="decimals")
        return amount.quantize(decimal.Decimal("0.01"))


class LedgerEntryForm(OwnedChoicesMixin, forms.ModelForm):
    """One give-and-take entry with a person; money adds an amount and a currency."""

    date = date_field(_("Date"), required=True)
    amount = AmountField(label=_("Amount"), required=False)

    class Meta:
        model = LedgerEntry
        formfield_callback = owned_formfield
        fields = [
            "direction", "kind", "weight", "date", "description",
            "amount", "currency", "meeting", "introduced_person",
        ]  # fmt: skip
        widgets = {
            "direction": forms.RadioSelect,
            "weight": forms.RadioSelect,
        }

    def __init__(self, *args, owner, person: Person, **kwargs):
        # Its own ids: on the person page it sits beside the meeting form.
        kwargs.setdefault("auto_id", "id_ledger_%s")
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)
        self.person = person
        self.fields["meeting"].queryset = self.fields["meeting"].queryset.filter(people=person)
        self.fields["introduced_person"].queryset = self.fields["introduced_person"].queryset.exclude(pk=person.pk)
        self.fields["description"].widget.attrs.update(
            placeholder=_("e.g. Introduced a tax accountant"), autocomplete="off"
        )
        self.fields["currency"].widget.attrs.update(maxlength=3, autocapitalize="characters", autocomplete="off")
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("date", datetime.date.today())
        if self.instance.pk and self.instance.amount is not None and not self.is_bound:
            self.initial["amount"] = f"{self.instance.amount:f}".rstrip("0").rstrip(".")

    def clean_currency(self):
        currency = unicodedata.normalize("NFKC", self.cleaned_data.get("currency") or "").strip().upper()
        if not currency:
            return "JPY"
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise ValidationError(_("Enter a three-letter currency code such as JPY or USD."))
        return currency

    def clean(self):
        data = super().clean()
        if data.get("kind") == LedgerKind.MONEY and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount of money."))
        if data.get("kind") != LedgerKind.MONEY:
            data["amount"] = None
        if data.get("kind") != LedgerKind.INTRODUCTION:
            data["introduced_person"] = None
        return data

    def ledger_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class LoanReturnForm(forms.Form):
    returned = AmountField(
        label=_("Returned so far"),
        required=False,
        help_text=_("Leave empty when all of it came back."),
    )
    returned_on = date_field(_("Returned on"), required=True)


class LedgerSettingsForm(forms.ModelForm):
    class Meta:
        model = LedgerSettings
        fields = ["owe_after_days", "taker_min_entries", "taker_window_days"]


class LedgerFilterForm(OwnedChoicesMixin, forms.Form):
    """The query string of the ledger overview. Bad values are dropped, never a 500."""

    PERIODS = [("year", _("Last 12 months")), ("all", _("All time")), ("custom", _("From – to"))]

    flag = forms.ChoiceField(label=_("Flag"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *LedgerKind.choices], required=False)
    field = OwnedModelChoiceField(
        label=_("Field"), queryset=Field.objects.all(), required=False, empty_label=_("Any field")
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = date_field(_("From"))
    end = date_field(_("To"))

    def __init__(self, *args, owner, flags, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)
        self.fields["flag"].choices = [("", _("Any flag")), *flags]
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "ledger-filters__date"
