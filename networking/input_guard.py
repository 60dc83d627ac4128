"""Refuse, before any view runs, requests whose address or form encoding no view can handle safely.

A NUL or other control character in the path or a query parameter reaches
views as text that PostgreSQL refuses to compare (a 500 on every search
box and on the calendar feed, which needs no sign-in), and that nobody can
type on purpose. A form posted in another charset than UTF-8 would be
decoded wrongly or fail to decode at all. Both answer 400 with a message in
the user's language, before anything is read or saved.
"""

import codecs
import re

from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls but tab, line feed and carriage return (a textarea sent by GET
# keeps its line breaks), DEL, and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


class InputGuardMiddleware:
    """Answer 400 to a control character in the path or the query string, and to a non-UTF-8 form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = self.refusal(request)
        if reason:
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)

    @staticmethod
    def refusal(request) -> str:
        if has_control_characters(request.path) or any(
            has_control_characters(key) or any(has_control_characters(v) for v in values)
            for key, values in request.GET.lists()
        ):
            return _(
                "The address contains a control character (such as NUL) that cannot be used. "
                "Remove it and try again; nothing was changed."
            )
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type in FORM_TYPES:
            charset = request.content_params.get("charset")
            if charset and not _is_utf8(charset):
                return _("The form was sent in the character set “%(charset)s”; only UTF-8 is accepted.") % {
                    "charset": charset[:40]
                }
        return ""
