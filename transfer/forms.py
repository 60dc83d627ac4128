from django import forms
from django.utils.translation import gettext_lazy as _

from .csvformats import TARGETS
from .models import DuplicateAction


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("vCard (.vcf) or CSV."))


class RestoreForm(forms.Form):
    file = forms.FileField(label=_("Backup file"), help_text=_("A .json file made by “Full backup”."))


class ConfirmForm(forms.Form):
    duplicates = forms.ChoiceField(
        label=_("Duplicates without a choice of their own"),
        choices=DuplicateAction,
        initial=DuplicateAction.MERGE,
        widget=forms.RadioSelect,
    )


class DuplicateDefaultForm(ConfirmForm):
    apply_to_all = forms.BooleanField(required=False)


class RowActionForm(forms.Form):
    action = forms.ChoiceField(label=_("What to do"), choices=DuplicateAction)


class MappingForm(forms.Form):
    """For each thing a person has, the column of the file that holds it (or none)."""

    def __init__(self, *args, header: list[str], initial_mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [
            (str(i), name or _("Column %(number)d") % {"number": i + 1}) for i, name in enumerate(header)
        ]
        for key, label in TARGETS:
            self.fields[key] = forms.ChoiceField(label=label, choices=choices, required=False)
            if key in initial_mapping:
                self.initial[key] = str(initial_mapping[key])

    def clean(self):
        data = super().clean()
        mapping = {key: int(value) for key, value in data.items() if value not in ("", None)}
        if not {"family_name", "given_name", "full_name"} & mapping.keys():
            raise forms.ValidationError(_("Choose the column with the name (full name, or family or given name)."))
        data["mapping"] = mapping
        return data
