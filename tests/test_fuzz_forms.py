"""Every form and every query parameter, fuzzed: hostile and random values never cause a 500,
and a request the app refuses (an error status or a form shown with errors) leaves every row as
it was. The values include NUL and other control characters, text that grows under NFKC, and
the edges of the calendar."""

import ast
import datetime
import importlib
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_user
from tests.snapshots import all_rows
from tests.url_matrix import QUERY_PARAMS, ROUTES, Route

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
CONTROL = ["\x01", "a\x1bb", "\x7f", "\x85", "\x00\x00", "\r\n\t"]
# Text that NFKC makes longer: ㍿ is 株式会社, ﷺ eighteen characters.
NFKC_GROWING = ["㍿" * 60, "ﷺ" * 20, "㌀" * 30, "ﾊﾟ" * 120, "⑳" * 40, "Ｆｕｌｌ　ｗｉｄｔｈ"]
CALENDAR_EDGES = [
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
    "1899-12-31",
    "2024-02-29",
    "2023-02-29",
    "1900-02-29",
    "2000-02-29",
    "10000-01-01",
    "0001/01/01",
    "9999年12月31日",
]
TRAPS = [*HOSTILE, *CONTROL, *NFKC_GROWING, *CALENDAR_EDGES]
trap_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"), st.sampled_from(["\x00", "\x01", "\x7f", "㍿", "ﷺ", "\u3000", "ｶ", "ﾞ"])
    ),
    max_size=120,
)
dates = st.one_of(
    st.sampled_from(CALENDAR_EDGES),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
)


def _value(valid):
    if hasattr(valid, "read"):  # an upload: the real file, or junk bytes under its name
        return st.one_of(
            st.just(valid),
            st.binary(max_size=2000).map(lambda data, name=valid.name: _upload(name, data)),
        )
    return st.one_of(st.just(valid), st.sampled_from(TRAPS), trap_text, dates, st.integers().map(str))


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


# --- Query parameters and paths ---------------------------------------------------------

APPS = ["accounts", "contacts", "followups", "insights", "transfer", "networking"]
_READS = re.compile(r"""GET(?:\.get|\.getlist)?[\(\[]\s*"(\w+)"|"(\w+)"\s+in\s+request\.GET|typed\("(\w+)"\)""")
_GET_FORM = re.compile(r"(\w+Form)\(\s*request\.GET")


def _parameters_read() -> set[str]:
    """Every query parameter a view reads: by name, or as a field of a form bound to request.GET."""
    base = Path(django_settings.BASE_DIR)
    names: set[str] = set()
    for app in APPS:
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "input_guard.py":
                continue
            source = path.read_text(encoding="utf-8")
            names |= {next(g for g in m.groups() if g) for m in _READS.finditer(source)}
            for form_name in set(_GET_FORM.findall(source)):
                module = _module_defining(source, form_name, path, base)
                names |= set(getattr(module, form_name).base_fields)
    return names


def _module_defining(source: str, name: str, path: Path, base: Path):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and any(alias.name == name for alias in node.names):
            package = ".".join(path.relative_to(base).with_suffix("").parts[:-1])
            return importlib.import_module(("." * node.level) + (node.module or ""), package=package or None)
    return importlib.import_module(".".join(path.relative_to(base).with_suffix("").parts))


@pytest.mark.django_db
def test_every_query_parameter_a_view_reads_is_fuzzed():
    owner = make_user(username="owner")
    listed = {key for build in QUERY_PARAMS.values() for key in build(owner)}
    missing = _parameters_read() - listed
    assert missing == set(), f"add these to tests/url_matrix.py QUERY_PARAMS: {sorted(missing)}"


ROUTE_BY_NAME = {route.name: route for route in ROUTES}
QUERIED = [ROUTE_BY_NAME[name] for name in QUERY_PARAMS]


def _client_for(route: Route, owner) -> Client:
    client = Client(raise_request_exception=False)
    if route.access != "public":
        client.force_login(owner)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route", QUERIED, ids=lambda r: r.name)
def test_fuzzed_query_parameters_never_fail_and_change_nothing(route: Route):
    owner = make_user(username="owner")
    url = reverse(route.name, kwargs=route.kwargs(owner) if route.kwargs else {})
    valid = QUERY_PARAMS[route.name](owner)
    client = _client_for(route, owner)
    client.get(url, valid)  # a first view may fill derived rows (tallies, figures): not a change
    query = st.fixed_dictionaries(
        {key: st.one_of(st.just(value), st.sampled_from(TRAPS), trap_text, dates) for key, value in valid.items()},
        optional={"extra": trap_text},
    )

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(params=query, htmx=st.booleans())
    def fuzz(params, htmx):
        before = all_rows()
        response = client.get(url, params, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, (route.name, params)
        assert all_rows() == before, (route.name, params)

    fuzz()


@pytest.mark.django_db
@pytest.mark.parametrize("route", QUERIED, ids=lambda r: r.name)
@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x01", "\x7f"], ids=["nul", "nul-inside", "soh", "del"])
def test_a_control_character_in_any_query_parameter_is_refused_with_a_message(route: Route, value):
    owner = make_user(username="owner")
    url = reverse(route.name, kwargs=route.kwargs(owner) if route.kwargs else {})
    client = _client_for(route, owner)
    for key in QUERY_PARAMS[route.name](owner):
        response = client.get(url, {key: value}, headers={"Accept-Language": "en"})
        assert response.status_code == 400, (route.name, key)
        assert "control character" in response.text


PATH_TRAPS = ["a%00b", "%7F", quote("㍿" * 60), "9999-12-31", "%E3%81"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.kwargs and r.access != "admin"], ids=lambda r: r.name)
def test_hostile_path_segments_never_fail(route: Route):
    owner = make_user(username="owner")
    kwargs = route.kwargs(owner)
    url = reverse(route.name, kwargs=kwargs)
    client = _client_for(route, owner)
    for name, value in kwargs.items():
        for trap in PATH_TRAPS:
            hostile = url.replace(f"/{value}", f"/{trap}", 1)
            for method in ("get", "post"):
                response = getattr(client, method)(hostile)
                assert response.status_code < 500, (route.name, name, trap, method)
