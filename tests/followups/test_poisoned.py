"""A date at the end of the calendar (9999-12-31), or any person whose rules fail, never stops the
follow-ups of anyone else: not the same user's other people, not another user's (issue #16, finding 3)."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Meeting, Person
from followups import rules, services, tasks
from followups.models import FollowUp, PendingRecompute, Reason, State
from jobs import services as jobs_services
from jobs.models import JobChunk, JobRun
from ledger.models import LedgerEntry
from tests.factories import make_ledger_entry, make_meeting, make_person, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 16)
END = datetime.date(9999, 12, 31)


def _poison(person, how: str) -> None:
    """Give `person` an end-of-calendar date the way rows already in the database have them."""
    if how == "first_met":
        Person.objects.filter(pk=person.pk).update(first_met_on=END)
    elif how == "meeting":
        meeting = make_meeting(owner=person.owner, people=[person], date=TODAY)
        Meeting.objects.filter(pk=meeting.pk).update(date=END)
        Person.objects.filter(pk=person.pk).update(last_contact_on=END)
    else:
        entry = make_ledger_entry(owner=person.owner, person=person, date=TODAY)
        LedgerEntry.objects.filter(pk=entry.pk).update(date=END)


@pytest.mark.parametrize("how", ["first_met", "meeting", "ledger"])
@time_machine.travel("2026-11-16 10:00 +0900")
def test_an_end_of_calendar_date_never_makes_a_recompute_raise(user, how):
    poisoned = make_person(owner=user, family_name="毒")
    healthy = make_person(owner=user, family_name="元気", first_met_on=TODAY)
    _poison(poisoned, how)
    outcome = rules.recompute(rules.people_of(user.pk), today=TODAY)
    assert outcome.skipped == 0
    # The impossible date is ignored, so both get a keep-in-touch clock inside the calendar.
    due = dict(FollowUp.objects.filter(state=State.OPEN, reason=Reason.KEEP_IN_TOUCH).values_list("person", "due_on"))
    assert due[healthy.pk] == TODAY + datetime.timedelta(days=365)
    assert due[poisoned.pk] < datetime.date(2100, 1, 1)


@time_machine.travel("2026-11-16 10:00 +0900")
def test_a_person_whose_rules_fail_is_skipped_and_the_others_get_theirs(user, caplog):
    bad = make_person(owner=user, family_name="壊", keep_in_touch_days=999)
    good = make_person(owner=user, family_name="良", first_met_on=TODAY)
    real_plus = rules.dates.plus_days

    def plus_days(day, days):
        if days == 999:
            raise OverflowError("date value out of range")
        return real_plus(day, days)

    with mock.patch.object(rules.dates, "plus_days", side_effect=plus_days):
        outcome = rules.recompute(rules.people_of(user.pk), today=TODAY)
    assert outcome.skipped == 1
    assert FollowUp.objects.filter(person=good, reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).exists()
    assert not FollowUp.objects.filter(person=bad).exists()
    assert f"person {bad.pk}; skipped" in caplog.text


@time_machine.travel("2026-11-16 10:00 +0900")
def test_the_save_path_recompute_survives_a_poisoned_person(user):
    poisoned = make_person(owner=user)
    _poison(poisoned, "first_met")
    healthy = make_person(owner=user, first_met_on=TODAY)
    services.request_recompute(owner_id=user.pk, person_ids=[poisoned.pk, healthy.pk])
    tasks.recompute_pending.apply(args=[user.pk]).get()
    assert not PendingRecompute.objects.filter(owner=user).exists()
    assert FollowUp.objects.filter(person=healthy, state=State.OPEN).exists()


@time_machine.travel("2026-11-16 03:10 +0900")
def test_the_nightly_run_sends_each_owner_in_a_message_of_their_own(user, other_user):
    make_person(owner=user)
    make_person(owner=other_user)
    with mock.patch.object(services, "_send") as send:
        services.start_nightly(day=TODAY)
    messages = [call.args[1] for call in send.call_args_list]
    owners = [set(JobChunk.objects.filter(pk__in=ids).values_list("owner_id", flat=True)) for ids in messages]
    assert len(messages) == 2 and all(len(o) == 1 for o in owners)


@time_machine.travel("2026-11-16 03:10 +0900")
def test_a_poisoned_user_next_to_a_healthy_one_the_healthy_one_is_done_and_the_run_finishes(
    user, other_user, monkeypatch
):
    """The worst case: a user's chunk raises whatever the rules do (a database fault, say)."""
    victim = make_person(owner=other_user, first_met_on=TODAY)
    make_person(owner=user)
    real = rules.recompute

    def recompute(people, *, today):
        if people.filter(owner=user).exists():
            raise OverflowError("date value out of range")
        return real(people, today=today)

    monkeypatch.setattr(rules, "recompute", recompute)
    with mock.patch.object(services, "_send"):
        run = services.start_nightly(day=TODAY)
    poisoned = JobChunk.objects.get(run=run, owner_id=user.pk)
    healthy = JobChunk.objects.get(run=run, owner_id=other_user.pk)
    # Both in one message, poisoned first: the healthy chunk still runs.
    tasks.run_chunks.apply(args=[[poisoned.pk, healthy.pk]]).get()
    healthy.refresh_from_db()
    poisoned.refresh_from_db()
    assert healthy.finished_at is not None
    assert FollowUp.objects.filter(person=victim, state=State.OPEN).exists()
    assert "OverflowError" in poisoned.error and poisoned.failed_at is None

    # The reaper sends it again; after MAX_ATTEMPTS it is given up and never sent again.
    for _attempt in range(JobChunk.MAX_ATTEMPTS - 1):
        with mock.patch.object(jobs_services, "send") as send:
            assert jobs_services.reap(stale_after=datetime.timedelta(0)) == 1
        tasks.run_chunks.apply(args=[send.call_args.args[1]]).get()
    poisoned.refresh_from_db()
    assert poisoned.failed_at is not None
    with mock.patch.object(jobs_services, "send"):
        assert jobs_services.reap(stale_after=datetime.timedelta(0)) == 0
    assert JobRun.objects.get(pk=run.pk).finished_at is not None


