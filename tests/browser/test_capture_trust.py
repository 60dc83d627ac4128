"""Capture you can trust at the venue (issue #15), in Chromium on a 375-px phone and a desktop, in Japanese.

Each test walks through one of the failures reported with the demo data and
shows it fixed: the right person offered first (池田 拓也, 石井 恵), Enter
pressed before the suggestions arrive, the known person keeping the new card,
the phone field and the reading filled from the IME.
"""

import random

import pytest
from playwright.sync_api import expect

from contacts.demo import seed_contacts
from contacts.models import CareerChange, ContactPoint, Meeting, Person
from tests.browser.conftest import CHROMIUM, VIEWPORTS, PageWatch, log_in, switch_language
from tests.factories import make_event, make_person

pytestmark = pytest.mark.browser

FORM = "#capture-form"
MATCHES = "#capture-matches .capture-match"


def _screenshot(watched, name):
    """As in test_capture.py: drop the empty style="" Playwright leaves, which htmx would copy."""
    watched.page.evaluate("window.scrollTo(0, 0)")
    watched.screenshot(name)
    watched.page.evaluate("document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))")


def _open_event(watched, live_server, user):
    event = make_event(owner=user, name="異業種交流会 渋谷")
    log_in(watched, live_server, user.username)
    watched.page.goto(f"{live_server.url}/capture/?event={event.pk}")
    watched.page.wait_for_load_state("networkidle")
    return event


def _fill_row(page, **values):
    for name, value in values.items():
        page.fill(f"{FORM} input[name={name}]", value)


def _demo_person(user, family, given):
    person = Person.objects.filter(owner=user, family_name=family, given_name=given).first()
    assert person is not None, f"the demo data no longer has {family} {given}"
    return person


def test_the_known_person_is_offered_first_and_keeps_the_new_card(watched, live_server, browser_user, viewport):
    """Failures 1 and 3: 池田 拓也 ranked 5th under a colleague; choosing him threw away 部長 and the new e-mail."""
    seed_contacts(owner=browser_user, people=80, rng=random.Random(42))
    ikeda = _demo_person(browser_user, "池田", "拓也")
    ishii = _demo_person(browser_user, "石井", "恵")
    old_title = ikeda.title
    page = watched.page
    event = _open_event(watched, live_server, browser_user)

    # 石井 恵 at 港区役所: among her colleagues, she is first.
    _fill_row(page, name="石井 恵", reading="いしい めぐみ", company="港区役所")
    first = page.locator(MATCHES).first
    expect(first).to_contain_text("石井 恵")
    expect(first).to_contain_text("同じ名前・読み・会社")
    assert ishii.company == "港区役所"

    _fill_row(page, name="", reading="", company="")
    _fill_row(page, name="池田 拓也", reading="いけだ たくや", company="株式会社ネクストメディア")
    first = page.locator(MATCHES).first
    expect(first).to_contain_text("池田 拓也")
    expect(first).to_contain_text("同じ名前・読み・会社")
    expect(page.locator(MATCHES).nth(1)).to_contain_text("同じ会社（同僚）")
    _fill_row(
        page, title="部長", email="ｉｋｅｄａ＠ｎｅｘｔ．ｊｐ", phone="０８０－１２３４－５６７８", memo="部長に昇進"
    )
    expect(page.locator(MATCHES).first).to_contain_text("同じ名前・読み・会社")
    _screenshot(watched, f"{viewport}-ja-capture-ranked")
    page.locator(MATCHES).first.click()
    expect(page.locator("#capture-rows .capture-row").first).to_contain_text("池田 拓也")
    expect(page.locator(f"{FORM} .capture-note")).to_contain_text("新しい名刺の内容を反映")

    ikeda.refresh_from_db()
    assert ikeda.title == "部長"
    points = set(ContactPoint.objects.filter(person=ikeda).values_list("normalized", flat=True))
    assert {"ikeda@next.jp", "+818012345678"} <= points
    assert Meeting.objects.get(event=event, people=ikeda).summary == "部長に昇進"
    change = CareerChange.objects.get(person=ikeda)
    assert (change.old_title, change.new_title) == (old_title, "部長")

    # The person page: the card now says 部長; the history and the timeline keep デザイナー.
    page.goto(f"{live_server.url}{ikeda.get_absolute_url()}")
    expect(page.locator(".person-head__org")).to_contain_text("部長")
    expect(page.locator("#career")).to_contain_text(old_title)
    expect(page.locator(".timeline__item--career")).to_contain_text("転職・異動")
    _screenshot(watched, f"{viewport}-ja-person-career")
    switch_language(page, "en")
    expect(page.locator("#career")).to_contain_text("Career history")
    _screenshot(watched, f"{viewport}-en-person-career")
    watched.assert_clean()


