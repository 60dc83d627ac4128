import re

import pytest
from django.core import mail

from tests.browser.conftest import log_in, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = {"ja": "日本語", "en": "English"}


def _pages_to_visit(page):
    """Every main navigation entry, then the account menu's pages."""
    hrefs = page.eval_on_selector_all(".site-nav a", "els => els.map(e => e.getAttribute('href'))")
    hrefs += page.eval_on_selector_all(".menu__panel a", "els => els.map(e => e.getAttribute('href'))")
    return [href for href in hrefs if not href.startswith("/admin")]


def test_every_navigation_entry_renders_cleanly_in_both_languages(watched, live_server, browser_user, viewport):
    page = watched.page
    log_in(watched, live_server, "hanako")
    visited = 0
    for code in LANGUAGES:
        switch_language(page, code)
        for href in _pages_to_visit(page):
            response = page.goto(live_server.url + href)
            page.wait_for_load_state("networkidle")
            assert response.status == 200, href
            assert page.locator("html").get_attribute("lang") == code
            assert page.locator("h1").first.is_visible()
            slug = re.sub(r"[^a-z0-9]+", "-", href).strip("-") or "home"
            watched.screenshot(f"{viewport}-{code}-{slug}")
            visited += 1
    assert visited >= 4
    watched.assert_clean()


def test_login_page_has_no_csp_violations_and_shows_japanese_text(watched, live_server, transactional_db, viewport):
    page = watched.page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "ログイン"
    watched.screenshot(f"{viewport}-ja-login")
    watched.assert_clean()


def test_sending_a_test_job_updates_the_page_without_a_reload(
    watched, live_server, browser_user, eager_celery, viewport
):
    page = watched.page
    log_in(watched, live_server, "hanako")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/jobs/")
    page.evaluate("window.__marker = 'still here'")
    page.click("text=Send a test job")
    page.wait_for_selector(".jobcheck .status--ok")
    assert page.evaluate("window.__marker") == "still here"  # htmx swapped a fragment, no reload
    watched.screenshot(f"{viewport}-en-jobs-after-check")
    watched.assert_clean()


def test_signing_up_lands_on_capture_with_default_fields(watched, live_server, transactional_db, viewport):
    page = watched.page
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=username]", f"newcomer-{viewport}")
    page.fill("input[name=email]", f"newcomer-{viewport}@example.com")
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    # The password is chosen from the link mailed to the address.
    link = re.search(r"/accounts/signup/\S+/", mail.outbox[-1].body).group(0)
    page.goto(f"{live_server.url}{link}")
    page.fill("input[name=new_password1]", "a long passphrase 42")
    page.fill("input[name=new_password2]", "a long passphrase 42")
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/capture/")
    page.goto(f"{live_server.url}/fields/")
    names = page.locator(".taxonomy__rename input[name=name]").evaluate_all("els => els.map(e => e.value)")
    assert names[:2] == ["IT", "金融"]
    watched.screenshot(f"{viewport}-ja-fields-defaults")
    watched.assert_clean()
