from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import OwnedModelChoiceField, date_field, owned_formfield
from contacts.models import Field, Profile
from contacts.rules import LimitsMixin, limited_formfield

from .models import Goal

PERIODS = [
    ("12", _("Last 12 months")),
    ("24", _("Last 2 years")),
    ("60", _("Last 5 years")),
    ("all", _("All time")),
]


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)

    def period_key(self) -> str:
        """The chosen period ("12", "24", "60" or "all"); the last 12 months when nothing valid was chosen."""
        return (self.cleaned_data.get("period") if self.is_valid() else "") or "12"


class ProfileForm(LimitsMixin, forms.ModelForm):
    class Meta:
        model = Profile
        formfield_callback = limited_formfield
        fields = ["stage", "what_i_do", "what_i_want"]
        widgets = {"what_i_do": forms.TextInput(), "what_i_want": forms.TextInput()}
        help_texts = {
            "stage": _("Candidates at a similar stage are suggested first."),
            "what_i_want": _("Shown in your weekly digest as a reminder of what to tell people."),
        }


class OwnedFieldsMixin:
    def limit_fields(self, owner, name="fields"):
        self.fields[name].queryset = Field.objects.filter(owner=owner)


class GoalForm(LimitsMixin, OwnedFieldsMixin, forms.ModelForm):
    class Meta:
        model = Goal
        formfield_callback = owned_formfield
        fields = ["description", "fields"]
        widgets = {"fields": forms.CheckboxSelectMultiple}
        help_texts = {"description": _("For example “a tax accountant” or “someone to golf with on Saturdays”.")}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_fields(owner)
        self.fields["description"].widget.attrs["placeholder"] = _("a tax accountant")


class TagForm(OwnedFieldsMixin, forms.Form):
    field = OwnedModelChoiceField(label=_("Field"), queryset=Field.objects.none(), empty_label=None)
    tagged_on = date_field(_("Key person since"), help_text=_("Empty: today."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_fields(owner, "field")
        self.fields["field"].error_messages["invalid_choice"] = _("Pick one of your fields.")
