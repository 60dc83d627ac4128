"""Birthday follow-ups: N days before, network and key persons by default, once per birthday, none for ended ties."""

import datetime

import pytest
import time_machine

from contacts import services as contacts
from contacts.models import Person
from followups import rules, services
from followups.models import FollowUp, FollowUpSettings, Reason, State
from tests.factories import make_field, make_key_person, make_person

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 18)


def run(owner, today=TODAY):
    return rules.recompute(Person.objects.filter(owner=owner), today=today)


def birthdays(person):
    return FollowUp.objects.filter(person=person, reason=Reason.BIRTHDAY)


@time_machine.travel("2026-11-18 09:00 +0900")
def test_a_network_persons_birthday_is_reminded_three_days_before_by_default(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 25))
    run(user)
    item = birthdays(person).get()
    assert (item.due_on, item.show_on, item.overdue_on) == (
        datetime.date(2026, 11, 25),
        datetime.date(2026, 11, 22),
        datetime.date(2026, 11, 25),
    )


@time_machine.travel("2026-11-18 09:00 +0900")
def test_acquaintances_get_none_unless_asked_and_key_persons_always(user):
    acquaintance = make_person(owner=user, family_name="知", birthday=datetime.date(1990, 12, 1))
    key = make_person(owner=user, family_name="鍵", birthday=datetime.date(1990, 12, 2))
    make_key_person(owner=user, person=key, field=make_field(owner=user))
    run(user)
    assert not birthdays(acquaintance).exists()
    assert birthdays(key).get().due_on == datetime.date(2026, 12, 2)
    FollowUpSettings.objects.create(owner=user, birthday_acquaintances=True, birthday_days_before=10)
    run(user)
    assert birthdays(acquaintance).get().show_on == datetime.date(2026, 11, 21)
    assert birthdays(key).get().show_on == datetime.date(2026, 11, 22)


@time_machine.travel("2026-11-18 09:00 +0900")
def test_zero_days_turns_birthdays_off_and_closes_the_open_ones(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 25))
    run(user)
    FollowUpSettings.objects.create(owner=user, birthday_days_before=0)
    run(user)
    assert birthdays(person).get().state == State.CLOSED


@time_machine.travel("2026-11-18 09:00 +0900")
def test_a_birthday_done_this_year_is_not_made_again_until_next_years(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 20))
    run(user)
    services.complete(followup=birthdays(person).get())
    for day in (TODAY, datetime.date(2026, 11, 21), datetime.date(2026, 11, 27)):
        run(user, today=day)
        assert not birthdays(person).filter(state=State.OPEN).exists()
    run(user, today=datetime.date(2026, 11, 28))  # more than a week past: next year's
    assert birthdays(person).filter(state=State.OPEN).get().due_on == datetime.date(2027, 11, 20)
    run(user, today=datetime.date(2026, 11, 29))
    assert birthdays(person).count() == 2


@time_machine.travel("2026-11-18 09:00 +0900")
def test_an_open_birthday_left_more_than_a_week_moves_to_next_year(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 20))
    run(user)
    run(user, today=datetime.date(2026, 12, 1))
    item = birthdays(person).get()
    assert (item.state, item.due_on) == (State.OPEN, datetime.date(2027, 11, 20))


@time_machine.travel("2026-02-20 09:00 +0900")
def test_29_february_is_reminded_on_the_28th_in_other_years(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1996, 2, 29))
    run(user, today=datetime.date(2026, 2, 20))
    assert birthdays(person).get().due_on == datetime.date(2026, 2, 28)
    assert rules.next_birthday(2, 29, today=datetime.date(2028, 2, 1)) == datetime.date(2028, 2, 29)


@time_machine.travel("2026-11-18 09:00 +0900")
def test_a_changed_birthday_moves_the_open_follow_up(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 25))
    run(user)
    Person.objects.filter(pk=person.pk).update(birthday=datetime.date(1980, 12, 5))
    run(user)
    item = birthdays(person).get()
    assert (item.state, item.due_on, item.show_on) == (
        State.OPEN,
        datetime.date(2026, 12, 5),
        datetime.date(2026, 12, 2),
    )


@time_machine.travel("2026-11-18 09:00 +0900")
def test_ended_ties_get_no_birthday(user):
    person = make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 25))
    run(user)
    contacts.end_relationship(person=person, reason="moved away", on=TODAY)
    run(user)
    assert not birthdays(person).filter(state=State.OPEN).exists()
    ended = make_person(
        owner=user, family_name="終", tier="network", status="ended", birthday=datetime.date(1980, 11, 26)
    )
    run(user)
    assert not birthdays(ended).exists()


@time_machine.travel("2026-11-18 09:00 +0900")
def test_running_again_changes_nothing(user):
    make_person(owner=user, tier="network", birthday=datetime.date(1980, 11, 25))
    run(user)
    assert run(user) == rules.Outcome()


@time_machine.travel("2026-11-18 09:00 +0900")
def test_a_birthday_without_a_year_is_reminded_the_same_way(user):
    person = make_person(owner=user, tier="network", birthday_month=12, birthday_day=24)
    run(user)
    item = birthdays(person).get()
    assert (item.due_on, item.show_on) == (datetime.date(2026, 12, 24), datetime.date(2026, 12, 21))
