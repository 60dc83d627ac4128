"""The follow-up rules: what each one opens, moves and closes, and that re-running changes nothing."""

import datetime

import pytest
import time_machine

from contacts import services as contacts
from contacts.models import Person
from followups import rules, services
from followups.models import FollowUp, FollowUpSettings, Reason, State
from ledger import services as ledger
from tests.factories import make_meeting, make_person

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 18)  # a Wednesday


def run(owner, today=TODAY):
    return rules.recompute(Person.objects.filter(owner=owner), today=today)


def open_of(person, reason):
    return FollowUp.objects.filter(person=person, reason=reason, state=State.OPEN)


@time_machine.travel("2026-11-18 09:30 +0900")
def test_thank_you_is_due_the_same_day_for_a_meeting_logged_before_noon(user):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], date=TODAY, kind="first_at_event")
    run(user)
    thanks = open_of(person, Reason.THANK_YOU).get()
    assert thanks.due_on == TODAY
    assert thanks.overdue_on == TODAY + datetime.timedelta(days=3)


@time_machine.travel("2026-11-18 15:00 +0900")
def test_thank_you_is_due_the_next_day_after_noon_and_only_once(user):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], date=TODAY, kind="first_at_event")
    run(user)
    thanks = open_of(person, Reason.THANK_YOU).get()
    assert thanks.due_on == TODAY + datetime.timedelta(days=1)
    services.complete(followup=thanks)
    run(user)
    assert not open_of(person, Reason.THANK_YOU).exists()


@time_machine.travel("2026-11-18 15:00 +0900")
def test_no_thank_you_for_history_older_than_two_weeks(user):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], date=TODAY - datetime.timedelta(days=40))
    run(user)
    assert not open_of(person, Reason.THANK_YOU).exists()


@time_machine.travel("2026-11-18 15:00 +0900")
def test_keep_in_touch_follows_the_tier_cadence_and_any_meeting_or_ledger_entry_resets_it(user):
    network = make_person(owner=user, family_name="網", tier="network")
    acquaintance = make_person(owner=user, family_name="知")
    own = make_person(owner=user, family_name="個", keep_in_touch_days=14)
    for person in (network, acquaintance, own):
        make_meeting(owner=user, people=[person], date=datetime.date(2026, 10, 1))
    run(user)
    assert open_of(network, Reason.KEEP_IN_TOUCH).get().due_on == datetime.date(2026, 12, 30)  # 90 days
    assert open_of(acquaintance, Reason.KEEP_IN_TOUCH).get().due_on == datetime.date(2027, 10, 1)  # 365
    assert open_of(own, Reason.KEEP_IN_TOUCH).get().due_on == datetime.date(2026, 10, 15)
    ledger.add_ledger_entry(owner=user, person=own, values={"date": TODAY, "direction": "gave", "kind": "advice"})
    make_meeting(owner=user, people=[network], date=datetime.date(2026, 11, 10))
    run(user)
    assert open_of(own, Reason.KEEP_IN_TOUCH).get().due_on == TODAY + datetime.timedelta(days=14)
    assert open_of(network, Reason.KEEP_IN_TOUCH).get().due_on == datetime.date(2027, 2, 8)
    assert FollowUp.objects.filter(person=own, reason=Reason.KEEP_IN_TOUCH).count() == 1


@time_machine.travel("2026-11-18 15:00 +0900")
def test_cadences_are_per_user_settings(user):
    FollowUpSettings.objects.create(owner=user, network_days=30)
    person = make_person(owner=user, tier="network")
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    run(user)
    assert open_of(person, Reason.KEEP_IN_TOUCH).get().due_on == datetime.date(2026, 12, 1)


@time_machine.travel("2026-11-18 15:00 +0900")
def test_a_done_keep_in_touch_resets_the_clock_without_a_meeting(user):
    person = make_person(owner=user, keep_in_touch_days=30)
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 9, 1))
    run(user)
    services.complete(followup=open_of(person, Reason.KEEP_IN_TOUCH).get())
    run(user)
    assert open_of(person, Reason.KEEP_IN_TOUCH).get().due_on == TODAY + datetime.timedelta(days=30)


