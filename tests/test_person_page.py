"""The person page in pieces: the first response is the card and the timeline;
the ledger, follow-ups and key roles are panels served by their own apps, and
every form loads when opened. Each piece runs a fixed number of queries."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    make_field,
    make_followup,
    make_key_person,
    make_ledger_entry,
    make_meeting,
    make_person,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SERIAL = itertools.count()


def _grow(owner, person, n: int) -> None:
    """Give the person n more meetings, ledger entries and key roles, follow-ups (one per reason), and the
    owner n more people."""
    from followups.models import FollowUp, Reason

    taken = set(FollowUp.objects.filter(person=person).values_list("reason", flat=True))
    free = [reason for reason in Reason if reason not in taken]
    for i in range(n):
        other = make_person(owner=owner, family_name=f"他{i}")
        meeting = make_meeting(owner=owner, people=[person, other], date=datetime.date(2026, 1, 1 + i))
        make_ledger_entry(owner=owner, person=person, meeting=meeting, description=f"記録{i}")
        make_ledger_entry(owner=owner, person=other, introduced_person=person, kind="introduction")
        if free:
            make_followup(owner=owner, person=person, reason=free.pop(0), note=f"用事{len(taken) + i}")
        make_key_person(owner=owner, person=person, field=make_field(owner=owner, name=f"分野{next(SERIAL)}"))


def _queries(client, url, headers=None) -> int:
    connection.queries_log.clear()  # a full log (9,000 queries) would count nothing
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return len(captured)


PIECES = [
    ("person page", lambda p: reverse("contacts:person_detail", args=[p.pk]), {}),
    ("ledger panel", lambda p: reverse("ledger:person_panel", args=[p.pk]), HTMX),
    ("follow-up panel", lambda p: reverse("followups:person_panel", args=[p.pk]), HTMX),
    ("key-role panel", lambda p: reverse("insights:person_key_roles", args=[p.pk]), HTMX),
    ("ledger form", lambda p: reverse("ledger:entry_create", args=[p.pk]), HTMX | {"HX-Target": "ledger-form"}),
    ("follow-up form", lambda p: reverse("followups:followup_add", args=[p.pk]), HTMX),
    ("key-role form", lambda p: reverse("insights:keyperson_tag", args=[p.pk]), HTMX),
    ("end form", lambda p: reverse("contacts:person_end", args=[p.pk]), HTMX),
]


@pytest.mark.parametrize(("piece", "url", "headers"), PIECES, ids=[piece for piece, _url, _headers in PIECES])
def test_each_piece_runs_the_same_queries_whatever_the_data_size(auth_client, user, piece, url, headers):
    person = make_person(owner=user, family_name="山田")
    _grow(user, person, 2)
    auth_client.get(url(person), headers=headers)  # warm: session, language, tallies of the day
    small = _queries(auth_client, url(person), headers)
    assert small > 0
    _grow(user, person, 6)
    assert _queries(auth_client, url(person), headers) == small, piece


def test_the_first_response_has_the_card_and_timeline_and_links_to_the_panels(auth_client, user):
    person = make_person(owner=user, family_name="山田", company="山田商店")
    _grow(user, person, 2)
    html = auth_client.get(person.get_absolute_url()).content.decode()
    assert "山田商店" in html and 'id="timeline"' in html
    for name in ("ledger:person_panel", "followups:person_panel", "insights:person_key_roles"):
        url = reverse(name, args=[person.pk])
        assert f'hx-get="{url}"' in html and f'href="{url}"' in html  # htmx, and a plain link without it
    # No other app's content and no form rendered: they load when shown or opened.
    assert "記録0" not in html and "用事0" not in html and "key-roles__list" not in html
    for field in ('name="description"', 'name="due_on"', 'name="tagged_on"', 'name="ended_on"', "<select"):
        assert field not in html


def test_the_panels_plain_links_open_pages_with_the_panel_and_its_form(auth_client, user):
    person = make_person(owner=user, family_name="山田")
    _grow(user, person, 1)
    ledger = auth_client.get(reverse("ledger:person_panel", args=[person.pk])).content.decode()
    assert "<html" in ledger and "記録0" in ledger and 'id="ledger-form"' in ledger and "<form" in ledger
    followups = auth_client.get(reverse("followups:person_panel", args=[person.pk])).content.decode()
    assert "<html" in followups and "用事0" in followups and 'name="due_on"' in followups
    roles = auth_client.get(reverse("insights:person_key_roles", args=[person.pk])).content.decode()
    assert "<html" in roles and "key-roles__list" in roles and 'name="tagged_on"' in roles


def test_adding_an_entry_refreshes_the_ledger_and_tells_the_follow_ups_to_reload(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(
        reverse("ledger:entry_create", args=[person.pk]),
        {"date": "2026-11-01", "direction": "received", "kind": "advice", "weight": "2", "description": "相談"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ledger-changed"
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="ledger"') and "相談" in html
    assert '<form id="ledger-form"' in html  # open again, empty, for the next entry
    panel = auth_client.get(reverse("followups:person_panel", args=[person.pk]), headers=HTMX).content.decode()
    assert 'hx-trigger="ledger-changed from:body"' in panel  # the follow-up panel listens


@pytest.mark.parametrize(
    "name", ["ledger:person_panel", "followups:person_panel", "insights:person_key_roles", "contacts:person_end"]
)
def test_another_users_person_is_not_found_in_any_piece(auth_client, other_user, name):
    stranger = make_person(owner=other_user)
    assert auth_client.get(reverse(name, args=[stranger.pk]), headers=HTMX).status_code == 404
    assert auth_client.get(reverse(name, args=[stranger.pk])).status_code == 404
