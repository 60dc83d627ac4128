"""Forms for people, events and meetings. Every choice of a related row is
limited to the owner's own rows, so a foreign id is a validation error."""

import datetime
import re
import unicodedata

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

# The capture row can record what was given or received with the person met
# (a ledger entry, written by the capture view through ledger.services).
from ledger.models import Direction, LedgerEntry, LedgerKind

from . import dates
from .models import (
    ContactPointKind,
    Event,
    Field,
    Meeting,
    Person,
    Stage,
    Tag,
    Tier,
    Wish,
)
from .phones import Phone, typed_phone
from .rules import (  # noqa: F401  (split_name and the limits are imported from here by other apps)
    FIELD_NAME_MAX_LENGTH,
    MAX_CONTACT_LINES,
    MAX_TAGS,
    NAME_REQUIRED,
    LimitedCharField,
    LimitsMixin,
    check_name_parts,
    limit,
    limited_formfield,
    sort_tag_names,
    split_name,
    split_reading,
    split_tags,
)

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=False, check=dates.validate_event_date, **kwargs) -> forms.DateField:
    """A date typed or picked; `check` bounds it (contacts.dates), None for a filter that takes any date."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(attrs={"min": dates.EARLIEST.isoformat()} if check else {}),
        validators=[check] if check else [],
        **kwargs,
    )


def normalize_phone(raw: str, *, known: frozenset[str] | set[str] = frozenset()) -> tuple[str, str, bool]:
    """Return (display, normalized, is_mobile) for a number a person typed; raise ValidationError.

    The rule lives in contacts.phones: Japanese from 0 or +81, international
    from +, else refused with a message (unless it is one of the `known`
    numbers already kept as written on the person).
    """
    phone = typed_phone(raw, known=known)
    return phone.display, phone.normalized, phone.mobile


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneField(forms.CharField):
    """One phone number a person types (the capture row, a form's FAX line): cleaned to a
    contacts.phones.Phone by the shared rule, or a message saying how to write it."""

    widget = TelInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)  # 60 after NFKC, with room for 内線 and spaces
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "tel")
        # Numbers kept as written on the person the form is about: typed again, they are accepted.
        self.known: frozenset[str] | set[str] = frozenset()

    def clean(self, value):
        value = super().clean(value)
        return typed_phone(value, known=self.known) if value else None


class NFKCEmailField(forms.EmailField):
    """An e-mail address typed in any width (ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ), normalised before it is checked."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value or "") if isinstance(value, str) else value)


class NFKCURLField(forms.URLField):
    """A web address typed in any width, normalised before it is checked."""

    def to_python(self, value):
        return super().to_python(unicodedata.normalize("NFKC", value or "") if isinstance(value, str) else value)


def phone_point(phone: Phone) -> tuple[str, str, str]:
    """(kind, display, normalized) of a number typed in a capture row: mobile unless it is a landline."""
    kind = ContactPointKind.MOBILE
    if not phone.mobile and phone.verified:
        try:
            number = phonenumbers.parse(phone.normalized.split(";", 1)[0])
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE:
            kind = ContactPointKind.PHONE
    return kind, phone.display, phone.normalized


def split_lines(value: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\r\n,;、，]+", value or "") if line.strip()]


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
    """ModelForm formfield_callback: relations use the id-checking fields above; text
    columns are checked against their one limit after normalising (contacts.rules)."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", OwnedModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", OwnedModelChoiceField)
    else:
        return limited_formfield(db_field, **kwargs)
    return db_field.formfield(**kwargs)


class OwnedChoicesMixin:
    """Limit related-row choices to the owner's rows."""

    def limit_to_owner(self, owner):
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "owner"):
                field.queryset = queryset.filter(owner=owner)
        self.owner = owner


