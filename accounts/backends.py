"""The one authentication backend: Django's, behind the sign-in throttle.

Every sign-in form goes through `authenticate()`, so the app's login page, the
admin and anything added later share the same limits (accounts/throttle.py).
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None or username is None:
            # Local callers only (management commands, the test client's login()).
            return super().authenticate(request, username=username, password=password, **kwargs)
        rules = throttle.rules_for(username, request)
        until = throttle.locked_until(rules)
        if until is not None:
            # The form reads this to say how long to wait; PermissionDenied stops
            # authenticate() before any other backend is tried.
            request.sign_in_locked_until = until
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(rules)
        return user
