"""The person page in Chromium: stale edits in two tabs, meetings, ending, events."""

import datetime

import pytest

from contacts import services
from contacts.models import Meeting, Person, Status
from tests.browser.conftest import VIEWPORTS, PageWatch, log_in, switch_language
from tests.factories import make_event, make_field, make_meeting, make_person, make_tag

pytestmark = pytest.mark.browser


def _rich_person(owner):
    """A person with a full card, introductions both ways and a few meetings."""
    it = make_field(owner=owner, name="IT")
    event = make_event(owner=owner, name="渋谷 異業種交流会", date=datetime.date(2026, 10, 3))
    introducer = make_person(
        owner=owner, family_name="鈴木", given_name="一郎", family_reading="すずき", given_reading="いちろう"
    )
    person = make_person(
        owner=owner,
        company="株式会社サンプル",
        company_reading="さんぷる",
        department="第二営業部",
        title="部長",
        address="東京都渋谷区神南1-2-3",
        website="https://example.com/yamada",
        x_handle="@yamada_taro",
        line="yamada-line",
        what_they_do="中小企業向け SaaS の営業",
        what_they_want="信頼できる税理士を探している",
        stage="growing",
        tier="network",
        introduced_by=introducer,
        first_met_on=event.date,
        first_met_event=event,
        i_want_to_meet_again="yes",
        they_want_to_meet_again="yes",
        notes="週末はサーフィン。\n娘さんが来春に小学校入学。",
        fields=[it],
        tags=[make_tag(owner=owner, name="ゴルフ")],
    )
    services.set_contact_points(
        person=person,
        points=[
            ("email", "taro.yamada@example.com", "taro.yamada@example.com"),
            ("mobile", "090-1234-5678", "+819012345678"),
        ],
    )
    friend = make_person(
        owner=owner, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ"
    )
    make_person(
        owner=owner, family_name="Smith", given_name="John", family_reading="", given_reading="", introduced_by=person
    )
    make_meeting(
        owner=owner,
        people=[person],
        event=event,
        kind="first_at_event",
        date=event.date,
        summary="名刺交換。SaaS の話で盛り上がった。",
    )
    make_meeting(
        owner=owner,
        people=[person, friend],
        kind="drinks",
        date=datetime.date(2026, 10, 20),
        summary="佐藤さんを紹介。",
        next_step="税理士の候補を二人送る",
        next_step_on=datetime.date(2026, 11, 30),
    )
    make_meeting(
        owner=owner,
        people=[person],
        kind="joint_work",
        date=datetime.date(2026, 11, 10),
        summary="提案書を一緒に作成。",
    )
    return person


