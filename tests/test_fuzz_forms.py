"""Every form, fuzzed: hostile and random values in every field never cause a 500, and a request
the app refuses (an error status or a form shown with errors) leaves every row as it was."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_user
from tests.snapshots import all_rows
from tests.url_matrix import ROUTES, Route

POSTED = [route for route in ROUTES if route.expect.get("post", 405) != 405 and route.access != "admin"]
ERROR_MARKS = ("field--error", "field__error", "form-errors", 'role="alert"')
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil")',
    "' OR 1=1 --",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "2026-02-30",
    "0000-00-00",
    "９９",
    "山" * 5000,
    "🙂" * 300,
    "\u202e\u0644",
    "../../etc/passwd",
]


def _value(valid):
    if hasattr(valid, "read"):  # an upload: the real file, or junk bytes under its name
        return st.one_of(
            st.just(valid),
            st.binary(max_size=2000).map(lambda data, name=valid.name: _upload(name, data)),
        )
    return st.one_of(st.just(valid), st.sampled_from(HOSTILE), st.text(max_size=200), st.integers().map(str))


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return False
    return any(mark in response.text for mark in ERROR_MARKS)


@pytest.mark.django_db
@pytest.mark.parametrize("route", POSTED, ids=lambda r: r.name)
def test_fuzzed_posts_never_fail_and_refused_ones_change_nothing(route: Route):
    owner = make_user(username="owner")
    kwargs = route.kwargs(owner) if route.kwargs else {}
    valid = route.data(owner) if route.data else {}
    url = reverse(route.name, kwargs=kwargs)
    client = Client(raise_request_exception=False)
    if route.access != "public":
        client.force_login(owner)
    body = st.fixed_dictionaries({key: _value(value) for key, value in valid.items()}, optional={"extra": st.text()})

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=body, htmx=st.booleans())
    def fuzz(data, htmx):
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
        before = all_rows()
        response = client.post(url, data, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, (route.name, data)
        if _refused(response):
            assert all_rows() == before, (route.name, data, response.status_code)

    fuzz()
