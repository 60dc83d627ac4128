"""Forms of the give-and-take ledger. Choices of meetings and people are limited
to the owner's own rows, so a foreign id is a validation error."""

import datetime
import decimal
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts.forms import OwnedChoicesMixin, OwnedModelChoiceField, date_field, owned_formfield
from contacts.models import Field, Person

from .models import AMOUNT_MAX_DIGITS, LedgerEntry, LedgerKind, LedgerSettings

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
    start = date_field(_("From"), check=None)
    end = date_field(_("To"), check=None)

    def __init__(self, *args, owner, flags, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_to_owner(owner)
        self.fields["flag"].choices = [("", _("Any flag")), *flags]
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "ledger-filters__date"
