"""The give-and-take ledger on the person page: entries, balances, money, isolation."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from contacts import services as contacts_services
from contacts import trash
from ledger import selectors, services
from ledger.models import LedgerEntry
from tests.factories import make_meeting, make_person, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)
FROZEN = "2026-11-21 09:00 +0900"


def make_entry(*, owner, person, **values):
    values = {"date": TODAY, "direction": "gave", "kind": "information", "weight": 2} | values
    return services.add_ledger_entry(owner=owner, person=person, values=values)


def _post(client, person, headers=None, **data):
    body = {"direction": "gave", "kind": "information", "weight": "2", "date": "2026-11-21", "currency": "JPY"} | data
    return client.post(
        reverse("ledger:entry_create", args=[person.pk]),
        body,
        headers={"HX-Request": "true"} | (headers or {}),
    )


def test_balance_weighs_small_medium_large_as_one_two_three(user):
    person = make_person(owner=user)
    make_entry(owner=user, person=person, weight=1)
    make_entry(owner=user, person=person, weight=3)
    make_entry(owner=user, person=person, direction="received", weight=2)
    balance = selectors.person_balance(person, today=TODAY)
    assert (balance.given_year, balance.received_year, balance.year) == (4, 2, 2)


def test_balance_over_twelve_months_leaves_out_older_entries_but_all_time_keeps_them(user):
    person = make_person(owner=user)
    make_entry(owner=user, person=person, date=TODAY - datetime.timedelta(days=400), weight=3)
    make_entry(owner=user, person=person, direction="received", weight=1)
    balance = selectors.person_balance(person, today=TODAY)
    assert balance.year == -1
    assert balance.all_time == 2


def test_balance_series_has_thirteen_cumulative_points(user):
    person = make_person(owner=user)
    make_entry(owner=user, person=person, date=datetime.date(2024, 1, 1), weight=3)
    make_entry(owner=user, person=person, date=datetime.date(2026, 6, 5), direction="received", weight=1)
    series = selectors.balance_series(person, today=TODAY)
    assert len(series.values) == 13
    assert series.values[0] == 3
    assert series.values[-1] == 2


@time_machine.travel(FROZEN)
def test_adding_a_gave_entry_from_the_person_page_returns_the_ledger_with_the_new_balance(auth_client, user):
    person = make_person(owner=user)
    response = _post(auth_client, person, weight="3", description="税理士を紹介")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ledger"' in html
    assert 'id="ledger-balance-year">+3<' in html
    assert "税理士を紹介" in html


def test_editing_and_deleting_an_entry_updates_the_balance(auth_client, user):
    person = make_person(owner=user)
    entry = make_entry(owner=user, person=person, weight=1)
    response = auth_client.post(
        reverse("ledger:entry_edit", args=[entry.pk]),
        {"direction": "received", "kind": "advice", "weight": "3", "date": "2026-11-20", "currency": "JPY"},
    )
    assert response.status_code == 302
    assert selectors.person_balance(person, today=TODAY).all_time == -3
    response = auth_client.post(reverse("ledger:entry_delete", args=[entry.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert selectors.person_balance(person, today=TODAY).all_time == 0


@pytest.mark.parametrize("typed", ["１,０００,０００", "1,000,000", "¥1,000,000", "1000000円"])
def test_money_in_full_width_digits_or_with_commas_is_accepted(auth_client, user, typed):
    person = make_person(owner=user)
    _post(auth_client, person, kind="money", amount=typed)
    assert LedgerEntry.objects.get(person=person).amount == Decimal("1000000")


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "-500", "An amount cannot be negative."),
        ("ja", "-500", "金額にマイナスは使えません。"),
        ("en", "abc", "is not an amount"),
        ("ja", "abc", "は金額ではありません"),
        ("en", "1e20", "That amount is too large"),
        ("ja", "1e20", "金額が大きすぎます"),
        ("en", "", "Enter the amount of money."),
    ],
)
def test_bad_amounts_are_refused_with_a_message_in_the_users_language(auth_client, user, language, typed, message):
    person = make_person(owner=user)
    with translation.override(language):
        response = _post(auth_client, person, kind="money", amount=typed, headers={"Accept-Language": language})
    assert message in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_bad_currency_is_refused(auth_client, user):
    person = make_person(owner=user)
    response = _post(auth_client, person, kind="money", amount="100", currency="YENN")
    assert "field__error" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_an_oversized_description_is_refused(auth_client, user):
    person = make_person(owner=user)
    _post(auth_client, person, description="あ" * 501)
    assert not LedgerEntry.objects.exists()


def test_a_loan_can_be_returned_partly_then_fully(auth_client, user):
    person = make_person(owner=user)
    loan = make_entry(owner=user, person=person, kind="money", amount=Decimal("100000"))
    url = reverse("ledger:entry_return", args=[loan.pk])
    auth_client.post(url, {"returned": "40,000", "returned_on": "2026-11-21"}, HTTP_HX_REQUEST="true")
    loan.refresh_from_db()
    assert (loan.return_state, loan.outstanding) == ("partly", Decimal("60000"))
    auth_client.post(url, {"returned": "", "returned_on": "2026/11/22"}, HTTP_HX_REQUEST="true")
    loan.refresh_from_db()
    assert loan.return_state == "fully"
    assert loan.returned_on == datetime.date(2026, 11, 22)


def test_returning_more_than_the_amount_is_refused(auth_client, user):
    person = make_person(owner=user)
    loan = make_entry(owner=user, person=person, kind="money", amount=Decimal("1000"))
    response = auth_client.post(
        reverse("ledger:entry_return", args=[loan.pk]),
        {"returned": "1500", "returned_on": "2026-11-21"},
        HTTP_HX_REQUEST="true",
    )
    assert "At most 1,000" in response.content.decode() or "1,000" in response.content.decode()
    loan.refresh_from_db()
    assert loan.returned_amount is None


def test_the_database_refuses_a_negative_amount(user):
    from django.db import IntegrityError, transaction

    person = make_person(owner=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            owner=user, person=person, date=TODAY, kind="money", amount=Decimal("-1"), direction="gave"
        )


def test_another_users_meeting_or_person_is_a_validation_error(auth_client, user):
    person = make_person(owner=user)
    stranger = make_user(username="stranger")
    their_person = make_person(owner=stranger)
    their_meeting = make_meeting(owner=stranger, people=[their_person])
    for data in (
        {"meeting": their_meeting.pk},
        {"kind": "introduction", "introduced_person": their_person.pk},
        {"meeting": "99999999999999999999999"},
    ):
        response = _post(auth_client, person, **data)
        assert response.status_code == 200
        assert "field__error" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_another_users_person_page_ledger_url_is_404(auth_client, user):
    stranger = make_user(username="stranger")
    response = _post(auth_client, make_person(owner=stranger))
    assert response.status_code == 404


def test_an_introduction_appears_on_both_peoples_pages(auth_client, user):
    introducer = make_person(owner=user, family_name="鈴木")
    introduced = make_person(owner=user, family_name="高橋")
    _post(
        auth_client,
        introducer,
        kind="introduction",
        introduced_person=introduced.pk,
        direction="received",
        description="高橋さんを紹介してもらった",
    )
    for person in (introducer, introduced):
        html = auth_client.get(reverse("ledger:person_panel", args=[person.pk])).content.decode()
        assert "高橋さんを紹介してもらった" in html


def test_adding_from_a_meeting_preselects_it(auth_client, user):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person], date=datetime.date(2026, 10, 1))
    response = auth_client.get(
        reverse("ledger:entry_create", args=[person.pk]) + f"?meeting={meeting.pk}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ledger-form",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="ledger-form"')
    assert f'<option value="{meeting.pk}" selected>' in html
    assert 'value="2026-10-01"' in html


def test_merging_moves_entries_and_introductions_to_the_kept_person(user):
    keep = make_person(owner=user, family_name="山田")
    other = make_person(owner=user, family_name="山田", given_name="太")
    third = make_person(owner=user, family_name="佐藤")
    make_entry(owner=user, person=other, weight=3)
    make_entry(owner=user, person=third, kind="introduction", introduced_person=other)
    contacts_services.merge_people(keep=keep, other=other)
    assert selectors.person_balance(keep, today=TODAY).all_time == 3
    assert LedgerEntry.objects.get(person=third).introduced_person == keep


def test_deleting_a_person_deletes_their_entries(user):
    person = make_person(owner=user)
    make_entry(owner=user, person=person)
    trash.trash_person(person=person)
    assert not LedgerEntry.objects.exists()


def test_capture_row_can_record_a_gave_entry_in_the_same_request(auth_client, user):
    from tests.factories import make_event

    event = make_event(owner=user)
    auth_client.post(
        reverse("contacts:capture_row", args=[event.pk]),
        {"name": "鈴木 花子", "want_again": "yes", "ledger_direction": "gave", "ledger_kind": "information",
         "ledger_description": "補助金の情報"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    entry = LedgerEntry.objects.get()
    assert (entry.person.family_name, entry.date, entry.description) == ("鈴木", event.date, "補助金の情報")
    assert entry.meeting.event == event


def test_capture_row_without_gave_or_got_records_no_entry(auth_client, user):
    from tests.factories import make_event

    event = make_event(owner=user)
    auth_client.post(reverse("contacts:capture_row", args=[event.pk]), {"name": "鈴木 花子", "want_again": "yes"})
    assert not LedgerEntry.objects.exists()


def test_writing_an_entry_announces_the_person(user, django_capture_on_commit_callbacks):
    from contacts.services import people_changed

    seen = []

    def listener(sender, owner_id, person_ids, **kwargs):
        seen.append(person_ids)

    people_changed.connect(listener)
    try:
        person = make_person(owner=user)
        with django_capture_on_commit_callbacks(execute=True):
            make_entry(owner=user, person=person)
    finally:
        people_changed.disconnect(listener)
    assert [person.pk] in seen


def test_the_meeting_page_adds_an_entry_for_each_person_met_linked_to_the_meeting(auth_client, user):
    taro, hanako = make_person(owner=user), make_person(owner=user, family_name="鈴木", given_name="花子")
    meeting = make_meeting(owner=user, people=[taro, hanako], date=datetime.date(2026, 11, 10))
    page = auth_client.get(reverse("contacts:meeting_edit", args=[meeting.pk])).text
    link = reverse("ledger:entry_create", args=[hanako.pk]) + f"?meeting={meeting.pk}&amp;direction=received"
    assert link in page
    form = auth_client.get(link.replace("&amp;", "&")).text
    assert f'<option value="{meeting.pk}" selected>' in form
    assert re.search(r'<input type="radio" name="direction" value="received"[^>]*checked', form)
    assert 'value="2026-11-10"' in form
    response = auth_client.post(
        reverse("ledger:entry_create", args=[hanako.pk]),
        {"date": "2026-11-10", "direction": "received", "kind": "advice", "weight": "2", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(person=hanako)
    assert (entry.meeting_id, entry.direction) == (meeting.pk, "received")
