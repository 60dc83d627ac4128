from django.conf import settings
from django.urls import NoReverseMatch, reverse
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


def _existing_entries():
    entries = []
    for url_name, label in NAVIGATION:
        try:
            entries.append({"url_name": url_name, "url": reverse(url_name), "label": label})
        except NoReverseMatch:
            continue
    return entries


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"signup_enabled": settings.SIGNUP_ENABLED}
    current = request.resolver_match.view_name if request.resolver_match else ""
    entries = _existing_entries()
    for entry in entries:
        entry["active"] = entry["url_name"] == current
    return {"nav_entries": entries}
