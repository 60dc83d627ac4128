"""Every URL pattern, requested as its owner, as another user and anonymously."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import make_user
from tests.url_matrix import ROUTES, Route

ADMIN_SAMPLE_KWARGS = {
    "app_label": "accounts",
    "object_id": "1",
    "content_type_id": "1",
    "url": "missing/",
}


def named_patterns(resolver=None, namespace=""):
    """Yield (full name, pattern) for every named URL pattern in the URLconf."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from named_patterns(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


ALL_PATTERNS = dict(named_patterns())
ADMIN_NAMES = sorted(name for name in ALL_PATTERNS if name.startswith("admin:"))
ROUTES_BY_NAME = {route.name: route for route in ROUTES}


def test_every_url_pattern_is_in_the_matrix():
    project_names = {name for name in ALL_PATTERNS if not name.startswith("admin:")}
    missing = sorted(project_names - ROUTES_BY_NAME.keys())
    assert not missing, f"Add these URL names to tests/url_matrix.py: {missing}"
    stale = sorted(ROUTES_BY_NAME.keys() - project_names)
    assert not stale, f"These matrix entries name no URL pattern: {stale}"
    assert len(ROUTES_BY_NAME) == len(ROUTES), "A URL name is listed twice in the matrix."


def test_every_url_pattern_has_a_name():
    def unnamed(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                yield from unnamed(entry, prefix + str(entry.pattern))
            elif not entry.name:
                yield prefix + str(entry.pattern)

    assert list(unnamed(get_resolver())) == []


def _request(client, method, url, data):
    if method == "get":
        return client.get(url)
    return client.post(url, data or {})


def _login_url():
    return reverse("accounts:login")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_route_access(route: Route, client):
    owner = make_user(username="owner")
    intruder = make_user(username="intruder")
    kwargs = route.kwargs(owner) if route.kwargs else {}
    url = reverse(route.name, kwargs=kwargs)

    for method, status in route.expect.items():
        data = route.data(owner) if route.data else None
        client.logout()
        response = _request(client, method, url, data)
        if route.access == "public":
            assert response.status_code == status, (route.name, method, "anonymous")
        else:
            assert response.status_code == 302, (route.name, method, "anonymous")
            assert response.url.startswith(_login_url()), (
                route.name,
                method,
                response.url,
            )

        if route.access == "owned":
            client.force_login(intruder)
            response = _request(client, method, url, data)
            # A method the view refuses for everyone (405) reveals nothing.
            expected = 405 if status == 405 else 404
            assert response.status_code == expected, (route.name, method, "other user", response.status_code)

        if route.access in {"owned", "login"}:
            client.force_login(owner)
            response = _request(client, method, url, data)
            assert response.status_code == status, (
                route.name,
                method,
                "owner",
                response.status_code,
            )


@pytest.mark.django_db
def test_foreign_and_unknown_ids_answer_404_for_every_owned_route(client):
    owner = make_user(username="owner")
    client.force_login(owner)
    for route in ROUTES:
        if route.access != "owned":
            continue
        kwargs = route.kwargs(owner)
        unknown = {key: 10**9 if isinstance(value, int) else value for key, value in kwargs.items()}
        method = next(m for m, status in route.expect.items() if status != 405)
        data = route.data(owner) if route.data else None
        response = _request(client, method, reverse(route.name, kwargs=unknown), data)
        assert response.status_code == 404, route.name


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_admin_pages_refuse_non_staff(name, client):
    pattern = ALL_PATTERNS[name]
    kwargs = {key: ADMIN_SAMPLE_KWARGS.get(key, "1") for key in pattern.pattern.regex.groupindex}
    url = reverse(name, kwargs=kwargs)
    admin_login = reverse("admin:login")
    if name in {"admin:login", "admin:logout"}:
        return  # the doors themselves
    client.force_login(make_user(username="plain", is_staff=False))
    response = client.get(url)
    assert response.status_code in {302, 404}, name
    if response.status_code == 302:
        assert response.url.startswith(admin_login), name
