"""Capture at an event in Chromium, on a phone and a desktop, in Japanese and English."""

import datetime

import pytest
from playwright.sync_api import expect

from contacts.models import Meeting, MeetingKind, Person
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_field, make_meeting, make_person

pytestmark = pytest.mark.browser

ROWS = "#capture-rows .capture-row:not(.capture-row--undone)"


def _assert_fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scroll"
    sizes = page.eval_on_selector_all(
        "#capture-form input[type=text], #capture-form input[type=email]",
        "els => els.map(e => getComputedStyle(e).fontSize)",
    )
    assert sizes and set(sizes) == {"16px"}  # smaller text makes iOS zoom in


def _screenshot(watched, name):
    """Take a screenshot, then drop the empty style="" it leaves on every input.

    Playwright hides carets with an inline style and leaves the attribute
    behind; htmx then copies it onto the swapped-in inputs of the same id,
    which the page's strict CSP reports. A user's browser never does this.
    """
    watched.page.evaluate("window.scrollTo(0, 0)")
    watched.screenshot(name)
    watched.page.evaluate("document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))")


def _type_row(page, name, reading="", company="", memo=""):
    """Type a row the way a user does: the cursor already waits in the name input."""
    expect(page.locator("#capture-form input[name=name]")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(reading)
    page.keyboard.press("Tab")
    page.keyboard.type(company)
    if memo:
        page.fill("#capture-form input[name=memo]", memo)
        page.focus("#capture-form input[name=memo]")


def test_logging_people_at_an_event(watched, live_server, browser_user, viewport):
    page = watched.page
    for position, name in enumerate(["IT", "金融", "デザイン", "法律", "マーケティング"]):
        make_field(owner=browser_user, name=name, position=position)
    known = make_person(
        owner=browser_user,
        family_name="山田",
        given_name="太郎",
        family_reading="やまだ",
        given_reading="たろう",
        company="ABC商事",
    )
    make_meeting(owner=browser_user, people=[known], date=datetime.date(2025, 6, 1))
    log_in(watched, live_server, "hanako")

    # Pick or create the event.
    page.goto(f"{live_server.url}/capture/")
    expect(page.locator("h1")).to_be_visible()
    _screenshot(watched, f"{viewport}-ja-capture-pick")
    page.fill("#capture-event-form input[name=name]", "異業種交流会 渋谷")
    page.fill("#capture-event-form input[name=place]", "渋谷")
    page.click("#capture-event-form button[type=submit]")
    page.wait_for_url("**/capture/?event=*")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("異業種交流会 渋谷")
    _assert_fits_the_screen(page)
    page.evaluate("window.__marker = 'still here'")

    # Three people, each saved with Enter; the cursor moves to the next row's name.
    _type_row(page, "佐藤 一郎", "さとう いちろう", "XYZ商事", memo="DXの相談")
    page.click("#capture-form label.capture-chip:has-text('IT')")
    page.click("#capture-form label.capture-chip:has-text('はい')")
    page.focus("#capture-form input[name=memo]")
    page.keyboard.press("Enter")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_contain_text("佐藤 一郎")
    expect(page.locator(ROWS).first).to_contain_text("XYZ商事")

    _type_row(page, "鈴木 花子", "すずき はなこ", "ABC商事")
    # The company matches someone already known; Enter still saves a new row.
    expect(page.locator("#capture-matches .capture-match", has_text="山田 太郎")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator(ROWS).first).to_contain_text("鈴木 花子")

    _type_row(page, "Jane Smith")
    page.keyboard.press("Enter")
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator(ROWS).first).to_contain_text("Jane Smith")
    expect(page.locator("#capture-count")).to_have_text("3")
    expect(page.locator("#capture-form input[name=name]")).to_be_focused()
    expect(page.locator("#capture-form input[name=name]")).to_have_value("")

    # A known person: the suggestion appears while typing; one tap logs them.
    _type_row(page, "", "やまだ たろう")
    match = page.locator("#capture-matches button.capture-match", has_text="山田 太郎")
    expect(match).to_be_visible()
    _assert_fits_the_screen(page)
    _screenshot(watched, f"{viewport}-ja-capture-suggestion")
    match.click()
    expect(page.locator(ROWS)).to_have_count(4)
    expect(page.locator(ROWS).first).to_contain_text("山田 太郎")
    expect(page.locator("#capture-matches .capture-match")).to_have_count(0)

    # Undo the row of Jane Smith.
    jane = page.locator(ROWS, has_text="Jane Smith")
    jane.get_by_role("button").click()
    expect(page.locator(".capture-row--undone")).to_contain_text("Jane Smith")
    expect(page.locator(".capture-row--undone")).to_be_focused()
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator("#capture-count")).to_have_text("3")

    assert page.evaluate("window.__marker") == "still here"  # no page reload
    _assert_fits_the_screen(page)
    _screenshot(watched, f"{viewport}-ja-capture")

    # A row typed with a mistake is refused with a message, nothing lost.
    page.click("#capture-form input[name=name]")
    _type_row(page, "", "", "会社だけ")
    page.keyboard.press("Enter")
    expect(page.locator("#capture-form .field__error")).to_be_visible()
    expect(page.locator("#capture-form input[name=company]")).to_have_value("会社だけ")
    expect(page.locator("#capture-form input[name=name]")).to_be_focused()
    _screenshot(watched, f"{viewport}-ja-capture-error")
    page.fill("#capture-form input[name=company]", "")

    people = {p.display_name: p for p in Person.objects.filter(owner=browser_user)}
    assert set(people) == {"山田 太郎", "佐藤 一郎", "鈴木 花子"}
    sato = people["佐藤 一郎"]
    assert [f.name for f in sato.fields.all()] == ["IT"]
    assert sato.i_want_to_meet_again == "yes"
    assert sato.company == "XYZ商事"
    assert Meeting.objects.get(people=sato).summary == "DXの相談"
    assert Meeting.objects.filter(people=known, kind=MeetingKind.AT_EVENT).count() == 1

    # A reload keeps the list; the same page in English.
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("異業種交流会 渋谷")
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator("#capture-form button.capture-save")).to_have_text("Save and add the next person")
    _type_row(page, "Bob Stone", "", "ABC商事")
    expect(page.locator("#capture-matches .capture-match", has_text="山田 太郎")).to_be_visible()
    _assert_fits_the_screen(page)
    _screenshot(watched, f"{viewport}-en-capture")
    page.keyboard.press("Enter")
    expect(page.locator(ROWS)).to_have_count(4)

    page.goto(f"{live_server.url}/capture/")
    expect(page.locator(".capture-event")).to_contain_text("4")
    _screenshot(watched, f"{viewport}-en-capture-pick")
    watched.assert_clean()