@time_machine.travel("2026-11-18 15:00 +0900")
def test_next_steps_come_one_at_a_time_on_their_dates(user):
    person = make_person(owner=user)
    first = make_meeting(
        owner=user, people=[person], date=datetime.date(2026, 11, 1), next_step="資料を送る",
        next_step_on=datetime.date(2026, 11, 20),
    )  # fmt: skip
    make_meeting(
        owner=user, people=[person], date=datetime.date(2026, 11, 2), next_step="紹介する",
        next_step_on=datetime.date(2026, 11, 25),
    )  # fmt: skip
    run(user)
    step = open_of(person, Reason.NEXT_STEP).get()
    assert (step.due_on, step.note, step.meeting_id) == (datetime.date(2026, 11, 20), "資料を送る", first.pk)
    services.complete(followup=step)
    run(user)
    assert open_of(person, Reason.NEXT_STEP).get().note == "紹介する"
    services.complete(followup=open_of(person, Reason.NEXT_STEP).get())
    run(user)
    assert not open_of(person, Reason.NEXT_STEP).exists()


@time_machine.travel("2026-11-18 15:00 +0900")
def test_give_back_opens_while_i_owe_and_closes_when_i_do_not(user):
    person = make_person(owner=user)
    received = ledger.add_ledger_entry(
        owner=user, person=person,
        values={"date": TODAY - datetime.timedelta(days=45), "direction": "received", "kind": "help", "weight": 3},
    )  # fmt: skip
    run(user)
    assert open_of(person, Reason.GIVE_BACK).get().due_on == TODAY
    ledger.delete_ledger_entry(entry=received)
    run(user)
    assert not open_of(person, Reason.GIVE_BACK).exists()
    assert FollowUp.objects.get(person=person, reason=Reason.GIVE_BACK).state == State.CLOSED


@time_machine.travel("2026-11-18 15:00 +0900")
def test_ended_relationships_get_no_follow_ups(user):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], date=TODAY, next_step="連絡", next_step_on=TODAY)
    run(user)
    assert open_of(person, Reason.NEXT_STEP).exists()
    contacts.end_relationship(person=person, on=TODAY, reason="転職")
    outcome = run(user)
    assert outcome.closed >= 3
    assert not FollowUp.objects.filter(person=person, state=State.OPEN).exists()
    run(user)
    assert not FollowUp.objects.filter(person=person, state=State.OPEN).exists()


@time_machine.travel("2026-11-18 15:00 +0900")
def test_a_snooze_survives_recomputes_until_the_clock_moves_past_it(user):
    person = make_person(owner=user, keep_in_touch_days=30)
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 10, 1))
    run(user)
    item = open_of(person, Reason.KEEP_IN_TOUCH).get()
    services.snooze(followup=item, until=datetime.date(2026, 11, 25))
    run(user)
    item.refresh_from_db()
    assert (item.show_on, item.snoozed) == (datetime.date(2026, 11, 25), True)
    make_meeting(owner=user, people=[person], date=TODAY)
    run(user)
    item.refresh_from_db()
    assert (item.show_on, item.snoozed) == (TODAY + datetime.timedelta(days=30), False)


@time_machine.travel("2026-11-18 15:00 +0900")
def test_running_again_writes_nothing_and_never_duplicates(user, django_assert_max_num_queries):
    people = [make_person(owner=user, family_name=f"人{i}") for i in range(5)]
    for person in people:
        make_meeting(owner=user, people=[person], date=TODAY, next_step="送る", next_step_on=TODAY)
    first = run(user)
    assert first.created == 15  # keep in touch, thank-you and next step each
    again = run(user)
    assert (again.created, again.moved, again.closed) == (0, 0, 0)
    assert FollowUp.objects.count() == 15


@pytest.mark.parametrize("size", [3, 40])
@time_machine.travel("2026-11-18 15:00 +0900")
def test_recompute_runs_a_fixed_number_of_queries(user, django_assert_max_num_queries, size):
    for i in range(size):
        person = make_person(owner=user, family_name=f"人{i}")
        make_meeting(owner=user, people=[person], date=TODAY, next_step="送る", next_step_on=TODAY)
    with django_assert_max_num_queries(14):
        run(user)


@time_machine.travel("2026-11-18 15:00 +0900")
def test_the_database_refuses_a_second_open_follow_up_per_reason(user):
    from django.db import IntegrityError, transaction

    person = make_person(owner=user)
    services.add_manual(owner=user, person=person, due_on=TODAY, note="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            owner=user, person=person, reason=Reason.MANUAL, due_on=TODAY, show_on=TODAY, overdue_on=TODAY
        )
