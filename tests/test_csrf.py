"""CSRF: every unsafe request without a token is refused and changes nothing; htmx's header passes."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from tests.factories import make_user
from tests.snapshots import all_rows
from tests.url_matrix import ROUTES, Route

POSTED = [route for route in ROUTES if route.expect.get("post", 405) != 405 and route.access != "admin"]


def _client(owner, route: Route) -> Client:
    client = Client(enforce_csrf_checks=True)
    if route.access != "public":
        client.force_login(owner)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route", POSTED, ids=lambda r: r.name)
def test_a_post_without_a_token_is_refused_and_changes_nothing(route: Route):
    owner = make_user(username="owner")
    kwargs = route.kwargs(owner) if route.kwargs else {}
    data = route.data(owner) if route.data else {}
    client = _client(owner, route)
    before = all_rows()
    response = client.post(reverse(route.name, kwargs=kwargs), data)
    assert response.status_code == 403, route.name
    assert all_rows() == before, route.name


@pytest.mark.django_db
@pytest.mark.parametrize("route", POSTED, ids=lambda r: r.name)
def test_the_token_in_htmxs_header_is_accepted(route: Route):
    owner = make_user(username="owner")
    kwargs = route.kwargs(owner) if route.kwargs else {}
    data = route.data(owner) if route.data else {}
    client = _client(owner, route)
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    response = client.post(
        reverse(route.name, kwargs=kwargs), data, headers={"X-CSRFToken": secret, "HX-Request": "true"}
    )
    assert response.status_code != 403, route.name


def test_pages_put_the_token_where_htmx_sends_it(client, db):
    client.force_login(make_user(username="owner"))
    page = client.get(reverse("contacts:person_list")).text
    assert "hx-headers" in page and "X-CSRFToken" in page
