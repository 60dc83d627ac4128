from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import two_factor


class NoStoreForAuthenticatedMiddleware:
    """Keep pages shown to a signed-in user out of browser and proxy caches.

    Notes about real people must not be readable from a shared computer's
    history or back button after logout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class StaffTwoFactorMiddleware:
    """With TWO_FACTOR_REQUIRED_FOR_STAFF on, a staff session without the second factor only reaches
    the pages that set it up (and sign out): nothing else, the admin included."""

    ALLOWED = {
        "accounts:two_factor",
        "accounts:two_factor_enable",
        "accounts:passkey_options",
        "accounts:passkey_add",
        "accounts:login_verify_passkey",
        "accounts:login_passkey_options",
        "accounts:logout",
        "accounts:set_language",
        "accounts:login",
        "accounts:login_verify",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not two_factor.required_for(request.user) or request.user.is_verified():
            return None
        if request.resolver_match and request.resolver_match.view_name in self.ALLOWED:
            return None
        if two_factor.is_enabled(request.user):
            # Signed in before the device was confirmed elsewhere: sign in again with a code.
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        return redirect("accounts:two_factor_enable")
