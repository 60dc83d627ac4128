"""The weekly scoring job: candidates per field, explanations, idempotence, dismissals, bulk queries."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contacts.models import KeyPerson, Profile
from insights import services
from insights.models import Dismissal, Suggestion
from tests.factories import make_field, make_ledger_entry, make_meeting, make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)


def _strong(owner, field, **overrides):
    """Someone met four times since May, with joint work, both wanting to meet again."""
    values = {"i_want_to_meet_again": "yes", "they_want_to_meet_again": "yes", "stage": "starting"} | overrides
    person = make_person(owner=owner, fields=[field], **values)
    for date, kind in [
        (datetime.date(2026, 5, 12), "coffee"),
        (datetime.date(2026, 7, 3), "joint_work"),
        (datetime.date(2026, 9, 15), "drinks"),
        (datetime.date(2026, 11, 2), "call"),
    ]:
        make_meeting(owner=owner, people=[person], date=date, kind=kind)
    return person


def test_a_strong_tie_is_suggested_with_its_reasons_in_the_readers_language(user):
    it = make_field(owner=user, name="IT")
    Profile.objects.create(owner=user, stage="starting")
    person = _strong(user, it)
    make_ledger_entry(owner=user, person=person, date=datetime.date(2026, 10, 1), direction="gave", weight=2)
    make_ledger_entry(owner=user, person=person, date=datetime.date(2026, 10, 5), direction="received", weight=2)

    services.refresh_suggestions(owner_id=user.pk, today=TODAY)

    suggestion = Suggestion.objects.get(owner=user)
    assert (suggestion.person, suggestion.field, suggestion.rank) == (person, it, 1)
    assert (suggestion.meetings_year, suggestion.joint_work, suggestion.balance) == (4, 1, 0)
    with translation.override("en"):
        assert suggestion.explanation == (
            "met 4 times since May 2026, 1 joint project, both want to meet again, balance even, also starting out"
        )
    with translation.override("ja"):
        assert (
            suggestion.explanation
            == "2026年5月から4回会った、共同作業 1 件、お互いにまた会いたい、ギブ&テイクは均衡、同じく駆け出し"
        )


def test_a_weak_tie_is_not_suggested(user):
    it = make_field(owner=user, name="IT")
    make_person(owner=user, fields=[it], i_want_to_meet_again="no", last_contact_on=datetime.date(2020, 1, 1))
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    assert not Suggestion.objects.exists()


def test_candidates_are_ranked_per_field_and_capped(user):
    it = make_field(owner=user, name="IT")
    law = make_field(owner=user, name="法律")
    people = [_strong(user, it) for _ in range(services.CANDIDATES_PER_FIELD + 2)]
    both = _strong(user, law)
    both.fields.add(it)
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    assert Suggestion.objects.filter(field=it).count() == services.CANDIDATES_PER_FIELD
    assert list(Suggestion.objects.filter(field=it).order_by("rank").values_list("rank", flat=True)) == [1, 2, 3, 4, 5]
    assert Suggestion.objects.filter(field=law, person=both).exists()
    assert set(Suggestion.objects.filter(field=it).values_list("person_id", flat=True)) <= {
        p.pk for p in [*people, both]
    }


def test_key_persons_and_ended_ties_are_not_suggested(user):
    it = make_field(owner=user, name="IT")
    key = _strong(user, it)
    ended = _strong(user, it)
    KeyPerson.objects.create(owner=user, person=key, field=it, tagged_on=TODAY)
    ended.status = "ended"
    ended.save()
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    assert not Suggestion.objects.exists()


def test_running_the_job_again_changes_nothing(user):
    it = make_field(owner=user, name="IT")
    for _ in range(3):
        _strong(user, it)
    first = services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    rows = list(Suggestion.objects.order_by("pk").values())
    again = services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    assert first["created"] == 3
    assert again == {"created": 0, "updated": 0, "deleted": 0}
    assert list(Suggestion.objects.order_by("pk").values()) == rows


def test_a_suggestion_that_no_longer_qualifies_is_removed(user):
    it = make_field(owner=user, name="IT")
    person = _strong(user, it)
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    person.fields.clear()
    assert services.refresh_suggestions(owner_id=user.pk, today=TODAY)["deleted"] == 1
    assert not Suggestion.objects.exists()


def test_a_dismissed_suggestion_stays_hidden_for_six_months(user):
    it = make_field(owner=user, name="IT")
    _strong(user, it)
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    suggestion = Suggestion.objects.get()
    dismissal = services.dismiss_suggestion(suggestion=suggestion, today=TODAY)
    assert dismissal.until == TODAY + datetime.timedelta(days=182)
    assert not Suggestion.objects.exists()

    with time_machine.travel(datetime.datetime(2027, 5, 1, 12, tzinfo=datetime.UTC)):
        services.refresh_suggestions(owner_id=user.pk, today=datetime.date(2027, 5, 1))
    assert not Suggestion.objects.exists()

    with time_machine.travel(datetime.datetime(2027, 5, 23, 12, tzinfo=datetime.UTC)):
        services.refresh_suggestions(owner_id=user.pk, today=datetime.date(2027, 5, 23))
    assert Suggestion.objects.count() == 1


def test_dismissing_twice_keeps_one_row(user):
    it = make_field(owner=user, name="IT")
    person = _strong(user, it)
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    services.dismiss_suggestion(suggestion=Suggestion.objects.get(), today=TODAY)
    Suggestion.objects.create(owner=user, person=person, field=it, score=50, rank=1)
    services.dismiss_suggestion(suggestion=Suggestion.objects.get(), today=TODAY + datetime.timedelta(days=3))
    assert Dismissal.objects.get().until == TODAY + datetime.timedelta(days=185)


def test_the_same_stage_as_mine_counts(user):
    it = make_field(owner=user, name="IT")
    _strong(user, it, stage="established")
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    without = Suggestion.objects.get().score
    Profile.objects.create(owner=user, stage="established")
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    suggestion = Suggestion.objects.get()
    assert suggestion.score == without + 10 and suggestion.same_stage == "established"


def test_another_users_people_are_never_suggested(user, other_user):
    mine = make_field(owner=user, name="IT")
    theirs = make_field(owner=other_user, name="IT")
    _strong(other_user, theirs)
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    assert not Suggestion.objects.filter(owner=user).exists()
    _strong(user, mine)
    services.refresh_suggestions(owner_id=user.pk, today=TODAY)
    assert set(Suggestion.objects.values_list("owner_id", flat=True)) == {user.pk}


def _job_queries(owner) -> int:
    Suggestion.objects.filter(owner=owner).delete()
    with CaptureQueriesContext(connection) as queries:
        services.refresh_suggestions(owner_id=owner.pk, today=TODAY)
    return len(queries)


def test_the_job_runs_a_fixed_number_of_queries_whatever_the_number_of_people(user):
    fields = [make_field(owner=user, name=f"F{i}") for i in range(3)]
    for field in fields:
        _strong(user, field)
    small = _job_queries(user)
    for field in fields:
        for _ in range(6):
            _strong(user, field)
    assert _job_queries(user) == small


def test_the_management_command_runs_the_same_service(user):
    it = make_field(owner=user, name="IT")
    _strong(user, it)
    call_command("refresh_suggestions", user=user.username, stdout=io.StringIO())
    assert Suggestion.objects.filter(owner=user).count() == 1


def test_the_refresh_button_enqueues_the_job_after_commit(auth_client, user, django_capture_on_commit_callbacks):
    from unittest import mock

    with (
        mock.patch("insights.tasks.refresh_suggestions.apply_async") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = auth_client.post("/key-persons/refresh/")
    assert response.status_code == 302
    delay.assert_called_once_with((user.pk,), retry=False)


def test_the_weekly_task_sends_one_job_per_owner_with_people(user, other_user):
    from unittest import mock

    make_person(owner=user)
    make_person(owner=other_user)
    with mock.patch("insights.tasks.refresh_suggestions.apply_async") as delay:
        owners = services.refresh_everyone()
    assert sorted(owners) == sorted([user.pk, other_user.pk])
    assert delay.call_count == 2
