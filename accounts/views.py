import logging
import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_htmx.middleware import HtmxDetails
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import passkeys, throttle, two_factor
from . import signup as signup_service
from .context_processors import existing_entries
from .forms import (
    AccountForm,
    ConfirmForm,
    PasskeyAddForm,
    PasskeySignInForm,
    SignupForm,
    ThrottledAuthenticationForm,
    TwoFactorCodeForm,
)
from .models import Passkey, RecoveryCodes, User, password_changed

# The password step's result waits this long for the second factor.
PENDING_SECONDS = 5 * 60
PENDING_KEY = "sign_in_pending"

log = logging.getLogger(__name__)


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Send the user to the first task in the navigation."""
    entries = existing_entries()
    return redirect(entries[0][1] if entries else "accounts:account")


def complete_sign_in(request: HttpRequest, user: User, redirect_to: str, device=None) -> HttpResponse:
    """Sign the user in (after every factor), forget this browser's failures and remember it as a known device."""
    login(request, user)
    if device is not None:
        django_otp.login(request, device)
    throttle.record_success(request, user.get_username())
    if two_factor.required_for(user) and device is None:
        messages.info(request, _("Your account needs two-factor authentication. Set it up to continue."))
        redirect_to = reverse("accounts:two_factor_enable")
    response = HttpResponseRedirect(redirect_to)
    throttle.remember_device(request, response, user.get_username())
    return response


class SignInView(auth_views.LoginView):
    """The password step; a user with two-factor authentication on is asked for a code next."""

    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        redirect_to = self.get_success_url()
        if two_factor.is_enabled(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": redirect_to,
                "at": time.time(),
            }
            return redirect("accounts:login_verify")
        return complete_sign_in(self.request, user, redirect_to)


def _pending_user(request: HttpRequest) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user else None


@never_cache
@sensitive_post_parameters("code")
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code (or a passkey)."""
    found = _pending_or_restart(request)
    if isinstance(found, HttpResponse):
        return found
    user, pending = found
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            if isinstance(device, RecoveryCodes):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left. Make new ones on the account page.",
                        "You used a recovery code; %(count)d are left. Make new ones on the account page.",
                        left,
                    )
                    % {"count": left},
                )
            return complete_sign_in(request, user, pending["next"], device)
        wait = two_factor.wait_seconds(user)
        if wait > 2:  # the first wrong codes wait a second or two: not worth a warning
            form.add_error(
                "code",
                ngettext(
                    "That code is not right. Too many wrong codes: wait %(seconds)d second before the next.",
                    "That code is not right. Too many wrong codes: wait %(seconds)d seconds before the next.",
                    wait,
                )
                % {"seconds": wait},
            )
        else:
            form.add_error("code", _("That code is not right."))
    return _login_verify_page(request, user, form)


def _login_verify_page(request: HttpRequest, user: User, form, passkey_error: str = "") -> HttpResponse:
    use_passkey = passkeys.available() and passkeys.has_passkeys(user)
    has_authenticator = two_factor.has_authenticator(user)
    if use_passkey:  # the passkey button comes first: a focused field would open a phone's keyboard
        form.fields["code"].widget.attrs.pop("autofocus", None)
    if not has_authenticator:
        form.fields["code"].help_text = _("One of your recovery codes.")
    return render(
        request,
        "registration/login_verify.html",
        {
            "form": form,
            "use_passkey": use_passkey,
            "has_authenticator": has_authenticator,
            "passkey_error": passkey_error,
        },
        status=422 if form.errors or passkey_error else 200,
    )


def _pending_or_restart(request: HttpRequest) -> tuple[User, dict] | HttpResponse:
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Sign-in took too long. Enter your password again."))
        return redirect("accounts:login")
    return found


@never_cache
@require_POST
def login_passkey_options(request: HttpRequest) -> HttpResponse:
    """The challenge for signing in with a passkey, for the user who just gave their password."""
    found = _pending_user(request)
    if found is None:
        return JsonResponse({"error": "expired"}, status=400)
    try:
        options = passkeys.authentication_options(request, user=found[0])
    except passkeys.PasskeyError:
        return JsonResponse({"error": "unavailable"}, status=409)
    return HttpResponse(options, content_type="application/json")


@never_cache
@require_POST
def login_verify_passkey(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, answered with a passkey."""
    found = _pending_or_restart(request)
    if isinstance(found, HttpResponse):
        return found
    user, pending = found
    form = PasskeySignInForm(request.POST)
    if form.is_valid():
        try:
            passkey = passkeys.authenticate(request, user=user, response=form.cleaned_data["credential"])
        except passkeys.PasskeyError as error:
            log.info("passkey sign-in refused for user %s: %s", user.pk, error)
            two_factor.cap_failures(user)
        else:
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            return complete_sign_in(request, user, pending["next"], passkey)
    wait = two_factor.wait_seconds(user)
    message = _("The passkey was not accepted. Try again, or use a code.")
    if wait > 2:
        message = ngettext(
            "The passkey was not accepted. Too many failed attempts: wait %(seconds)d second before the next.",
            "The passkey was not accepted. Too many failed attempts: wait %(seconds)d seconds before the next.",
            wait,
        ) % {"seconds": wait}
    return _login_verify_page(request, user, TwoFactorCodeForm(), passkey_error=message)


