"""The follow-up queue in Chromium, with a real Celery worker creating the follow-ups."""

import datetime
import os
import subprocess
import sys

import pytest

from followups.models import FollowUp, Reason, State
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_person
from tests.test_worker_roundtrip import BASE_DIR, _database_url_for_worker, _wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(live_server):
    """A real worker on the configured broker's default queue, as `make run` starts one."""
    env = os.environ | {"DATABASE_URL": _database_url_for_worker(), "DJANGO_SETTINGS_MODULE": "networking.settings"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "networking", "worker", "--pool", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def without_javascript(browser, viewport):
    """A Japanese page with JavaScript off, watched for errors; its context is closed afterwards."""
    from tests.browser.conftest import VIEWPORTS, PageWatch

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP", java_script_enabled=False)
    yield PageWatch(context.new_page())
    context.close()


def _keep_in_touch(person) -> datetime.date:
    return FollowUp.objects.get(person=person, reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).due_on


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_first_meeting_gives_a_thank_you_done_from_this_week_moves_keep_in_touch(
    watched, live_server, browser_user, viewport, worker, language
):
    page = watched.page
    today = datetime.date.today()
    met_on = today - datetime.timedelta(days=5)
    person = make_person(owner=browser_user, family_name="北川", given_name="葵", keep_in_touch_days=30)
    log_in(watched, live_server, "hanako")
    switch_language(page, language)

    # Log the first meeting through the meeting form.
    page.goto(f"{live_server.url}/meetings/new/?person={person.pk}")
    page.fill("input[name=date]", met_on.isoformat())
    page.select_option("select[name=kind]", "first_at_event")
    page.fill("[name=summary]", "交流会で名刺交換")
    page.locator("form button[type=submit].button--primary").click()
    page.wait_for_load_state("networkidle")

    # The real worker creates the thank-you (and the keep-in-touch) after the save.
    assert _wait_for(lambda: FollowUp.objects.filter(person=person, reason=Reason.THANK_YOU).exists(), 60)
    assert _keep_in_touch(person) == met_on + datetime.timedelta(days=30)

    page.goto(f"{live_server.url}/week/")
    item = page.locator(".week-item", has_text="北川")
    item.first.wait_for()
    assert "week-item--overdue" in item.first.get_attribute("class")  # met five days ago
    page.locator(".nav-count").wait_for()
    watched.screenshot(f"week-{language}")
    item.locator("[data-action=done] > summary").first.click()
    item.locator("[data-action=done] input[name=summary]").first.fill("お礼のメールを送った")
    item.locator("button", has_text="Mark done" if language == "en" else "完了にする").first.click()
    page.locator(".week-item--gone", has_text="北川").wait_for()

    assert _wait_for(lambda: _keep_in_touch(person) == today + datetime.timedelta(days=30), 60)
    thanks = FollowUp.objects.get(person=person, reason=Reason.THANK_YOU)
    assert thanks.state == State.DONE
    page.goto(f"{live_server.url}{person.get_absolute_url()}#followups")
    section = page.locator("#followups:not(.panel-pending)")  # the panel, loaded from its app
    assert (today + datetime.timedelta(days=30)).isoformat() in section.inner_text()
    assert "お礼のメールを送った" in page.locator("main").inner_text()
    watched.assert_clean()


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_keyboard_shortcuts_snooze_and_skip(watched, live_server, browser_user, viewport, eager_celery):
    from tests.factories import make_followup

    page = watched.page
    first = make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name="一番"))
    second = make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name="二番"))
    log_in(watched, live_server, "hanako")
    switch_language(page, "ja")
    page.goto(f"{live_server.url}/week/")
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.locator(".week-item--gone", has_text="一番").wait_for()
    page.keyboard.press("x")
    page.locator(".week-item--gone", has_text="二番").wait_for()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.snoozed, first.show_on) == (True, datetime.date.today() + datetime.timedelta(days=1))
    assert second.state == State.SKIPPED
    watched.assert_clean()


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_an_opened_button_loads_its_form_and_one_click_finishes_the_item(
    watched, live_server, browser_user, viewport, eager_celery
):
    from tests.factories import make_followup

    page = watched.page
    item = make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name="南野"))
    log_in(watched, live_server, "hanako")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/week/")
    row = page.locator(".week-item", has_text="南野")
    assert row.locator("form").count() == 0  # the forms are not on the page until asked for
    row.locator("[data-action=snooze] > summary").click()
    row.locator("[data-action=snooze] [data-snooze-tomorrow]").click()
    page.locator(".week-item--gone", has_text="南野").wait_for()
    item.refresh_from_db()
    assert (item.snoozed, item.show_on) == (True, datetime.date.today() + datetime.timedelta(days=1))
    watched.assert_clean()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_without_javascript_an_items_button_opens_its_form_on_a_page(
    without_javascript, live_server, browser_user, viewport
):
    from tests.factories import make_followup

    watched = without_javascript
    page = watched.page
    item = make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name="東山"))
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/week/")
    row = page.locator(".week-item", has_text="東山")
    row.locator("[data-action=skip] > summary").click()
    row.locator("[data-action=skip] [data-form-load]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/week/{item.pk}/skip/")
    page.fill("input[name=reason]", "転職された")
    page.locator("[data-skip]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/week/")
    assert "東山" in page.locator("main").inner_text()  # the message says who was skipped
    item.refresh_from_db()
    assert (item.state, item.skip_reason) == (State.SKIPPED, "転職された")
    assert watched.console_errors == [] and watched.failed_requests == []


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_next_weeks_items_load_as_their_section_comes_near_and_the_keys_reach_them(
    watched, live_server, browser_user, viewport, language
):
    from django.utils import timezone

    from followups.selectors import week_bounds
    from tests.factories import make_followup

    page = watched.page
    today = timezone.localdate()
    next_tuesday = week_bounds(today)[0] + datetime.timedelta(days=2)
    for i in range(8):
        make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name=f"今{i}"), due_on=today)
    make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name="来週"), due_on=next_tuesday)
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/week/")
    page.locator(".week-item", has_text="今0").wait_for()
    assert page.locator(".week-item", has_text="来週").count() == 0  # eight items down: not fetched yet
    label = "Show next week's items" if language == "en" else "来週の分を表示"
    assert page.locator("#next-week a").inner_text() == label
    # j walks down the queue; as it nears next week, that section's items arrive and j goes on into them.
    for _ in range(20):
        page.keyboard.press("j")
        page.wait_for_timeout(150)
        if "来週" in page.evaluate("document.activeElement.textContent"):
            break
    assert "来週" in page.evaluate("document.activeElement.textContent")
    assert page.locator("#next-week").count() == 0
    item = page.locator(".week-item", has_text="来週")
    item.locator(".week-reach-slot [data-reach]").wait_for()  # its reach-out box comes too
    watched.screenshot(f"week-next-{language}")
    watched.assert_clean()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_without_javascript_next_weeks_items_are_a_link_away(without_javascript, live_server, browser_user, viewport):
    from django.utils import timezone

    from followups.selectors import week_bounds
    from tests.factories import make_followup

    watched = without_javascript
    page = watched.page
    next_tuesday = week_bounds(timezone.localdate())[0] + datetime.timedelta(days=2)
    make_followup(owner=browser_user, person=make_person(owner=browser_user, family_name="来週"), due_on=next_tuesday)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/week/")
    assert page.locator(".week-item", has_text="来週").count() == 0
    page.locator("#next-week a").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/week/?next=1#next-week-title")
    assert page.locator(".week-item", has_text="来週").count() == 1
    assert watched.console_errors == [] and watched.failed_requests == []
