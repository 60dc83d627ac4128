"""The give-and-take ledger in Chromium: add entries without a reload, from a meeting, loans, the overview."""

import datetime

import pytest

from ledger.models import LedgerEntry
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_ledger_entry, make_meeting, make_person

pytestmark = pytest.mark.browser


def _open_form(page):
    """The add form loads when its box is opened (and stays open after an entry is added)."""
    if page.locator("form#ledger-form").count() == 0:
        page.locator("#ledger details.ledger-add > summary").click()
    page.locator("form#ledger-form").wait_for()


def _add(page, direction: str, kind: str, weight: str, text: str):
    _open_form(page)
    form = page.locator("#ledger-form")
    form.locator(f"input[name=direction][value={direction}]").check()
    form.locator("select[name=kind]").select_option(kind)
    form.locator(f"input[name=weight][value='{weight}']").check()
    form.locator("input[name=description]").fill(text)
    form.locator("button[type=submit]").click()
    page.locator("#ledger .ledger-entry", has_text=text).wait_for()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_add_gave_and_received_entries_and_a_loan_on_the_person_page(
    watched, live_server, browser_user, viewport, language
):
    page = watched.page
    person = make_person(owner=browser_user, company="株式会社サンプル")
    meeting = make_meeting(owner=browser_user, people=[person], date=datetime.date.today() - datetime.timedelta(days=3))
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.evaluate("window.__marker = 'same page'")
    year = page.locator("#ledger-balance-year")
    assert year.inner_text() == "0"

    _add(page, "gave", "introduction", "3", "税理士を紹介した")
    assert year.inner_text() == "+3"
    _add(page, "received", "advice", "1", "価格の相談に乗ってもらった")
    assert page.locator("#ledger-balance-year").inner_text() == "+2"
    assert page.evaluate("window.__marker") == "same page"  # no reload

    # From a meeting on the timeline: the same form opens with the meeting chosen.
    page.locator(f"#meeting-{meeting.pk} .timeline__ledger").click()
    page.locator(f"#ledger-form select[name=meeting] option[value='{meeting.pk}']:checked").wait_for(state="attached")
    _add(page, "received", "information", "2", "展示会の招待券")
    assert page.locator("#ledger-balance-year").inner_text() == "0"
    assert LedgerEntry.objects.get(description="展示会の招待券").meeting_id == meeting.pk

    # A loan, then partly and fully returned.
    form = page.locator("#ledger-form")
    form.locator("input[name=direction][value=gave]").check()
    form.locator("select[name=kind]").select_option("money")
    form.locator("input[name=description]").fill("開業資金の立て替え")
    if not form.locator("details.ledger-form__more").get_attribute("open") is not None:
        form.locator("details.ledger-form__more > summary").click()
    form.locator("input[name=amount]").fill("１００,０００")
    form.locator("button[type=submit]").click()
    loan = page.locator("#ledger .ledger-entry", has_text="開業資金の立て替え")
    loan.wait_for()
    watched.screenshot(f"{viewport}-{language}-ledger")
    loan.locator(".ledger-return > summary").click()
    loan.locator("input[name=returned]").fill("150,000")
    loan.locator(".ledger-return button[type=submit]").click()
    page.locator("#ledger .field__error").wait_for()
    loan = page.locator("#ledger .ledger-entry", has_text="開業資金の立て替え")
    loan.locator("input[name=returned]").fill("40,000")
    loan.locator(".ledger-return button[type=submit]").click()
    page.locator("#ledger .ledger-money--partly").wait_for()
    loan = page.locator("#ledger .ledger-entry", has_text="開業資金の立て替え")
    loan.locator(".ledger-return > summary").click()
    loan.locator(".ledger-return button[type=submit]").click()
    page.locator("#ledger .ledger-money--fully").wait_for()
    watched.screenshot(f"{viewport}-{language}-ledger-returned")
    assert page.evaluate("window.__marker") == "same page"
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_overview_flags_change_as_entries_are_added(watched, live_server, browser_user, viewport, language):
    page = watched.page
    today = datetime.date.today()
    taker = make_person(owner=browser_user, family_name="取田", given_name="守")
    for days in (3, 10, 20):
        make_ledger_entry(owner=browser_user, person=taker, date=today - datetime.timedelta(days=days))
    lender = make_person(owner=browser_user, family_name="貸川", given_name="進")
    make_ledger_entry(
        owner=browser_user, person=lender, direction="received", weight=3, date=today - datetime.timedelta(days=60)
    )
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/ledger/")
    rows = page.locator(".ledger-row")
    assert rows.filter(has_text="取田").locator(".ledger-flag--taker").count() == 1
    assert rows.filter(has_text="貸川").locator(".ledger-flag--owe").count() == 1
    watched.screenshot(f"{viewport}-{language}-ledger-overview")

    # Filter by flag without a reload.
    page.locator("select[name=flag]").select_option("taker")
    page.wait_for_url("**flag=taker**")
    page.locator(".ledger-row", has_text="貸川").wait_for(state="detached")
    assert page.locator(".ledger-row", has_text="取田").count() == 1

    # They give something back: no longer only taking; I give back: no longer owing.
    page.goto(f"{live_server.url}{taker.get_absolute_url()}")
    _add(page, "received", "gift", "1", "お土産")
    page.goto(f"{live_server.url}{lender.get_absolute_url()}")
    _add(page, "gave", "help", "3", "引っ越しを手伝った")
    page.goto(f"{live_server.url}/ledger/")
    assert page.locator(".ledger-row .ledger-flag--taker").count() == 0
    assert page.locator(".ledger-row .ledger-flag--owe").count() == 0
    watched.assert_clean()