def _two_factor_page(request: AuthedRequest, *, form=None, add_form=None, status: int = 200) -> HttpResponse:
    """The account's two-factor page: authenticator app, passkeys, recovery codes left, turn off."""
    user = request.user
    enabled = two_factor.is_enabled(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": enabled,
            "has_authenticator": two_factor.has_authenticator(user),
            "passkeys": Passkey.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"),
            "passkeys_available": passkeys.available(),
            "add_form": add_form or PasskeyAddForm(needs_confirm=enabled),
            "confirm_form": ConfirmForm(),
            "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
            "form": form or TwoFactorCodeForm(),
        },
        status=status,
    )


@login_required
def two_factor_status(request: AuthedRequest) -> HttpResponse:
    return _two_factor_page(request)


def _owner_confirmed(request: AuthedRequest, value: str) -> bool:
    """Whether `value` is the user's password or a current code (authenticator or recovery code).

    The password goes through the sign-in throttle (authenticate()), a code
    through the devices' growing wait, so neither can be guessed here faster
    than at sign-in.
    """
    token = two_factor.clean_code(value)
    looks_like_code = (token.isdigit() and len(token) == 6) or (len(token) == 8 and token.isalnum())
    if looks_like_code and two_factor.verify(user=request.user, code=value) is not None:
        return True
    checked = authenticate(request, username=request.user.get_username(), password=value)
    return checked is not None and checked.pk == request.user.pk


@login_required
@require_POST
@sensitive_post_parameters("confirm")
def passkey_options(request: AuthedRequest) -> HttpResponse:
    """The challenge for adding a passkey; with two-factor on, only after the password or a current code.

    The proof comes before the browser makes the passkey, so a wrong password
    leaves no passkey on the device that the server does not know.
    """
    needs_owner = two_factor.is_enabled(request.user)
    if needs_owner:
        form = ConfirmForm(request.POST)
        if not form.is_valid() or not _owner_confirmed(request, form.cleaned_data["confirm"]):
            return JsonResponse({"error": "confirm"}, status=422)
    try:
        options = passkeys.registration_options(request, user=request.user, owner_confirmed=needs_owner)
    except passkeys.PasskeyError:
        return JsonResponse({"error": "unavailable"}, status=409)
    return HttpResponse(options, content_type="application/json")


