"""`{% site_header %}`: the header of every page, rendered once per language, user and page.

The header (brand, language switcher, the user's menu and the main navigation)
is the same on every visit to a page but for the request's CSRF token and
address, and rendering it through the template engine cost about 0.3 ms of
every page. It is rendered with stand-ins for those two, kept per process for
what it depends on (language, URL prefix, the user's id, name and staff flag,
and the current page's URL name), and the stand-ins are filled in on each
request.
"""

import secrets
from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..context_processors import existing_entries

register = template.Library()

# Stand-ins that no name or address can contain: random for each process.
_CSRF = f"csrf-{secrets.token_hex(16)}"
_NEXT = f"next-{secrets.token_hex(16)}"
# What {% csrf_token %} writes with the stand-in; without a token it writes nothing.
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF}">'


@lru_cache(maxsize=1024)
def _header(
    language: str, prefix: str, urlconf, authenticated: bool, username: str, is_staff: bool, current: str
) -> str:
    """The header's HTML with the stand-ins; `language` is active while it renders."""
    entries = [
        {"url_name": url_name, "url": url, "label": label, "active": url_name == current}
        for url_name, url, label in existing_entries()
    ]
    user = SimpleNamespace(is_authenticated=authenticated, get_username=username, is_staff=is_staff)
    context = {
        "user": user,
        "nav_entries": entries if authenticated else [],
        "csrf_token": _CSRF,
        "next_path": _NEXT,
    }
    return render_to_string("components/site_header.html", context)


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    request = context.get("request")
    # The template's `user` (a view may stand in an anonymous one, as the offline page does).
    user = context.get("user")
    authenticated = bool(user and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    html = _header(
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        authenticated,
        user.get_username() if authenticated else "",
        bool(authenticated and user.is_staff),
        match.view_name if match else "",
    )
    token = str(context.get("csrf_token", ""))
    if token in ("", "NOTPROVIDED"):
        html = html.replace(_CSRF_INPUT, "")
    path = request.get_full_path() if request else ""
    # The stand-ins take the request's values, escaped as the template would have.
    return mark_safe(html.replace(_CSRF, escape(token)).replace(_NEXT, escape(path)))  # nosec B308 B703
