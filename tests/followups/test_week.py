"""The "This week" page: sections, context, done / snooze / skip without leaving the page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Meeting, Person
from followups import rules
from followups.models import FollowUp, Reason, State
from tests.factories import make_followup, make_meeting, make_person

pytestmark = pytest.mark.django_db
FROZEN = "2026-11-18 10:00 +0900"  # a Wednesday
TODAY = datetime.date(2026, 11, 18)
URL = reverse("followups:week")


def days(n):
    return TODAY + datetime.timedelta(days=n)


@time_machine.travel(FROZEN)
def test_items_are_split_into_overdue_this_week_and_next_week_with_context(auth_client, user):
    late = make_person(owner=user, family_name="甲野", what_they_want="資金調達の相談相手")
    make_meeting(owner=user, people=[late], date=days(-20), summary="展示会で名刺交換")
    make_followup(owner=user, person=late, due_on=days(-2))
    make_followup(owner=user, person=make_person(owner=user, family_name="乙川"), due_on=days(3))
    make_followup(owner=user, person=make_person(owner=user, family_name="丙田"), due_on=days(6))
    make_followup(owner=user, person=make_person(owner=user, family_name="丁村"), due_on=days(20))
    page = auth_client.get(URL).content.decode()
    overdue, this_week, next_week = (
        page.index(t) for t in ('id="overdue-title"', 'id="this-week-title"', 'id="next-week-title"')
    )
    assert overdue < page.index("甲野") < this_week < page.index("乙川") < next_week < page.index("丙田")
    assert "丁村" not in page
    assert "資金調達の相談相手" in page and "展示会で名刺交換" in page


@time_machine.travel(FROZEN)
def test_done_with_a_meeting_logs_it_and_moves_the_keep_in_touch_date(
    auth_client, user, django_capture_on_commit_callbacks
):
    from networking.celery import app

    person = make_person(owner=user, keep_in_touch_days=30)
    make_meeting(owner=user, people=[person], date=days(-40))
    rules.recompute(Person.objects.filter(owner=user), today=TODAY)
    item = FollowUp.objects.get(person=person, reason=Reason.KEEP_IN_TOUCH)
    assert item.due_on == days(-10)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(
                reverse("followups:followup_done", args=[item.pk]),
                {"log_meeting": "on", "kind": "call", "date": "2026-11-18", "summary": "近況を聞いた"},
                headers={"HX-Request": "true"},
            )
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 200
    assert response["HX-Trigger"] == "followups-changed"
    item.refresh_from_db()
    assert item.state == State.DONE
    assert Meeting.objects.filter(people=person, kind="call", summary="近況を聞いた").exists()
    assert FollowUp.objects.get(person=person, reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).due_on == days(30)


@time_machine.travel(FROZEN)
def test_done_without_logging_logs_nothing(auth_client, user):
    item = make_followup(owner=user)
    auth_client.post(reverse("followups:followup_done", args=[item.pk]), {"log_meeting": "on", "only_done": "1"})
    item.refresh_from_db()
    assert item.state == State.DONE
    assert not Meeting.objects.exists()


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("choice", "expected"), [({"until": "tomorrow"}, days(1)), ({"until": "next_week"}, days(5)),
                             ({"until": "date", "date": "2026-12-24"}, datetime.date(2026, 12, 24))],
)  # fmt: skip
def test_snooze_moves_the_item_out_of_the_way(auth_client, user, choice, expected):
    item = make_followup(owner=user, due_on=days(-1))
    assert auth_client.post(reverse("followups:followup_snooze", args=[item.pk]), choice).status_code == 302
    item.refresh_from_db()
    assert (item.show_on, item.snoozed, item.state) == (expected, True, State.OPEN)
    assert item.is_overdue(TODAY) is False


@time_machine.travel(FROZEN)
def test_skip_keeps_the_reason(auth_client, user):
    item = make_followup(owner=user)
    auth_client.post(reverse("followups:followup_skip", args=[item.pk]), {"reason": "先方が休職中"})
    item.refresh_from_db()
    assert (item.state, item.skip_reason) == (State.SKIPPED, "先方が休職中")


@time_machine.travel(FROZEN)
@pytest.mark.parametrize(
    ("action", "data"),
    [("followup_snooze", {"until": "someday"}), ("followup_snooze", {"until": "date", "date": "2026-02-31"}),
     ("followup_done", {"log_meeting": "on", "kind": "telepathy"}), ("followup_skip", {"reason": "x" * 500})],
)  # fmt: skip
def test_bad_input_gets_a_message_and_changes_nothing(auth_client, user, action, data):
    item = make_followup(owner=user)
    response = auth_client.post(reverse(f"followups:{action}", args=[item.pk]), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    refreshed = FollowUp.objects.get(pk=item.pk)
    assert (refreshed.state, refreshed.show_on) == (State.OPEN, item.show_on)


@time_machine.travel(FROZEN)
def test_a_closed_item_cannot_be_acted_on_again(auth_client, user):
    item = make_followup(owner=user, state=State.DONE)
    assert auth_client.post(reverse("followups:followup_skip", args=[item.pk]), {}).status_code == 404


@time_machine.travel(FROZEN)
def test_the_navigation_count_shows_what_is_due_this_week(auth_client, user):
    make_followup(owner=user, due_on=days(-3))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(2))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(10))
    assert ">2<" in auth_client.get(reverse("followups:due_count")).content.decode()


@time_machine.travel(FROZEN)
@pytest.mark.parametrize("size", [2, 60])
def test_the_page_runs_a_fixed_number_of_queries(auth_client, user, django_assert_max_num_queries, size):
    for i in range(size):
        person = make_person(owner=user, family_name=f"人{i}")
        make_meeting(owner=user, people=[person], date=days(-30))
        make_followup(owner=user, person=person, due_on=days(i % 12 - 4))
    # session, user, the section sizes, and two per section (people, tallies, last meetings and the
    # drafts' meeting joined in; then the people's e-mail addresses and numbers), the user's own drafts
    with django_assert_max_num_queries(10):
        assert auth_client.get(URL).status_code == 200


def test_manual_follow_ups_from_the_person_page(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(
        reverse("followups:followup_add", args=[person.pk]), {"due_on": "2026-12-01", "note": "年賀状"}
    )
    assert response.status_code == 302
    assert FollowUp.objects.get(person=person, reason=Reason.MANUAL).note == "年賀状"
    page = auth_client.get(person.get_absolute_url()).content.decode()
    panel_url = reverse("followups:person_panel", args=[person.pk])
    assert panel_url in page  # the person page loads the panel from its app
    assert "年賀状" in auth_client.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    auth_client.post(reverse("followups:followup_add", args=[person.pk]), {"due_on": "not a date", "note": ""})
    assert FollowUp.objects.filter(person=person).count() == 1


@time_machine.travel(FROZEN)
def test_a_long_section_shows_the_first_items_and_a_link_to_all(auth_client, user, settings):
    from followups import selectors

    for i in range(selectors.SECTION_SHOWN + 5):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"人{i}"), due_on=days(1))
    page = auth_client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    assert page.count("data-followup>") == selectors.SECTION_SHOWN
    assert "and 5 more" in page
    assert auth_client.get(URL + "?all=1").content.decode().count("data-followup>") == selectors.SECTION_SHOWN + 5


@time_machine.travel(FROZEN)
def test_show_all_is_bounded_too(auth_client, user, monkeypatch):
    from followups import selectors

    monkeypatch.setattr(selectors, "SECTION_SHOWN", 2)
    monkeypatch.setattr(selectors, "SECTION_ALL", 4)
    for i in range(6):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"人{i}"), due_on=days(1))
    page = auth_client.get(URL + "?all=1", headers={"Accept-Language": "en"}).content.decode()
    assert page.count("data-followup>") == 4
    assert "and 2 more after these" in page and "?all=1" not in page.split("and 2 more")[1][:200]


@time_machine.travel(FROZEN)
def test_the_page_loads_only_the_items_it_shows_and_counts_the_rest(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from followups import selectors

    for i in range(selectors.SECTION_SHOWN + 3):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"遅{i}"), due_on=days(-3))
    make_followup(owner=user, person=make_person(owner=user, family_name="今週"), due_on=days(2))
    with CaptureQueriesContext(connection) as queries:
        page = auth_client.get(URL).content.decode()
    assert f'<span class="week-section__count">{selectors.SECTION_SHOWN + 3}</span>' in page
    assert '<span class="week-section__count">1</span>' in page
    assert 'id="next-week-title"' not in page
    loads = [q["sql"] for q in queries if "followups_followup" in q["sql"] and "LIMIT" in q["sql"]]
    assert len(loads) == 2  # overdue and this week; next week is empty and not queried
    assert all(f"LIMIT {selectors.SECTION_SHOWN}" in sql for sql in loads)


@time_machine.travel(FROZEN)
def test_the_cut_queue_splits_like_the_whole_one(user):
    from followups import selectors

    make_followup(owner=user, person=make_person(owner=user), due_on=days(-2))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(0))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(4))
    make_followup(owner=user, person=make_person(owner=user), due_on=days(9))
    snoozed = make_followup(owner=user, person=make_person(owner=user), due_on=days(-5))
    FollowUp.objects.filter(pk=snoozed.pk).update(show_on=days(8), overdue_on=days(8), snoozed=True)
    whole = selectors.queue(user.pk, today=TODAY)
    cut = selectors.queue(user.pk, today=TODAY, limit=2)
    for name in selectors.SECTIONS:
        assert [f.pk for f in getattr(cut, name)] == [f.pk for f in getattr(whole, name)][:2]
        assert cut.size(name) == whole.size(name)
    assert cut.count_due == whole.count_due == 3