@time_machine.travel("2026-11-16 03:10 +0900")
def test_a_given_up_chunk_is_reported_to_its_owner_on_the_background_jobs_page(client, user, other_user):
    make_person(owner=user)
    with mock.patch.object(services, "_send"):
        run = services.start_nightly(day=TODAY)
    chunk = JobChunk.objects.get(run=run, owner_id=user.pk)
    JobChunk.objects.filter(pk=chunk.pk).update(attempts=JobChunk.MAX_ATTEMPTS)
    jobs_services.chunk_failed(chunk_id=chunk.pk, error=OverflowError("date value out of range"))
    client.force_login(user)
    page = client.get(reverse("jobs:status")).content.decode()
    assert 'id="failed-jobs"' in page and "2026" in page
    client.force_login(make_user())
    assert 'id="failed-jobs"' not in client.get(reverse("jobs:status")).content.decode()


@time_machine.travel("2026-11-16 03:10 +0900")
def test_the_nightly_run_with_a_poisoned_user_next_to_a_healthy_one_finishes_for_both(user, other_user):
    poisoned = make_person(owner=user)
    _poison(poisoned, "ledger")
    Person.objects.filter(pk=poisoned.pk).update(first_met_on=END, last_contact_on=END)
    healthy = make_person(owner=other_user, first_met_on=TODAY)
    services.run_nightly_here(day=TODAY)
    assert JobRun.objects.get(day=TODAY).finished_at is not None
    assert not JobChunk.objects.filter(error__gt="").exists()
    for person in (poisoned, healthy):
        assert FollowUp.objects.filter(person=person, reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).exists()
