import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.forms import date_field
from contacts.models import Meeting, MeetingKind
from contacts.rules import LimitedCharField, limit

from .drafts import PLACEHOLDERS, unknown_placeholders
from .models import DraftTemplate, FollowUpSettings

# Kinds a follow-up is done with (a first meeting at an event is not one of them).
DONE_KINDS = [(k, label) for k, label in MeetingKind.choices if k not in ("first_at_event", "at_event")]


class DoneForm(forms.Form):
    log_meeting = forms.BooleanField(label=_("Log what I did as a meeting"), required=False)
    kind = forms.ChoiceField(label=_("How"), choices=DONE_KINDS, required=False)
    date = date_field(_("Date"))
    # It becomes the meeting's summary, so it has the summary's one limit.
    summary = LimitedCharField(label=_("What happened"), max_length=limit(Meeting, "summary"), required=False)
    only_done = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("only_done"):
            data["log_meeting"] = False
        if data.get("log_meeting"):
            if not data.get("kind"):
                self.add_error("kind", _("Pick how you were in touch."))
            if data.get("date") and data["date"] > timezone.localdate() + datetime.timedelta(days=1):
                self.add_error("date", _("A meeting cannot be in the future."))
        return data

    def meeting_values(self, today: datetime.date) -> dict | None:
        if not self.cleaned_data.get("log_meeting"):
            return None
        return {
            "date": self.cleaned_data.get("date") or today,
            "kind": self.cleaned_data["kind"],
            "summary": self.cleaned_data.get("summary") or "",
        }


class SnoozeForm(forms.Form):
    TOMORROW, NEXT_WEEK, DATE = "tomorrow", "next_week", "date"
    until = forms.ChoiceField(
        label=_("Snooze until"),
        choices=[(TOMORROW, _("Tomorrow")), (NEXT_WEEK, _("Next week")), (DATE, _("A date"))],
    )
    date = date_field(_("Date"))

    def clean(self):
        data = super().clean()
        if data.get("until") == self.DATE and not data.get("date"):
            self.add_error("date", _("Pick the date to snooze until."))
        return data

    def until_date(self, today: datetime.date) -> datetime.date:
        choice = self.cleaned_data["until"]
        if choice == self.TOMORROW:
            return today + datetime.timedelta(days=1)
        if choice == self.NEXT_WEEK:
            return today + datetime.timedelta(days=7 - today.weekday())
        return max(self.cleaned_data["date"], today + datetime.timedelta(days=1))


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("Why skip it? (optional)"), max_length=200, required=False)


class ManualForm(forms.Form):
    due_on = date_field(_("When"), required=True)
    note = forms.CharField(label=_("What to do"), max_length=500)


class FollowUpSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())

    class Meta:
        model = FollowUpSettings
        fields = [
            "key_person_days", "network_days", "acquaintance_days", "birthday_days_before", "birthday_acquaintances",
            "digest_enabled", "daily_digest_enabled", "notice_time", "time_zone",
        ]  # fmt: skip
        widgets = {"notice_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]


class DraftTemplateForm(forms.ModelForm):
    """The user's wording of one draft; only the five placeholders are allowed."""

    class Meta:
        model = DraftTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def _clean_text(self, name: str) -> str:
        value = self.cleaned_data[name].replace("\r\n", "\n")
        if "\x00" in value:
            raise forms.ValidationError(_("Remove the control characters."))
        unknown = unknown_placeholders(value)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(found)s. Use only %(allowed)s.")
                % {
                    "found": ", ".join("{" + name + "}" for name in unknown),
                    "allowed": " ".join("{" + name + "}" for name in PLACEHOLDERS),
                }
            )
        return value

    def clean_subject(self):
        return self._clean_text("subject")

    def clean_body(self):
        return self._clean_text("body")
