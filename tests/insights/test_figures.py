"""The insights page's stored figures: read in one query, and never shown once something changed."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Field
from insights import figures, selectors
from insights.models import InsightsSnapshot
from jobs import enqueue
from tests.factories import make_event, make_field, make_key_person, make_person

pytestmark = pytest.mark.django_db

URL = reverse("insights:overview")


def _breadth(client) -> dict:
    data = client.get(URL).context["chart_data"]["chart-breadth"]
    return dict(
        zip(data["labels"], zip(data["series"][0]["data"], data["series"][1]["data"], strict=True), strict=True)
    )


def _aggregates(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.fixture
def notebook(user):
    it = make_field(owner=user, name="IT")
    people = [make_person(owner=user, fields=[it], family_name=f"人{i}") for i in range(3)]
    return it, people


def test_a_second_visit_reads_the_stored_figures_without_counting_anything(auth_client, user, notebook):
    auth_client.get(URL)
    with CaptureQueriesContext(connection) as visit:
        assert _breadth(auth_client)["IT"] == (3, 0)
    assert _aggregates(visit.captured_queries) == []
    snapshot_reads = [q for q in visit.captured_queries if "insights_insightssnapshot" in q["sql"]]
    assert len(snapshot_reads) == 1


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda c, it, people: c.post(reverse("contacts:person_delete", args=[people[0].pk])), {"IT": (2, 0)}),
        (
            lambda c, it, people: c.post(
                reverse("contacts:person_end", args=[people[0].pk]), {"ended_on": "2026-11-01", "reason": "moved"}
            ),
            {"IT": (2, 0)},
        ),
        (lambda c, it, people: c.post(reverse("contacts:field_edit", args=[it.pk]), {"name": "情報技術"}), None),
        (
            lambda c, it, people: c.post(reverse("insights:keyperson_tag", args=[people[1].pk]), {"field": it.pk}),
            {"IT": (3, 1)},
        ),
    ],
    ids=["delete", "end", "rename field", "tag key person"],
)
def test_any_save_shows_on_the_next_visit(auth_client, user, notebook, change, expected):
    it, people = notebook
    assert _breadth(auth_client)["IT"] == (3, 0)
    response = change(auth_client, it, people)
    assert response.status_code in (200, 302)
    breadth = _breadth(auth_client)
    if expected is None:
        assert breadth == {"情報技術": (3, 0)}
    else:
        assert breadth == expected


def test_a_refused_save_leaves_the_figures_current(auth_client, user, notebook):
    it, _people = notebook
    auth_client.get(URL)
    version = InsightsSnapshot.objects.get(owner=user).version
    # A goal with no description is refused (422): nothing changed, so nothing to recompute.
    response = auth_client.post(reverse("insights:goal_create"), {"description": ""})
    assert response.status_code == 422
    assert InsightsSnapshot.objects.get(owner=user).version == version


def test_changes_made_by_a_worker_mark_the_figures_stale(
    user, auth_client, notebook, django_capture_on_commit_callbacks
):
    """Imports, restores and merges announce `people_changed`; the follow-up engine `followups_written`."""
    from contacts.services import people_changed
    from followups.services import recompute_person

    it, people = notebook
    auth_client.get(URL)
    Field.objects.filter(pk=it.pk).update(name="changed behind the page's back")
    with django_capture_on_commit_callbacks(execute=True):
        people_changed.send(sender=None, owner_id=user.pk, person_ids=[people[0].pk])
    assert "changed behind the page's back" in _breadth(auth_client)

    # The engine writes a follow-up (the person has none yet): tie health moves.
    data = auth_client.get(URL).context["chart_data"]["chart-health"]
    before = sum(data["series"][0]["data"]) + sum(data["series"][1]["data"])
    with django_capture_on_commit_callbacks(execute=True):
        recompute_person(person=people[0])
    data = auth_client.get(URL).context["chart_data"]["chart-health"]
    assert sum(data["series"][0]["data"]) + sum(data["series"][1]["data"]) == before + 1


def test_figures_are_recomputed_on_a_new_day(user, auth_client, notebook):
    """Cadences and periods follow the calendar: yesterday's figures are not today's."""
    it, people = notebook
    with time_machine.travel("2026-11-20 12:00 +0900", tick=False):
        auth_client.get(URL)
        assert InsightsSnapshot.objects.get(owner=user).computed_on == datetime.date(2026, 11, 20)
    Field.objects.filter(pk=it.pk).update(name="IT2")  # no signal: only the date can tell
    with time_machine.travel("2026-11-21 12:00 +0900", tick=False):
        assert "IT2" in _breadth(auth_client)
        assert InsightsSnapshot.objects.get(owner=user).computed_on == datetime.date(2026, 11, 21)


def test_a_change_committed_while_figures_are_computed_leaves_them_stale(user, notebook, monkeypatch):
    figures.current(user.pk)
    figures.mark_stale(user.pk)
    compute = selectors.figures

    def racing(owner_id, **kwargs):
        found = compute(owner_id, **kwargs)
        figures.mark_stale(owner_id)  # another request saved meanwhile
        return found

    monkeypatch.setattr(selectors, "figures", racing)
    figures.current(user.pk)
    snapshot = InsightsSnapshot.objects.get(owner=user)
    assert snapshot.computed_version < snapshot.version
    monkeypatch.setattr(selectors, "figures", compute)
    figures.current(user.pk)
    snapshot.refresh_from_db()
    assert snapshot.computed_version == snapshot.version


def test_figures_of_an_older_format_are_recomputed(user, notebook):
    figures.current(user.pk)
    InsightsSnapshot.objects.filter(owner=user).update(figures={"format": 0, "breadth": "old shape"})
    assert figures.current(user.pk)["format"] == selectors.FIGURES_FORMAT


def test_a_burst_of_saves_asks_a_worker_once(user, notebook, monkeypatch):
    from insights import tasks

    sent = []
    monkeypatch.setattr(tasks.refresh_figures, "apply_async", lambda args, **kw: sent.append((args, kw)))
    figures.mark_stale(user.pk)
    assert sent == [] and not InsightsSnapshot.objects.exists()  # never opened the page: nothing to keep
    figures.current(user.pk)
    for _ in range(5):
        figures.mark_stale(user.pk)
    assert sent == [((user.pk,), {"countdown": figures.REFRESH_DELAY, "retry": False})]
    assert InsightsSnapshot.objects.get(owner=user).version == 6

    # The worker recomputes them: the next visit reads them, and the next save asks again.
    tasks.refresh_figures(user.pk)
    snapshot = InsightsSnapshot.objects.get(owner=user)
    assert snapshot.computed_version == snapshot.version == 6 and snapshot.warm_requested_at is None
    figures.mark_stale(user.pk)
    assert len(sent) == 2


def test_a_lost_request_is_asked_again_and_a_broker_that_is_down_breaks_nothing(user, notebook, monkeypatch):
    from insights import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    figures.current(user.pk)
    monkeypatch.setattr(tasks.refresh_figures, "apply_async", down)
    figures.mark_stale(user.pk)
    assert InsightsSnapshot.objects.get(owner=user).warm_requested_at is None  # may ask again

    sent = []
    enqueue.reset()  # the broker is back after the pause that follows a failure
    monkeypatch.setattr(tasks.refresh_figures, "apply_async", lambda args, **kw: sent.append(args))
    with time_machine.travel("2026-11-21 10:00 +0900", tick=False):
        figures.mark_stale(user.pk)
    with time_machine.travel("2026-11-21 10:05 +0900", tick=False):
        figures.mark_stale(user.pk)  # still queued
    with time_machine.travel("2026-11-21 10:11 +0900", tick=False):
        figures.mark_stale(user.pk)  # the worker died with it: ask again
    assert sent == [(user.pk,), (user.pk,)]


def test_the_nightly_run_asks_for_fresh_figures(user, notebook, django_capture_on_commit_callbacks, monkeypatch):
    from followups.services import run_nightly_here
    from insights import tasks

    sent = []
    monkeypatch.setattr(tasks.refresh_figures, "apply_async", lambda args, **kw: sent.append(args))
    figures.current(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run_nightly_here(day=datetime.date.today() + datetime.timedelta(days=1))
    assert sent == [(user.pk,)]


def test_stored_figures_name_people_by_id_and_read_them_in_one_query(user, auth_client):
    """Renames show at once, and a person deleted since is left out rather than failing."""
    it = make_field(owner=user, name="IT")
    connector = make_person(owner=user, fields=[it], family_name="紹介者")
    make_person(owner=user, fields=[it], family_name="紹介された", introduced_by=connector, tier="network")
    found = figures.current(user.pk)
    assert "紹介者" not in str(found)
    with CaptureQueriesContext(connection) as read:
        people = selectors.people_named(user.pk, found)
    assert len(read) == 1 and set(people) == {connector.pk, connector.introduced.get().pk}
    del people[connector.introduced.get().pk]
    charts = selectors.charts(found, people, period="12")
    ((shown, children, _more),) = charts["intros"]["tree"]
    assert shown == connector and children == []


def test_key_persons_and_events_per_period(user, auth_client):
    it = make_field(owner=user, name="IT")
    old = make_event(owner=user, kind="mixer", date=datetime.date(2023, 5, 1))
    new = make_event(owner=user, kind="seminar", date=datetime.date(2026, 6, 1))
    for event, n in ((old, 2), (new, 1)):
        for i in range(n):
            person = make_person(owner=user, fields=[it], family_name=f"{event.kind}{i}", tier="network")
            person.first_met_event, person.first_met_on = event, event.date
            person.save()
    make_key_person(owner=user, person=person, field=it)
    with time_machine.travel("2026-11-21 12:00 +0900", tick=False):
        found = figures.current(user.pk)
    assert found["events"]["12"] == [["seminar", 1, 0, 1, 1]]
    assert found["events"]["60"] == [["mixer", 2, 0, 2, 0], ["seminar", 1, 0, 1, 1]]
    assert found["events"]["all"] == found["events"]["60"]
    page = auth_client.get(URL + "?period=60", HTTP_ACCEPT_LANGUAGE="en").context["chart_data"]["chart-events"]
    assert page["labels"] == ["Cross-industry mixer", "Seminar / study group"]


def test_a_save_still_succeeds_when_the_figures_cannot_be_marked(auth_client, user, notebook, monkeypatch):
    from django.db import OperationalError

    it, _people = notebook

    def down(owner_id):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(figures, "mark_stale", down)
    response = auth_client.post(reverse("contacts:field_edit", args=[it.pk]), {"name": "情報技術"})
    assert response.status_code == 302
    assert Field.objects.get(pk=it.pk).name == "情報技術"