@login_required
@require_POST
@sensitive_post_parameters("confirm")
def passkey_add(request: AuthedRequest) -> HttpResponse:
    """Keep the passkey the browser just made; the first second factor also brings recovery codes."""
    user = request.user
    needs_owner = two_factor.is_enabled(user)
    form = PasskeyAddForm(request.POST, needs_confirm=needs_owner)
    if not form.is_valid():
        return _two_factor_page(request, add_form=form, status=422)
    if not form.cleaned_data["credential"]:
        form.add_error(None, _("This browser cannot make passkeys, or JavaScript is off."))
        return _two_factor_page(request, add_form=form, status=422)
    try:
        passkey = passkeys.register(
            request,
            user=user,
            name=form.cleaned_data["name"],
            response=form.cleaned_data["credential"],
            needs_owner=needs_owner,
        )
    except passkeys.PasskeyError as error:
        log.info("passkey registration refused for user %s: %s", user.pk, error)
        form.add_error(None, _("The passkey could not be added. Try again."))
        return _two_factor_page(request, add_form=form, status=422)
    if not user.is_verified():
        django_otp.login(request, passkey)
    if not two_factor.has_recovery_codes(user):
        codes = two_factor.new_recovery_codes(user=user)
        messages.success(request, _("The passkey was added. Two-factor authentication is on."))
        return render(request, "accounts/recovery_codes.html", {"codes": codes})
    messages.success(request, _("The passkey “%(name)s” was added.") % {"name": passkey.name})
    return redirect("accounts:two_factor")


@login_required
@require_POST
@sensitive_post_parameters("confirm")
def passkey_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    """Remove one passkey, once the password or a current code proves it is the owner asking."""
    passkey = get_object_or_404(Passkey, pk=pk, user=request.user)
    if two_factor.required_for(request.user) and two_factor.second_factors(request.user) <= 1:
        messages.error(request, _("Staff accounts must keep two-factor authentication on: add another first."))
        return redirect("accounts:two_factor")
    form = ConfirmForm(request.POST)
    if not form.is_valid() or not _owner_confirmed(request, form.cleaned_data["confirm"]):
        messages.error(request, _("The passkey was kept: that is neither your password nor a current code."))
        return redirect("accounts:two_factor")
    two_factor.remove_passkey(user=request.user, passkey_id=passkey.pk)
    if two_factor.is_enabled(request.user):
        messages.success(request, _("The passkey “%(name)s” was removed.") % {"name": passkey.name})
    else:
        messages.success(request, _("The passkey was removed. Two-factor authentication is off."))
    return redirect("accounts:two_factor")


