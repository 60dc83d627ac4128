import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User


def locked_error(until) -> ValidationError:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ValidationError(
        ngettext(
            "Too many failed attempts. Sign-in is locked; try again in %(minutes)d minute.",
            "Too many failed attempts. Sign-in is locked; try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        code="locked",
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form; says how long to wait when the throttle (accounts/backends.py) refuses the attempt."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            until = getattr(self.request, "sign_in_locked_until", None)
            if until is not None:
                raise locked_error(until) from None
            raise


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class SignupForm(forms.ModelForm):
    """A name and an e-mail address; the password is chosen from the link mailed there (accounts/signup.py)."""

    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send a link there to finish signing up. Also used for the weekly digest."),
    )

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def validate_unique(self):
        # Whether the name is taken is told only by e-mail, to the address given.
        pass


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "language")


class PasskeyResponseField(forms.CharField):
    """The browser's answer to a passkey ceremony, as JSON text put in a hidden field by static/js/passkeys.js."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64 * 1024, widget=forms.HiddenInput, **kwargs)


class PasskeyAddForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the passkey"),
        max_length=64,
        help_text=_("So you can tell your passkeys apart, e.g. “iPhone” or “office security key”."),
    )
    confirm = forms.CharField(
        label=_("Your password or a current code"),
        max_length=128,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    credential = PasskeyResponseField(required=False)

    def __init__(self, *args, needs_confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_confirm:
            self.fields["confirm"].required = True
        else:
            del self.fields["confirm"]


class PasskeySignInForm(forms.Form):
    credential = PasskeyResponseField()


class ConfirmForm(forms.Form):
    """Proof that the person at the keyboard is the owner: the password, or a code from a second factor."""

    confirm = forms.CharField(
        label=_("Your password or a current code"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