def test_enter_before_the_suggestions_arrive_does_not_make_a_duplicate(watched, live_server, browser_user, viewport):
    """Failure 2: 伊藤 恵 typed and Enter pressed at once saved a second 伊藤 恵."""
    known = make_person(
        owner=browser_user, family_name="伊藤", given_name="恵", family_reading="いとう", given_reading="めぐみ"
    )
    page = watched.page
    event = _open_event(watched, live_server, browser_user)

    # Typed and saved faster than the 300 ms the suggestions wait for.
    page.locator(f"{FORM} input[name=name]").press_sequentially("伊藤 恵")
    page.locator(f"{FORM} input[name=reading]").fill("いとう めぐみ")
    page.keyboard.press("Enter")
    guard = page.locator("#capture-matches.capture-matches--guard")
    expect(guard).to_be_visible()
    expect(guard).to_contain_text("まだ保存していません")
    expect(guard.locator(".capture-match--strong")).to_contain_text("伊藤 恵")
    expect(page.locator(f"{FORM} input[name=name]")).to_have_value("伊藤 恵")
    assert Person.objects.filter(owner=browser_user).count() == 1
    _screenshot(watched, f"{viewport}-ja-capture-guard")

    # Enter again without choosing still saves nothing.
    with page.expect_response("**/rows/"):
        page.locator(f"{FORM} input[name=name]").press("Enter")
    expect(page.locator("#capture-matches.capture-matches--guard")).to_be_visible()
    assert Person.objects.filter(owner=browser_user).count() == 1

    # "A different person: save as new" is an explicit choice.
    page.get_by_role("button", name="別の人：新しく登録").click()
    expect(page.locator("#capture-rows .capture-row")).to_have_count(1)
    assert Person.objects.filter(owner=browser_user, family_name="伊藤").count() == 2

    # The same typed again, and "same person" this time: a meeting with the one first known.
    _fill_row(page, name="伊藤 恵", reading="いとう めぐみ")
    with page.expect_response("**/rows/"):
        page.keyboard.press("Enter")
    page.locator("#capture-matches.capture-matches--guard").wait_for()
    page.locator(f"#capture-matches .capture-match[formaction$='/existing/{known.pk}/']").click()
    expect(page.locator("#capture-rows .capture-row")).to_have_count(2)
    assert Meeting.objects.filter(event=event, people=known).count() == 1
    assert Person.objects.filter(owner=browser_user, family_name="伊藤").count() == 2
    watched.assert_clean()