class PersonForm(LimitsMixin, OwnedChoicesMixin, forms.ModelForm):
    """A person's card. Values are only checked here; views save them through
    `services.create_person`/`update_person` (tags too: a form never writes)."""

    emails = LimitedCharField(
        label=_("E-mail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line."),
        max_length=2000,
    )
    phones = LimitedCharField(
        label=_("Phone"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One number per line; mobile numbers are recognised."),
        max_length=1000,
    )
    fax = LimitedCharField(label=_("FAX"), required=False, max_length=40)
    tags_text = LimitedCharField(
        label=_("Tags"),
        required=False,
        # Room for every tag at its longest; each tag has its own limit.
        max_length=MAX_TAGS * (limit(Tag, "name") + 2),
        help_text=_("Separate tags with commas."),
    )
    birthday = date_field(_("Birthday"), check=dates.validate_birthday)
    first_met_on = date_field(_("First met"))
    website = NFKCURLField(label=_("Website"), max_length=limit(Person, "website"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        formfield_callback = owned_formfield
        fields = [
            "family_name", "given_name", "family_reading", "given_reading",
            "company", "company_reading", "department", "title",
            "address", "postal_code", "region", "locality", "country", "website", "line", "facebook", "x_handle", "linkedin", "birthday",
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
        self.fields["introduced_by"].widget.attrs["class"] = "select-person"
        for name in ("emails", "phones", "tags_text"):
            self.fields[name].widget.attrs.pop("data-counter", None)
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
        return [normalize_phone(line, known=self._kept_as_written()) for line in lines]

    def clean_fax(self):
        raw = self.cleaned_data["fax"].strip()
        return normalize_phone(raw, known=self._kept_as_written()) if raw else None

    def _kept_as_written(self) -> set[str]:
        """The person's numbers an import kept as written: saving the form again keeps them."""
        if not self.instance.pk:
            return set()
        return {p.value for p in self.instance.contact_points.all() if p.is_unverified}

    def clean_tags_text(self):
        names, _refused, problems = sort_tag_names(split_tags(self.cleaned_data["tags_text"]))
        if problems:
            raise ValidationError(problems)
        return names

    def clean(self):
        data = super().clean()
        if not (data.get("family_name") or "").strip() and not (data.get("given_name") or "").strip():
            raise ValidationError(NAME_REQUIRED, code="name_required")
        return data

    def model_values(self) -> dict:
        """The cleaned values of the Person columns (no relations)."""
        skip = {"fields"}
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in skip}
        if values.get("birthday"):
            # A full date replaces a birthday known without its year.
            values["birthday_month"] = values["birthday_day"] = None
        return values

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

    def tag_names(self) -> list[str]:
        """The tag names typed, for services.create_person/update_person to find or create."""
        return self.cleaned_data["tags_text"]


class EventForm(LimitsMixin, forms.ModelForm):
    date = date_field(_("Date"), required=True)

    class Meta:
        model = Event
        formfield_callback = limited_formfield
        fields = ["name", "kind", "date", "place", "goal", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class MeetingForm(LimitsMixin, OwnedChoicesMixin, forms.ModelForm):
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
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("date", datetime.date.today())


class CaptureRowForm(LimitsMixin, OwnedChoicesMixin, forms.Form):
    """One person met at an event, typed on a phone in a few seconds."""

    # A name and a reading fill two columns each (family, given).
    name = LimitedCharField(label=_("Name"), max_length=2 * limit(Person, "family_name") + 1, nfkc=True)
    reading = LimitedCharField(
        label=_("Reading"), max_length=2 * limit(Person, "family_reading") + 1, nfkc=True, required=False
    )
    company = LimitedCharField(label=_("Company"), max_length=limit(Person, "company"), required=False)
    title = LimitedCharField(label=_("Title"), max_length=limit(Person, "title"), required=False)
    # The one phone rule (contacts.phones): full-width digits, 内線/ext./x, foreign numbers with +.
    phone = PhoneField(label=_("Mobile"), required=False)
    email = NFKCEmailField(label=_("E-mail"), required=False, max_length=254)
    fields = OwnedModelMultipleChoiceField(
        label=_("Fields"),
        queryset=Field.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The memo becomes the meeting's summary, so it has the summary's limit.
    memo = LimitedCharField(label=_("Memo"), max_length=limit(Meeting, "summary"), required=False)
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
    ledger_description = LimitedCharField(
        label=_("What exactly"), max_length=limit(LedgerEntry, "description"), required=False
    )
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
        # Checked as the two parts will be stored.
        check_name_parts(*split_name(name))
        return name

    def clean_reading(self):
        reading = self.cleaned_data["reading"]
        if reading:
            check_name_parts(*split_reading(reading), what=_("A reading of a family or given name"))
        return reading

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return phone_point(phone) if phone else None

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


class EndRelationshipForm(LimitsMixin, forms.Form):
    ended_on = date_field(_("Ended on"), required=True)
    reason = LimitedCharField(
        label=_("Reason"),
        max_length=limit(Person, "ended_reason"),
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