@login_required
@sensitive_post_parameters("code")
def two_factor_enable(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code and the key, then one code from the app to confirm."""
    if two_factor.has_authenticator(request.user):
        return redirect("accounts:two_factor")
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:  # no QR code was shown yet: show one
            return redirect("accounts:two_factor_enable")
    else:
        device = two_factor.pending_authenticator(user=request.user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    # The QR code comes first: focusing the field would scroll a phone past it.
    form.fields["code"].widget.attrs.pop("autofocus", None)
    # With passkeys already on, a second way in is added only by the owner (not by a stolen session).
    confirm_form = None
    if two_factor.is_enabled(request.user):
        confirm_form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if confirm_form is not None and not (
            confirm_form.is_valid() and _owner_confirmed(request, confirm_form.cleaned_data["confirm"])
        ):
            if not confirm_form.errors:
                confirm_form.add_error("confirm", _("That is neither your password nor a current code."))
        else:
            codes = two_factor.confirm_authenticator(user=request.user, code=form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                if not request.user.is_verified():
                    django_otp.login(request, device)
                if not codes:  # the recovery codes made with the first passkey stay
                    messages.success(request, _("The authenticator app is set up."))
                    return redirect("accounts:two_factor")
                messages.success(request, _("Two-factor authentication is on."))
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            form.add_error("code", _("That code is not right. Check the clock of your phone and try the newest code."))
    return render(
        request,
        "accounts/two_factor_enable.html",
        {
            "form": form,
            "confirm_form": confirm_form,
            "qr": two_factor.qr_data_uri(device),
            "key": two_factor.readable_key(device),
        },
        status=422 if form.errors or (confirm_form is not None and confirm_form.errors) else 200,
    )


def _code_checked(request: AuthedRequest) -> TwoFactorCodeForm | None:
    """The posted code form, or None when it was right."""
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid() and two_factor.verify(user=request.user, code=form.cleaned_data["code"]):
        return None
    if not form.errors:
        form.add_error("code", _("That code is not right."))
    return form


def _code_refused(request: AuthedRequest, form) -> HttpResponse:
    """The two-factor page again, with the refused code's message; nothing changed."""
    return _two_factor_page(request, form=form, status=422)


@login_required
@require_POST
@sensitive_post_parameters("code")
def two_factor_disable(request: AuthedRequest) -> HttpResponse:
    if not two_factor.is_enabled(request.user):
        return redirect("accounts:two_factor")
    if two_factor.required_for(request.user):
        messages.error(request, _("Staff accounts must keep two-factor authentication on."))
        return redirect("accounts:two_factor")
    form = _code_checked(request)
    if form is not None:
        return _code_refused(request, form)
    two_factor.disable(user=request.user)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")


@login_required
@require_POST
@sensitive_post_parameters("code")
def two_factor_recovery_codes(request: AuthedRequest) -> HttpResponse:
    if not two_factor.is_enabled(request.user):
        return redirect("accounts:two_factor")
    form = _code_checked(request)
    if form is not None:
        return _code_refused(request, form)
    codes = two_factor.new_recovery_codes(user=request.user)
    messages.success(request, _("New recovery codes are ready; the old ones no longer work."))
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


def signup(request: HttpRequest) -> HttpResponse:
    """Ask for a name and an e-mail address; the same answer whether the name is free or taken."""
    if not settings.SIGNUP_ENABLED:
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        form = SignupForm(request.POST)
        # Every attempt counts, so the form cannot be used to try name after name quickly.
        rules = throttle.signup_rules(request)
        if throttle.locked_until(rules) is not None:
            form.is_valid()  # the fields keep what was typed
            form.add_error(None, _("Too many sign-up attempts from your network. Try again in an hour."))
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        throttle.record_failure(rules)
        if form.is_valid():
            signup_service.request_account(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
            return render(request, "accounts/signup_sent.html", {"email": form.cleaned_data["email"]})
    else:
        form = SignupForm()
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("new_password1", "new_password2")
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: choose a password, and the account is created and signed in."""
    if not settings.SIGNUP_ENABLED:
        return render(request, "accounts/signup_closed.html", status=403)
    data = signup_service.read_link(token)
    if data is None:
        messages.error(request, _("That sign-up link is not valid or is more than a day old. Sign up again."))
        return redirect("accounts:signup")
    user = User(username=data["u"], email=data["e"], language=data["l"])
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        created = signup_service.create_account(form=form)
        if created is None:
            messages.error(request, _("Someone took that name meanwhile. Sign up again with another name."))
            return redirect("accounts:signup")
        logout(request)
        login(request, created, backend="accounts.backends.ThrottledModelBackend")
        messages.success(request, _("Welcome to Jinmyaku. Your account is ready."))
        response = redirect("home")
        throttle.remember_device(request, response, created.get_username())
        return response
    return render(
        request,
        "accounts/signup_confirm.html",
        {"form": form, "username": user.username},
        status=422 if form.errors else 200,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed.send(sender=User, user=form.user)
        return response


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccountForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your account was saved."))
            return redirect("accounts:account")
    else:
        form = AccountForm(instance=request.user)
    return render(
        request, "accounts/account.html", {"form": form, "two_factor_enabled": two_factor.is_enabled(request.user)}
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and remember it on the account."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response