def _save_row(page, name):
    _fill_row(page, name=name)
    with page.expect_response("**/rows/"):
        page.locator(f"{FORM} input[name=name]").press("Enter")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_rows_saved_in_another_tab_join_the_log_when_this_one_is_back(
    watched, live_server, browser_user, viewport, language
):
    """A capture page left open (another tab, another device) showed only its own rows until reloaded."""
    page = watched.page
    event = _open_event(watched, live_server, browser_user)
    switch_language(page, language)
    _save_row(page, "佐藤 一郎")
    expect(page.locator("#capture-rows .capture-row")).to_have_count(1)

    # Another tab of the same session logs two people, and undoes one.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/capture/?event={event.pk}")
    other.wait_for_load_state("networkidle")
    for name in ("鈴木 二郎", "高橋 三郎"):
        _save_row(other, name)
    expect(other.locator("#capture-rows .capture-row")).to_have_count(3)
    with other.expect_response("**/undo/"):
        other.locator("#capture-rows .capture-row", has_text="鈴木 二郎").locator(".capture-undo").click()
    other.close()
    expect(page.locator("#capture-rows .capture-row")).to_have_count(1)  # nothing moves on its own

    # Back on the first tab: the log is the event's, newest first, with its count, and the
    # keyboard is still on the row it was on.
    sato_undo = page.locator("#capture-rows .capture-row", has_text="佐藤 一郎").locator(".capture-undo")
    sato_undo.focus()
    with page.expect_response("**/log/?shown=*"):
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(sato_undo).to_be_focused()
    names = page.locator("#capture-rows .capture-row .capture-row__name")
    expect(names).to_have_count(2)
    expect(names.first).to_contain_text("高橋 三郎")
    expect(names.last).to_contain_text("佐藤 一郎")
    expect(page.locator("#capture-count")).to_have_text("2")
    expect(page.locator("#capture-log-title")).to_contain_text(
        "このイベントで記録した人" if language == "ja" else "Logged at this event"
    )
    _screenshot(watched, f"{viewport}-{language}-capture-log-caught-up")

    # Nothing changed since: the answer is empty and the page stays as it is.
    with page.expect_response("**/log/?shown=*") as answer:
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    assert answer.value.status == 204

    # The rows that came in work like the others, and the next row joins them once.
    with page.expect_response("**/undo/"):
        page.locator("#capture-rows .capture-row", has_text="高橋 三郎").locator(".capture-undo").click()
    expect(page.locator("#capture-rows .capture-row--undone")).to_have_count(1)
    _save_row(page, "田中 四郎")
    expect(page.locator("#capture-rows .capture-row:not(.capture-row--undone)")).to_have_count(2)
    expect(page.locator("#capture-count")).to_have_text("2")
    assert Meeting.objects.filter(event=event).count() == 2
    watched.assert_clean()


IME_TYPE = """
(el, parts) => {
  el.focus();
  const fire = (type, data) => el.dispatchEvent(new CompositionEvent(type, { data, bubbles: true }));
  for (const [kana, converted, after] of parts) {
    fire("compositionstart", "");
    let typed = "";
    const before = el.value;
    for (const ch of kana) {
      typed += ch;
      el.value = before + typed;
      fire("compositionupdate", typed);
      el.dispatchEvent(new InputEvent("input", { data: typed, isComposing: true, bubbles: true }));
    }
    el.value = before + converted;  // the conversion (space, then Enter to confirm)
    fire("compositionupdate", converted);
    el.dispatchEvent(new InputEvent("input", { data: converted, isComposing: true, bubbles: true }));
    fire("compositionend", converted);
    if (after) {
      el.value += after;
      el.dispatchEvent(new InputEvent("input", { data: after, bubbles: true }));
    }
  }
}
"""


def test_the_reading_fills_from_the_ime_and_the_phone_has_its_field(watched, live_server, browser_user, viewport):
    """Failure 4: no phone field, and the reading typed twice on a Japanese keyboard."""
    page = watched.page
    _open_event(watched, live_server, browser_user)
    name = page.locator(f"{FORM} input[name=name]")
    reading = page.locator(f"{FORM} input[name=reading]")

    name.evaluate(IME_TYPE, [["いけだ", "池田", " "], ["たくや", "拓也", ""]])
    expect(reading).to_have_value("いけだ たくや")
    # Deleting the given name takes its reading away too.
    name.evaluate("el => { el.value = '池田 '; el.dispatchEvent(new InputEvent('input', {bubbles: true})); }")
    expect(reading).to_have_value("いけだ")

    # A reading the user typed is never overwritten.
    reading.fill("いけた")
    name.evaluate(IME_TYPE, [["たくや", "拓也", ""]])
    expect(name).to_have_value("池田 拓也")
    expect(reading).to_have_value("いけた")

    # The phone field, mobile by default, in full width with hyphens.
    phone = page.locator(f"{FORM} input[name=phone]")
    expect(page.locator(f"{FORM} label[for=id_phone]")).to_have_text("携帯")
    assert phone.get_attribute("inputmode") == "tel"
    phone.fill("０９０－１１１１－２２２２")
    page.locator(f"{FORM} input[name=memo]").press("Enter")
    expect(page.locator("#capture-rows .capture-row")).to_have_count(1)
    person = Person.objects.get(owner=browser_user)
    assert (person.family_name, person.given_name, person.family_reading) == ("池田", "拓也", "いけた")
    assert person.contact_points.get().normalized == "+819011112222"

    # After the save, the next row starts afresh: the IME fills again.
    name = page.locator(f"{FORM} input[name=name]")
    name.evaluate(IME_TYPE, [["いしい", "石井", ""]])
    expect(page.locator(f"{FORM} input[name=reading]")).to_have_value("いしい")
    _screenshot(watched, f"{viewport}-ja-capture-ime")
    watched.assert_clean()


