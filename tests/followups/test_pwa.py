"""The installable app: manifest, service worker and offline page are public, and the CSP stays strict."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_with_icons_that_exist(client):
    response = client.get(reverse("manifest"), headers={"Accept-Language": "ja"})
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == reverse("followups:week")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes and any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_worker_is_served_from_the_root_uncached_with_files_that_exist(client):
    response = client.get(reverse("service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    precache = json.loads(body.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert reverse("offline") in precache
    for url in precache:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert 'addEventListener("push"' in body and "networkFirst" in body


def test_the_offline_page_shows_no_user_data(auth_client, user):
    page = auth_client.get(reverse("offline"), headers={"Accept-Language": "ja"}).content.decode()
    assert "オフラインです" in page
    assert user.get_username() not in page and "logout" not in page


def test_pages_link_the_manifest_and_the_worker_and_the_csp_allows_only_this_site(auth_client):
    response = auth_client.get(reverse("followups:week"))
    page = response.content.decode()
    assert f'rel="manifest" href="{reverse("manifest")}"' in page
    assert f'data-service-worker="{reverse("service_worker")}"' in page
    assert "data-install hidden" in page
    csp = response["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
