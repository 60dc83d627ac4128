from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

# The main navigation, in the order a user meets the tasks. An entry shows
# only once its page exists (its URL name resolves).
NAVIGATION = [
    ("contacts:capture", _("Capture")),
    ("contacts:person_list", _("People")),
    ("followups:week", _("This week")),
    ("insights:keyperson_list", _("Key persons")),
    ("insights:overview", _("Insights")),
    ("transfer:index", _("Import/Export")),
]


def existing_entries() -> tuple[tuple[str, str, str], ...]:
    """(URL name, URL, label) of each entry whose page exists."""
    return _existing_entries(get_script_prefix(), get_urlconf())


@cache
def _existing_entries(prefix: str, urlconf) -> tuple[tuple[str, str, str], ...]:
    """The entries for this script prefix and URLconf, reversed once per process (not on every page)."""
    entries = []
    for url_name, label in NAVIGATION:
        try:
            entries.append((url_name, reverse(url_name, urlconf=urlconf), label))
        except NoReverseMatch:
            continue
    return tuple(entries)


def navigation(request):
    """Whether the login page offers signing up; the navigation itself is `{% site_header %}`'s."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"signup_enabled": settings.SIGNUP_ENABLED}
    return {}