def test_the_phone_layout_keeps_the_row_in_view(watched, live_server, browser_user, viewport):
    page = watched.page
    _open_event(watched, live_server, browser_user)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 56
    company = page.locator(f"{FORM} input[name=company]")
    company.fill("株式会社ネクストメディア東京")  # 株式会社 and eight characters
    assert company.evaluate("el => el.scrollWidth <= el.clientWidth")
    hints = page.eval_on_selector_all(
        f"{FORM} input[enterkeyhint]", "els => els.map(e => [e.name, e.getAttribute('enterkeyhint')])"
    )
    assert dict(hints)["name"] == "next" and dict(hints)["memo"] == "done"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    _screenshot(watched, f"{viewport}-ja-capture-layout")
    switch_language(page, "en")
    assert page.locator(".site-header").bounding_box()["height"] <= 56
    _screenshot(watched, f"{viewport}-en-capture-layout")
    watched.assert_clean()


@pytest.fixture
def touch_phone(browser):
    """A phone with a touch screen: the keyboard's action key moves through the row."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="ja-JP", has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield PageWatch(page)
    context.close()


def test_on_a_touch_phone_the_action_key_moves_on_and_saves_on_the_last_field(touch_phone, live_server, browser_user):
    assert CHROMIUM
    page = touch_phone.page
    _open_event(touch_phone, live_server, browser_user)
    page.locator(f"{FORM} input[name=name]").fill("高橋 花子")
    page.locator(f"{FORM} input[name=name]").press("Enter")
    expect(page.locator(f"{FORM} input[name=reading]")).to_be_focused()
    page.keyboard.type("たかはし はなこ")
    page.keyboard.press("Enter")
    expect(page.locator(f"{FORM} input[name=company]")).to_be_focused()
    assert not Person.objects.exists()
    page.locator(f"{FORM} input[name=memo]").fill("DXの話")
    page.locator(f"{FORM} input[name=memo]").press("Enter")
    expect(page.locator("#capture-rows .capture-row")).to_have_count(1)
    assert Person.objects.get().family_reading == "たかはし"
    touch_phone.assert_clean()


def test_a_new_account_starts_on_the_checklist(watched, live_server, browser_user, viewport):
    from contacts.services import ensure_default_fields

    ensure_default_fields(owner=browser_user)  # as sign-up does
    page = watched.page
    log_in(watched, live_server, browser_user.username)
    expect(page.locator("h1")).to_have_text("はじめに")
    expect(page.locator(".first-run__step")).to_have_count(3)
    _screenshot(watched, f"{viewport}-ja-first-run")
    page.locator("#first-run-event a").click()
    expect(page.locator("#capture-event-form")).to_be_visible()
    page.goto(f"{live_server.url}/key-persons/")
    expect(page.locator(".kp-nobody")).to_have_count(1)
    assert page.locator(".kp-field").count() == 0
    _screenshot(watched, f"{viewport}-ja-key-persons-empty")
    watched.assert_clean()
