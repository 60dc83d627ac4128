"""The ledger overview: sorting by imbalance, the three flags, filters, a fixed query count."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services as contacts_services
from contacts.models import Field, Person
from ledger import selectors, services
from ledger.models import LedgerSettings
from tests.factories import make_field, make_person

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)
FROZEN = "2026-11-21 09:00 +0900"
URL = reverse("ledger:overview")


def entry(owner, person, days_ago=0, **values):
    values = {"date": TODAY - datetime.timedelta(days=days_ago), "direction": "gave", "kind": "information"} | values
    values.setdefault("weight", 2)
    return services.add_ledger_entry(owner=owner, person=person, values=values)


def rows(owner, **filters):
    services.refresh_ledger_tallies(owner.pk, today=TODAY)
    settings = LedgerSettings.for_owner(owner.pk)
    return {row["person_id"]: row for row in selectors.overview(owner.pk, today=TODAY, settings=settings, **filters)}


def test_i_owe_needs_more_received_and_an_unmatched_gift_older_than_thirty_days(user):
    owed = make_person(owner=user, family_name="借")
    recent = make_person(owner=user, family_name="最近")
    matched = make_person(owner=user, family_name="返済")
    entry(user, owed, days_ago=40, direction="received", weight=3)
    entry(user, owed, days_ago=5, weight=1)
    entry(user, recent, days_ago=10, direction="received", weight=3)
    entry(user, matched, days_ago=40, direction="received", weight=2)
    entry(user, matched, days_ago=5, weight=2)
    found = rows(user)
    assert found[owed.pk]["i_owe"] is True
    assert found[recent.pk]["i_owe"] is False  # only 10 days old
    assert found[matched.pk]["i_owe"] is False  # given back as much


def test_i_owe_threshold_follows_the_users_setting(user):
    person = make_person(owner=user)
    entry(user, person, days_ago=10, direction="received")
    assert rows(user)[person.pk]["i_owe"] is False
    LedgerSettings.objects.update_or_create(owner=user, defaults={"owe_after_days": 7})
    assert rows(user)[person.pk]["i_owe"] is True


def test_only_taking_needs_three_entries_received_and_nothing_given_in_the_window(user):
    taker = make_person(owner=user, family_name="取")
    two = make_person(owner=user, family_name="二")
    gave_back = make_person(owner=user, family_name="返")
    for days in (10, 20, 30):
        entry(user, taker, days_ago=days)
        entry(user, gave_back, days_ago=days)
    entry(user, two, days_ago=1)
    entry(user, two, days_ago=2)
    entry(user, gave_back, days_ago=100, direction="received", weight=1)
    found = rows(user)
    assert found[taker.pk]["taker"] is True
    assert found[two.pk]["taker"] is False
    assert found[gave_back.pk]["taker"] is False


def test_only_taking_ignores_entries_older_than_the_window(user):
    person = make_person(owner=user)
    for days in (400, 500, 600):
        entry(user, person, days_ago=days)
    assert rows(user, period="all")[person.pk]["taker"] is False


def test_money_outstanding_either_way_until_fully_returned_with_its_age(user):
    lender = make_person(owner=user, family_name="貸")
    borrower = make_person(owner=user, family_name="借")
    loan = entry(user, borrower, days_ago=45, kind="money", amount=Decimal("50000"))
    entry(user, lender, days_ago=3, kind="money", direction="received", amount=Decimal("1000"))
    found = rows(user)
    assert found[borrower.pk]["money_open"] == 1
    assert (TODAY - found[borrower.pk]["money_since"]).days == 45
    assert found[lender.pk]["money_open"] == 1
    services.mark_loan_returned(entry=loan, on=TODAY, returned=Decimal("20000"))
    assert rows(user)[borrower.pk]["money_open"] == 1
    services.mark_loan_returned(entry=loan, on=TODAY)
    assert rows(user)[borrower.pk]["money_open"] == 0


def test_overview_is_sorted_by_imbalance_either_way(user):
    small = make_person(owner=user, family_name="小")
    big = make_person(owner=user, family_name="大")
    owing = make_person(owner=user, family_name="負")
    entry(user, small, weight=1)
    entry(user, big, weight=3)
    entry(user, big, weight=3)
    entry(user, owing, direction="received", weight=3)
    services.refresh_ledger_tallies(user.pk, today=TODAY)
    settings = LedgerSettings.for_owner(user.pk)
    ordered = [r["person_id"] for r in selectors.overview(user.pk, today=TODAY, settings=settings)]
    assert ordered == [big.pk, owing.pk, small.pk]


@time_machine.travel(FROZEN)
def test_filters_by_flag_kind_field_and_period(auth_client, user):
    it = make_field(owner=user, name="IT")
    taker = make_person(owner=user, family_name="鷹", fields=[it])
    old = make_person(owner=user, family_name="昔")
    for days in (1, 2, 3):
        entry(user, taker, days_ago=days, kind="advice")
    entry(user, old, days_ago=800, kind="gift")
    assert "鷹" in auth_client.get(URL + "?flag=taker").content.decode()
    assert "昔" not in auth_client.get(URL + "?flag=taker").content.decode()
    assert "鷹" not in auth_client.get(URL + "?kind=gift&period=all").content.decode()
    assert "昔" in auth_client.get(URL + "?kind=gift&period=all").content.decode()
    assert "昔" not in auth_client.get(URL).content.decode()  # older than 12 months
    assert "昔" in auth_client.get(URL + "?period=custom&start=2024/01/01&end=2025-01-01").content.decode()
    page = auth_client.get(URL + f"?field={it.pk}&period=all").content.decode()
    assert "鷹" in page and "昔" not in page


@time_machine.travel(FROZEN)
def test_each_flag_is_explained_in_a_sentence(auth_client, user):
    html = auth_client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    assert "still not matched by what you gave since" in html
    assert "gave nothing back" in html
    assert "not been fully returned" in html


@pytest.mark.parametrize(
    "query",
    [
        "?flag=nope",
        "?field=abc",
        "?field=999999999999999999999999",
        "?period=custom&start=2026-13-45&end=x",
        "?period=custom&start=2027-01-01&end=2020-01-01",
        "?page=-1",
        "?page=99999999999999999999",
        "?page=abc",
    ],
)
def test_bad_query_strings_never_fail(auth_client, user, query):
    entry(user, make_person(owner=user))
    assert auth_client.get(URL + query).status_code == 200


def test_a_control_character_in_the_query_string_is_refused_with_a_message(auth_client, user):
    response = auth_client.get(URL + "?kind=%00", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "control character" in response.text


def test_another_users_entries_never_show(auth_client, user, other_user):
    entry(other_user, make_person(owner=other_user, family_name="他人"))
    assert "他人" not in auth_client.get(URL + "?period=all").content.decode()


def _seed(owner, people):
    fields = [make_field(owner=owner, name=f"分野{i}") for i in range(2)]
    for i in range(people):
        person = make_person(owner=owner, family_name=f"人{i}", fields=fields)
        entry(owner, person, days_ago=i, weight=1 + i % 3)
        entry(owner, person, days_ago=40 + i, direction="received", kind="money", amount=Decimal("100"))


@pytest.mark.parametrize("people", [3, 60])
def test_overview_query_count_is_fixed(auth_client, user, django_assert_num_queries, people):
    _seed(user, people)
    auth_client.get(URL)  # the day's first visit rebuilds the tallies
    # session, user, settings, the tallied rows, the page's people, their fields, the field choices
    with django_assert_num_queries(7):
        response = auth_client.get(URL + "?period=all&flag=money")
    assert response.status_code == 200
    with django_assert_num_queries(7):
        assert auth_client.get(URL + "?period=custom&start=2020-01-01").status_code == 200


def test_the_days_first_visit_rebuilds_the_tallies_in_a_fixed_number_of_queries(auth_client, user):
    LedgerSettings.objects.create(owner=user)
    counts = []
    for people in (2, 30):
        Person.objects.filter(owner=user).delete()
        Field.objects.filter(owner=user).delete()
        _seed(user, people)
        LedgerSettings.objects.filter(owner=user).update(tallied_on=TODAY - datetime.timedelta(days=1))
        with CaptureQueriesContext(connection) as queries:
            assert auth_client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], "\n".join(q["sql"][:100] for q in queries.captured_queries)
    assert LedgerSettings.objects.get(owner=user).tallied_on == datetime.date.today()


def _comparable(rows):
    keys = ("given", "received", "balance", "imbalance", "i_owe", "taker", "money_open", "money_since")
    return [(row["person_id"], *(row[k] for k in keys)) for row in rows]


@time_machine.travel(FROZEN)
def test_tallies_kept_by_each_write_match_summing_the_entries(user):
    """Adds, edits, returns, deletes and a merge, with no rebuild in between: the tallies
    the services keep give the same rows as summing the entries for the same period."""
    services.refresh_ledger_tallies(user.pk, today=TODAY)
    people = [make_person(owner=user, family_name=f"人{i}") for i in range(6)]
    made = []
    for i, person in enumerate(people):
        made.append(entry(user, person, days_ago=i * 70, weight=1 + i % 3))
        made.append(entry(user, person, days_ago=35 + i, direction="received", weight=3))
        made.append(entry(user, person, days_ago=2 + i, kind="money", amount=Decimal("1000")))
    for days in (3, 4, 5):
        entry(user, people[0], days_ago=days)
    services.update_ledger_entry(
        entry=made[1], values={"date": TODAY, "direction": "gave", "kind": "help", "weight": 3}
    )
    services.mark_loan_returned(entry=made[2], on=TODAY)
    services.delete_ledger_entry(entry=made[4])
    contacts_services.merge_people(keep=people[4], other=people[5])
    settings = LedgerSettings.for_owner(user.pk)
    assert settings.tallied_on == TODAY
    year_start = TODAY - datetime.timedelta(days=364)
    for kind in ("", "money"):
        for flag in ("", "owe", "taker", "money"):
            tallied = selectors.overview(user.pk, today=TODAY, settings=settings, kind=kind, flag=flag)
            summed = selectors.overview(
                user.pk, today=TODAY, settings=settings, period="custom", start=year_start, kind=kind, flag=flag
            )
            assert _comparable(tallied) == _comparable(summed), (kind, flag)
    assert len(_comparable(selectors.overview(user.pk, today=TODAY, settings=settings))) == 5


@time_machine.travel(FROZEN)
def test_changing_the_thresholds_rebuilds_the_flags(auth_client, user):
    person = make_person(owner=user, family_name="借")
    entry(user, person, days_ago=10, direction="received")
    assert "借" in (page := auth_client.get(URL).content.decode()).split("ledger-results")[-1]
    assert "ledger-flag--owe" not in page.split("ledger-results")[-1]
    auth_client.post(
        reverse("ledger:settings"),
        {"owe_after_days": "7", "taker_min_entries": "3", "taker_window_days": "365"},
    )
    assert "ledger-flag--owe" in auth_client.get(URL).content.decode().split("ledger-results")[-1]


def test_settings_are_saved_and_bad_values_get_a_message(auth_client, user):
    response = auth_client.post(
        reverse("ledger:settings"),
        {"owe_after_days": "14", "taker_min_entries": "5", "taker_window_days": "180"},
    )
    assert response.status_code == 302
    assert LedgerSettings.objects.get(owner=user).owe_after_days == 14
    response = auth_client.post(
        reverse("ledger:settings"),
        {"owe_after_days": "-3", "taker_min_entries": "x", "taker_window_days": "99999"},
    )
    assert response.status_code == 422
    assert LedgerSettings.objects.get(owner=user).owe_after_days == 14
    assert "field__error" in response.content.decode()


def test_defaults_apply_without_a_settings_row(user):
    settings = LedgerSettings.for_owner(user.pk)
    assert (settings.owe_after_days, settings.taker_min_entries, settings.taker_window_days) == (30, 3, 365)