def test_a_stale_second_save_is_refused_and_keeps_what_was_typed(watched, live_server, browser_user, browser, viewport):
    person = make_person(owner=browser_user, company="旧社名")
    edit_url = f"{live_server.url}/people/{person.pk}/edit/"
    first = watched.page
    log_in(watched, live_server, "hanako")
    second_context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP")
    try:
        second = PageWatch(second_context.new_page())
        second.page.set_default_timeout(10_000)
        log_in(second, live_server, "hanako")
        switch_language(second.page, "en")
        # Both tabs open the same version of the form.
        first.goto(edit_url)
        second.page.goto(edit_url)
        # The first tab saves.
        first.fill("#id_company", "A社")
        first.click(".form-actions button[type=submit]")
        first.wait_for_url(f"{live_server.url}/people/{person.pk}/")
        assert "A社" in first.locator(".person-head").inner_text()
        # The second tab saves on top of the old version and is refused.
        second.page.fill("#id_company", "B社")
        second.page.fill("#id_notes", "二つ目のタブで書いたメモ")
        second.page.click(".form-actions button[type=submit]")
        second.page.wait_for_selector(".conflict")
        assert "Someone saved this person after you opened the form" in second.page.locator(".conflict h2").inner_text()
        table = second.page.locator(".conflict__table").inner_text()
        assert "A社" in table and "B社" in table
        assert second.page.input_value("#id_company") == "B社"
        assert second.page.input_value("#id_notes") == "二つ目のタブで書いたメモ"
        person.refresh_from_db()
        assert (person.company, person.notes) == ("A社", "")
        second.screenshot(f"{viewport}-en-person-stale-edit")
        # Saving again deliberately replaces the other save.
        second.page.click(".form-actions button[type=submit]")
        second.page.wait_for_url(f"{live_server.url}/people/{person.pk}/")
        person.refresh_from_db()
        assert (person.company, person.notes) == ("B社", "二つ目のタブで書いたメモ")
        second.assert_clean()
    finally:
        second_context.close()
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_log_a_meeting_from_the_person_page_without_leaving_it(watched, live_server, browser_user, viewport, language):
    page = watched.page
    person = _rich_person(browser_user)
    colleague = make_person(
        owner=browser_user, family_name="高橋", given_name="健", family_reading="たかはし", given_reading="けん"
    )
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    watched.screenshot(f"{viewport}-{language}-person")
    page.evaluate("window.__marker = 'same page'")

    page.click("a#meeting-form")
    page.wait_for_selector("form#meeting-form")
    assert page.evaluate("window.__marker") == "same page"  # opened inline, no reload
    assert page.locator(f"#people-choices input[value='{person.pk}']").is_checked()
    with page.expect_response(lambda r: "people_q=" in r.url):
        page.fill("#id_people_q", "たかはし")
    page.wait_for_load_state("networkidle")
    assert page.locator("#people-choices label").count() == 2  # the ticked person and the one match
    assert page.locator(f"#people-choices input[value='{person.pk}']").is_checked()  # still ticked
    page.check(f"#people-choices input[value='{colleague.pk}']")
    page.select_option("#id_kind", "coffee")
    page.fill("#id_summary", "新規案件のランチミーティング")
    page.fill("#id_next_step", "見積もりを送る")
    watched.screenshot(f"{viewport}-{language}-person-meeting-form")
    page.click("form#meeting-form button[type=submit]")
    page.wait_for_selector(".toast")
    page.wait_for_load_state("networkidle")
    assert "新規案件のランチミーティング" in page.locator(".timeline").inner_text()
    meeting = Meeting.objects.get(summary="新規案件のランチミーティング")
    assert set(meeting.people.values_list("pk", flat=True)) == {person.pk, colleague.pk}
    watched.screenshot(f"{viewport}-{language}-person-after-meeting")
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_end_and_reactivate_a_relationship(watched, live_server, browser_user, viewport, language):
    page = watched.page
    person = _rich_person(browser_user)
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.click("#end-form > summary")
    page.fill("#end-form textarea[name=reason]", "借金の申し込みを断った")
    watched.screenshot(f"{viewport}-{language}-person-end-form")
    page.click("#end-form button[type=submit]")
    page.wait_for_selector(".ended-note")
    assert "借金の申し込みを断った" in page.locator(".ended-note").inner_text()
    assert "提案書を一緒に作成。" in page.locator(".timeline").inner_text()  # history stays
    person.refresh_from_db()
    assert person.status == Status.ENDED
    watched.screenshot(f"{viewport}-{language}-person-ended")
    page.click(".ended-note button[type=submit]")
    page.wait_for_selector("#end-form")
    person.refresh_from_db()
    assert person.status == Status.ACTIVE
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_person_forms_and_event_pages_render_cleanly(watched, live_server, browser_user, viewport, language):
    page = watched.page
    person = _rich_person(browser_user)
    event = person.first_met_event
    duplicate = make_person(owner=browser_user, family_name="山田", given_name="太朗", company="サンプル")
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    pages = {
        "person-edit": f"/people/{person.pk}/edit/",
        "person-new": "/people/new/",
        "person-merge": f"/people/{person.pk}/merge/",
        "person-delete": f"/people/{person.pk}/delete/",
        "events": "/events/",
        "event": event.get_absolute_url(),
        "event-new": "/events/new/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert page.locator("h1").first.is_visible()
        watched.screenshot(f"{viewport}-{language}-{name}")

    # Merge: find the duplicate with the search box, pick it, merge.
    page.goto(f"{live_server.url}/people/{person.pk}/merge/")
    with page.expect_response(lambda r: "q=" in r.url):
        page.fill("#id_merge_q", "太朗")
    page.wait_for_load_state("networkidle")
    assert page.locator("#merge-candidates input").count() == 1
    page.check(f"#merge-candidates input[value='{duplicate.pk}']")
    page.click(".form-actions button[type=submit]")
    page.wait_for_url(f"{live_server.url}{person.get_absolute_url()}")
    assert not Person.objects.filter(pk=duplicate.pk).exists()

    # Bad input on the edit form: the message sits on the field, nothing is saved.
    page.goto(f"{live_server.url}/people/{person.pk}/edit/")
    page.fill("#id_phones", "12")
    page.click(".form-actions button[type=submit]")
    page.wait_for_selector(".field--error #id_phones")
    watched.screenshot(f"{viewport}-{language}-person-edit-error")
    watched.assert_clean()


def test_older_meetings_load_below_the_timeline_without_a_reload(watched, live_server, browser_user, viewport):
    page = watched.page
    person = make_person(owner=browser_user)
    for day in range(45):
        make_meeting(
            owner=browser_user,
            people=[person],
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
            summary=f"記録{day:02d}",
        )
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.evaluate("window.__marker = 'same page'")
    assert page.locator(".timeline__item").count() == 20
    page.click("#timeline-more a")
    page.locator(".timeline__item").nth(39).wait_for()
    page.click("#timeline-more a")
    page.locator(".timeline__item").nth(44).wait_for()
    page.locator("#timeline-more").wait_for(state="detached")
    assert page.locator("#timeline-more").count() == 0
    assert page.evaluate("window.__marker") == "same page"
    assert page.locator(".timeline__item").last.inner_text().count("記録00") == 1
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_panels_load_in_place_and_their_forms_when_opened(watched, live_server, browser_user, viewport, language):
    from tests.factories import make_followup, make_key_person, make_ledger_entry

    page = watched.page
    person = _rich_person(browser_user)
    make_ledger_entry(owner=browser_user, person=person, description="税理士を紹介した", weight=3)
    make_followup(owner=browser_user, person=person, note="見積もりを送る")
    make_key_person(owner=browser_user, person=person, field=make_field(owner=browser_user, name="宇宙"))
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.evaluate("window.__marker = 'same page'")
    # Each app's panel replaces its placeholder.
    page.locator("#ledger:not(.panel-pending) #ledger-balance-year").wait_for()
    page.locator("#followups:not(.panel-pending)").wait_for()
    page.locator("#key-roles:not(.panel-pending) .key-roles__list").wait_for()
    assert page.locator(".panel-pending").count() == 0
    assert "税理士を紹介した" in page.locator("#ledger").inner_text()
    assert "見積もりを送る" in page.locator("#followups").inner_text()
    assert "宇宙" in page.locator("#key-roles").inner_text()
    assert page.locator("form#ledger-form").count() == 0  # forms load when opened
    watched.screenshot(f"{viewport}-{language}-person-panels")

    page.locator("#ledger details.ledger-add > summary").click()
    page.locator("form#ledger-form select[name=kind]").wait_for()
    page.locator("#followups details.followup-add > summary").click()
    page.locator("#followups form input[name=due_on]").wait_for()
    page.locator("#key-roles details.key-roles__add > summary").click()
    page.locator("#key-roles form select[name=field]").wait_for()
    page.locator("#end-form > summary").click()
    page.locator("#end-form form textarea[name=reason]").wait_for()
    assert page.evaluate("window.__marker") == "same page"
    watched.screenshot(f"{viewport}-{language}-person-forms-open")

    # A ledger entry refreshes the ledger; the follow-up panel reloads with it.
    form = page.locator("#ledger-form")
    form.locator("input[name=direction][value=received]").check()
    form.locator("input[name=description]").fill("展示会の招待券")
    with page.expect_response(lambda r: "/followups/panel/" in r.url):
        form.locator("button[type=submit]").click()
    page.locator("#ledger .ledger-entry", has_text="展示会の招待券").wait_for()
    assert page.locator("#ledger-balance-year").inner_text() == "+1"  # gave 3, received 2
    assert page.evaluate("window.__marker") == "same page"
    watched.assert_clean()
