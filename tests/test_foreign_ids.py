"""Another user's ids posted in any form change nothing: no row of one user ever points at another's."""

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.url_matrix import ROUTES, Route

POSTED = [route for route in ROUTES if route.expect.get("post", 405) != 405 and route.data and route.access != "public"]


def _owner_path(model) -> str | None:
    """The lookup from a model to its owner, when it has one."""
    names = {f.name for f in model._meta.get_fields()}
    if "owner" in names:
        return "owner"
    for name, path in (("person", "person__owner"), ("job", "job__owner"), ("meeting", "meeting__owner")):
        if name in names:
            return path
    return None


def cross_owner_links() -> list[str]:
    """Every row whose foreign key or many-to-many link points at a row of another owner."""
    found = []
    for model in apps.get_models():
        mine = _owner_path(model)
        if mine is None:
            continue
        for field in model._meta.get_fields():
            if not (field.many_to_one or field.one_to_one or field.many_to_many) or field.auto_created:
                continue
            target = _owner_path(field.related_model)
            if target is None or field.name == "owner":
                continue
            bad = (
                model._base_manager.exclude(**{f"{field.name}__isnull": True})
                .exclude(**{mine: models.F(f"{field.name}__{target}")})
                .values_list("pk", flat=True)
            )
            found += [f"{model._meta.label}.{field.name} #{pk}" for pk in bad]
    return found


def _rows_of(user) -> dict:
    snapshot = {}
    for model in apps.get_models():
        path = _owner_path(model)
        if path:
            snapshot[model._meta.label] = list(model._base_manager.filter(**{path: user}).order_by("pk").values())
    return snapshot


@pytest.mark.django_db
@pytest.mark.parametrize("route", POSTED, ids=lambda r: r.name)
def test_a_form_filled_with_another_users_ids_changes_nothing_of_theirs_and_links_nothing(route: Route):
    owner = make_user(username="owner")
    intruder = make_user(username="intruder")
    kwargs = route.kwargs(owner) if route.kwargs else {}
    # The body names the other user's objects (people, meetings, fields…) where it names any.
    data = route.data(intruder)
    theirs = _rows_of(intruder)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.post(reverse(route.name, kwargs=kwargs), data)
    assert response.status_code < 500
    assert _rows_of(intruder) == theirs, route.name
    assert cross_owner_links() == [], route.name


@pytest.mark.django_db
def test_the_cross_owner_check_finds_a_planted_link():
    from tests.factories import make_meeting, make_person

    owner, intruder = make_user(username="owner"), make_user(username="intruder")
    meeting = make_meeting(owner=owner, people=[make_person(owner=owner)])
    meeting.people.add(make_person(owner=intruder))
    assert any("Meeting" in link or "meeting" in link for link in cross_owner_links())
