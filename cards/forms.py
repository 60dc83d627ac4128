"""Forms of the cards app: a scanned card's details added to a capture row, upload, and My card."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts.forms import normalize_phone
from contacts.models import ContactPoint, ContactPointKind, Person
from contacts.signals import RowConflict

from .models import MY_CARD_FIELDS, CardScan, MyCard, ScanState
from .services import attach

# What a card adds to the person's own columns.
PERSON_COLUMNS = ("department", "address", "website", "linkedin")
PHONE_KINDS = {"phone": ContactPointKind.PHONE, "mobile": ContactPointKind.MOBILE, "fax": ContactPointKind.FAX}


class CardExtrasForm(forms.Form):
    """The details read from a card that the capture row has no place for, and the scan they came from.

    Shown in the capture row when it was filled in from a card; saved with
    the row (in the same transaction) when the user saves it.
    """

    template_name = "cards/row_extras.html"
    prefix = "card"

    scan = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    fax = forms.CharField(label=_("FAX"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    website = forms.URLField(label=_("Website"), max_length=500, required=False, assume_scheme="https")
    linkedin = forms.CharField(label=_("LinkedIn"), max_length=200, required=False)

    def __init__(self, *args, owner, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.event = owner, event
        self.scan_obj: CardScan | None = None
        self.saved_as: Person | None = None
        self.numbers: dict[str, tuple[str, str]] = {}

    def clean_scan(self):
        scan = (
            CardScan.objects.filter(pk=self.cleaned_data["scan"], owner=self.owner, event=self.event)
            .select_related("person")
            .first()
        )
        if scan is None:
            raise ValidationError(_("This card was already saved or discarded."))
        if scan.state == ScanState.SAVED:
            # Saved from another tab (or sent twice): say as whom, the template links to them.
            self.saved_as = scan.person
            if scan.person is None:
                raise ValidationError(_("This card was already saved."))
            raise ValidationError(
                _("This card was already saved as %(name)s.") % {"name": scan.person.display_name}, code="saved"
            )
        self.scan_obj = scan
        return scan.pk

    def clean(self):
        data = super().clean()
        for name in PHONE_KINDS:
            raw = data.get(name, "")
            if raw:
                try:
                    display, e164, _mobile = normalize_phone(raw)
                except ValidationError as error:
                    self.add_error(name, error)
                else:
                    self.numbers[name] = (display, e164)
        for name in ("department", "address", "linkedin"):
            value = unicodedata.normalize("NFKC", data.get(name, "")).strip()
            limit = Person._meta.get_field(name).max_length
            if len(value) > limit:
                self.add_error(name, _("At most %(limit)d characters.") % {"limit": limit})
            data[name] = value
        return data

    def details(self) -> dict[str, str]:
        """The person columns the card gives (for a person met again, folded in by keep_new_details)."""
        return {name: self.cleaned_data[name] for name in PERSON_COLUMNS if self.cleaned_data.get(name)}

    def contact_points(self) -> list[tuple[str, str, str]]:
        return [(PHONE_KINDS[name], display, e164) for name, (display, e164) in self.numbers.items()]

    def save(self, *, person: Person, known: bool = False) -> None:
        """Claim the scan for the person and keep its photos with them; for a new person also
        write the card's details (a person met again took them through keep_new_details).

        Raises RowConflict when the card was saved meanwhile (another tab), so
        that the whole row is rolled back.
        """
        if not attach(scan=self.scan_obj, person=person):
            raise RowConflict
        if known:
            return
        details = self.details()
        for name, value in details.items():
            setattr(person, name, value)
        if details:
            Person.objects.filter(pk=person.pk).update(**details)
        ContactPoint.objects.bulk_create(
            [
                ContactPoint(person=person, kind=kind, value=display, normalized=e164)
                for kind, display, e164 in self.contact_points()
                if not ContactPoint.objects.filter(person=person, normalized=e164).exists()
            ]
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); checked as images by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return list(data)
        return [super().clean(data, initial)] if data else super().clean(data, initial) or []


class ScanUploadForm(forms.Form):
    photos = MultipleFileField(
        label=_("Card photos"),
        widget=MultipleFileInput(attrs={"accept": "image/*,.heic,.heif"}),
        required=True,
        error_messages={"required": _("Choose at least one photo of a card.")},
    )
    paired = forms.BooleanField(label=_("Front and back, in pairs"), required=False)


class MyCardForm(forms.ModelForm):
    shared = forms.MultipleChoiceField(
        label=_("Share in the QR code"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MyCard
        fields = [*MY_CARD_FIELDS, "shared"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared"].choices = [(name, self.fields[name].label) for name in MY_CARD_FIELDS]
        if not self.instance.pk and not self.initial.get("shared"):
            self.initial["shared"] = ["name", "reading", "company", "title", "email"]

    def clean(self):
        data = super().clean()
        for name in MY_CARD_FIELDS:
            if isinstance(data.get(name), str):
                value = unicodedata.normalize("NFKC", data[name]).strip()
                limit = MyCard._meta.get_field(name).max_length
                if len(value) > limit:
                    self.add_error(name, _("At most %(limit)d characters.") % {"limit": limit})
                data[name] = value
        if data.get("phone"):
            try:
                data["phone"] = normalize_phone(data["phone"])[0]
            except ValidationError as error:
                self.add_error("phone", error)
        return data
