"""The admin site, signed in to through the app's own sign-in page.

The admin has no login form of its own: /admin/login/ sends to the app's login
page, so the admin gets the same throttle, device cookies and second factor.
With TWO_FACTOR_REQUIRED_FOR_STAFF on, the admin also refuses a session that
did not pass the second factor.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import two_factor


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor.required_for(request.user) or request.user.is_verified()

    def login(self, request, extra_context=None):
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(target, reverse("accounts:login"))
        if self.has_permission(request):
            return redirect(target)
        if two_factor.required_for(request.user):
            return redirect(
                "accounts:two_factor_enable" if not two_factor.is_enabled(request.user) else "accounts:two_factor"
            )
        raise PermissionDenied
