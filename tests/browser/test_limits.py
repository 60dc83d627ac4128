"""Limits shown before they bite, in Chromium on a phone and a desktop, in Japanese and English:
a counter under long text, a message (never a cut) when text is over its limit, typed or pasted."""

import pytest
from playwright.sync_api import expect

from contacts.models import NOTES_MAX_LENGTH, Meeting, Person
from tests.browser.conftest import SCREENSHOTS, log_in, switch_language
from tests.factories import make_event

pytestmark = pytest.mark.browser

OVER = "長" * (NOTES_MAX_LENGTH + 50)


def _shot(watched, name: str, selector: str):
    """The screen as the user sees it with the field in the middle (not the whole page)."""
    watched.page.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'center'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), caret="initial")
    watched.page.evaluate("document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_person_form_counts_and_refuses_text_over_its_limit(watched, live_server, browser_user, viewport, language):
    page = watched.page
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/people/new/")
    switch_language(page, language)
    page.fill("input[name=family_name]", "山田")

    what = page.locator("[name=what_they_do]")
    what.fill("税理士。相続と事業承継が専門。")
    counter = page.locator("#id_what_they_do_count")
    expect(counter).to_have_text("15 / 500")

    # Pasted text over the limit: all of it stays, with a message, and the form is not sent.
    notes = page.locator("textarea[name=notes]")
    notes.fill(OVER)
    notes_counter = page.locator("#id_notes_count")
    expect(notes_counter).to_have_class("field__count field__count--over")
    expect(notes_counter).to_contain_text("50")
    expect(notes_counter).to_contain_text("超えています" if language == "ja" else "over the limit")
    assert page.evaluate("document.querySelector('textarea[name=notes]').value.length") == len(OVER)
    _shot(watched, f"{viewport}-{language}-person-form-over-limit", "textarea[name=notes]")
    page.click("button[type=submit].button--primary")
    expect(notes).to_be_focused()
    assert page.url.endswith("/people/new/")
    assert not Person.objects.exists()

    # Without the script the server refuses it the same way and sends all of it back.
    page.evaluate("document.querySelectorAll('[data-maxlength]').forEach(f => f.removeAttribute('data-maxlength'))")
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".field--error .field__error").first).to_be_visible()
    assert page.evaluate("document.querySelector('textarea[name=notes]').value.length") == len(OVER)
    assert not Person.objects.exists()
    _shot(watched, f"{viewport}-{language}-person-form-refused", ".field--error")

    # Shortened, it saves in full.
    notes.fill("長" * 800)
    expect(notes_counter).to_have_text("800 / 10000")
    page.click("button[type=submit].button--primary")
    page.wait_for_url("**/people/*/")
    assert Person.objects.get().notes == "長" * 800
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_capture_memo_over_its_limit_is_kept_and_not_saved(watched, live_server, browser_user, viewport, language):
    page = watched.page
    event = make_event(owner=browser_user)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/capture/?event={event.pk}")
    switch_language(page, language)
    page.fill("#capture-form input[name=name]", "佐藤 一郎")
    memo = page.locator("#capture-form [name=memo]")
    memo.fill(OVER)
    counter = page.locator("#id_memo_count")
    expect(counter).to_have_class("field__count field__count--over")
    memo.focus()
    page.keyboard.press("Enter")
    expect(memo).to_be_focused()
    assert page.evaluate("document.querySelector('#capture-form [name=memo]').value.length") == len(OVER)
    assert not Meeting.objects.exists()
    _shot(watched, f"{viewport}-{language}-capture-memo-over-limit", "#capture-form [name=memo]")

    # An 800-character memo (cut to 500 before) is saved whole.
    long_memo = ("展示会で名刺交換。DX の相談を受けた。" * 40)[:800]
    memo.fill(long_memo)
    expect(counter).to_have_text("800 / 10000")
    _shot(watched, f"{viewport}-{language}-capture-memo-counter", "#capture-form [name=memo]")
    memo.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#capture-rows .capture-row")).to_have_count(1)
    assert Meeting.objects.get().summary == long_memo
    watched.assert_clean()
