import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import throttle
from .models import User


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing every attempt on a name or address with too many recent failures."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        keys = throttle.keys_for(username, self.request.META.get("REMOTE_ADDR") if self.request else None)
        until = throttle.locked_until(keys)
        if until is not None:
            minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
            raise ValidationError(
                ngettext(
                    "Too many failed attempts. Sign-in is locked; try again in %(minutes)d minute.",
                    "Too many failed attempts. Sign-in is locked; try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked",
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if username and any(e.code == "invalid_login" for e in error.error_list):
                throttle.record_failure(keys)
            raise
        throttle.clear(username)
        return cleaned


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional. Used for the weekly digest."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "language")
