from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from followups import pwa

from . import views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("contacts.urls")),
    path("", include("ledger.urls")),
    path("", include("followups.urls")),
    path("", include("jobs.urls")),
    path("transfer/", include("transfer.urls")),
    path("", include("insights.urls")),
    path("", include("cards.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The installable app: public, and at the root so the worker's scope is the whole site.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
]
