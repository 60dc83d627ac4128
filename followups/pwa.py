"""The installable app: web app manifest, service worker, offline page, and the devices that get notices.

The manifest and the worker are public (a browser fetches them without the
session); the worker is served from the site's root so that its scope is the
whole site, and never cached by the browser's HTTP cache so an update is seen.
"""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.views import AuthedRequest

from . import push
from .models import PushSubscription

THEME = "#2f6f62"
BACKGROUND = "#f7f5f0"

# What the worker keeps for offline use: the styles and scripts of every
# page, htmx, the icons, and the offline page.
PRECACHE_STATIC = (
    "css/app.css",
    "css/capture.css",
    "css/week.css",
    "js/app.js",
    "js/capture.js",
    "js/week.js",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "img/icon.svg",
    "img/icon-192.png",
    "img/badge-96.png",
)


@require_GET
def manifest(request) -> JsonResponse:
    data = {
        "id": "/",
        "name": _("Jinmyaku: a notebook for the people you meet"),
        "short_name": _("Jinmyaku"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("followups:week"),
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("Capture"), "url": reverse("contacts:capture")},
            {"name": _("This week"), "url": reverse("followups:week")},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _precache() -> list[str]:
    return [static(path) for path in PRECACHE_STATIC] + [reverse("offline")]


@require_GET
@never_cache
def service_worker(request) -> HttpResponse:
    urls = _precache()
    # A new version whenever a static file's hashed name changes (or the list does).
    version = hashlib.sha256(json.dumps(urls).encode()).hexdigest()[:12]
    context = {
        "version": version,
        "precache": json.dumps(urls),
        "static_prefix": json.dumps(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        ),
        "offline_url": json.dumps(reverse("offline")),
        "week_url": json.dumps(reverse("followups:week")),
        "icon": json.dumps(static("img/icon-192.png")),
        "badge": json.dumps(static("img/badge-96.png")),
    }
    response = render(request, "pwa/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request) -> HttpResponse:
    """What the worker shows for a page that is not in its cache while offline (no user data)."""
    # Kept by the worker for every page it has no copy of: no name, no menu.
    return render(request, "pwa/offline.html", {"user": AnonymousUser(), "nav_entries": ()})


# Devices that get the morning notice


def _device_name(request) -> str:
    agent = request.headers.get("User-Agent", "")
    for needle, name in (
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Macintosh", "Mac"),
        ("Windows", "Windows"),
        ("Linux", "Linux"),
    ):
        if needle in agent:
            browser = next((b for b in ("Edg", "Firefox", "Chrome", "Safari") if b in agent), "")
            return f"{name} {browser.replace('Edg', 'Edge')}".strip()
    return _("This device")


@login_required
@require_POST
def push_subscribe(request: AuthedRequest) -> JsonResponse:
    """Store the subscription the browser's push service gave (JSON: endpoint, keys.p256dh, keys.auth)."""
    if request.content_type != "application/json":
        return JsonResponse({"error": _("This is not a push subscription.")}, status=400)
    try:
        data = json.loads(request.body.decode("utf-8"))
        found = push.parse_subscription(data)
    except (UnicodeDecodeError, json.JSONDecodeError, push.BadSubscription) as error:
        return JsonResponse({"error": str(error) or _("This is not a push subscription.")}, status=400)
    subscription = push.save_subscription(owner=request.user, device=_device_name(request), **found)
    return JsonResponse({"id": subscription.pk, "enabled": subscription.enabled}, status=201)


@login_required
@require_POST
def push_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(PushSubscription, pk=pk, owner=request.user)
    PushSubscription.objects.filter(pk=subscription.pk).update(enabled=not subscription.enabled)
    messages.success(
        request,
        (_("Notices are off on %(device)s.") if subscription.enabled else _("Notices are on on %(device)s."))
        % {"device": subscription.device or _("this device")},
    )
    return redirect(reverse("followups:settings") + "#devices")


@login_required
@require_POST
def push_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(PushSubscription, pk=pk, owner=request.user)
    subscription.delete()
    messages.success(request, _("The device was removed: it gets no more notices."))
    return redirect(reverse("followups:settings") + "#devices")


@login_required
@require_POST
def push_test(request: AuthedRequest) -> HttpResponse:
    """Send the notice now to every device that is on, to see that it arrives."""
    if not push.configured():
        messages.error(request, _("Notices are not set up on this server (no VAPID keys)."))
    else:
        sent = push.send_notice(owner=request.user)
        if sent:
            messages.success(request, _("A notice was sent to %(count)d device(s).") % {"count": sent})
        else:
            messages.error(request, _("No device got the notice. Turn notices on on this device first."))
    return redirect(reverse("followups:settings") + "#devices")
