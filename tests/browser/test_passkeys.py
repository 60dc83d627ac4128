"""Passkeys in a real browser: Chromium's virtual authenticator makes one, then signs in with it.

WebAuthn needs a secure context and a domain for the RP ID: the live server is
opened as http://localhost:PORT (not 127.0.0.1) and SITE_URL is set to it.
"""

from types import SimpleNamespace

import pytest

from accounts.models import Passkey
from tests.browser.conftest import PageWatch, log_in, switch_language

pytestmark = pytest.mark.browser


@pytest.fixture
def site_url(live_server, settings):
    url = live_server.url.replace("127.0.0.1", "localhost")
    assert url.startswith("http://localhost:")
    settings.SITE_URL = url
    return url


def _virtual_authenticator(page, cdp=None, **options):
    """A virtual authenticator (by default a phone's: internal, resident keys, verifies the user)."""
    if cdp is None:
        cdp = page.context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
            | options
        },
    )
    return cdp, added["authenticatorId"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_add_a_passkey_then_sign_in_with_it(watched, site_url, browser_user, viewport, language):
    page = watched.page
    _virtual_authenticator(page)
    page.goto(f"{site_url}/accounts/login/")
    if language == "en":
        switch_language(page, "en")
    log_in(watched, SimpleNamespace(url=site_url), "hanako")
    page.goto(f"{site_url}/accounts/two-factor/")
    watched.screenshot(f"{viewport}-{language}-passkey-settings-off")

    page.fill("input[name=name]", "この端末" if language == "ja" else "This laptop")
    page.click("form[data-passkey=register] button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/passkeys/")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    passkey = Passkey.objects.get(user=browser_user)
    assert passkey.transports == ["internal"]

    page.goto(f"{site_url}/accounts/two-factor/")
    assert page.locator(".passkey").count() == 1
    page.locator(".passkey__remove summary").click()
    page.evaluate("window.scrollTo(0, 0)")
    watched.screenshot(f"{viewport}-{language}-passkey-settings-on")
    # A second passkey needs the password first: a wrong one is refused before anything is made.
    page.fill("form[data-passkey=register] input[name=name]", "again")
    page.fill("form[data-passkey=register] input[name=confirm]", "not my password")
    page.click("form[data-passkey=register] button[type=submit]")
    page.locator("[data-passkey-message]").wait_for(state="visible")
    assert page.locator("[data-passkey-message]").inner_text() == (
        "パスワードとも現在のコードとも一致しません。"
        if language == "ja"
        else "That is neither your password nor a current code."
    )
    # The same authenticator again: the browser refuses (excludeCredentials), and the page says why.
    page.fill("form[data-passkey=register] input[name=confirm]", "correct horse battery staple")
    page.click("form[data-passkey=register] button[type=submit]")
    page.locator("[data-passkey-message]").wait_for(state="visible")
    assert page.locator("[data-passkey-message]").inner_text() == (
        "この端末またはセキュリティキーには、このアカウントのパスキーがすでにあります。"
        if language == "ja"
        else "This device or security key already holds a passkey for your account."
    )
    assert Passkey.objects.filter(user=browser_user).count() == 1

    page.context.clear_cookies()
    page.goto(f"{site_url}/accounts/login/")
    if language == "en":
        switch_language(page, "en")
    log_in(watched, SimpleNamespace(url=site_url), "hanako")
    assert page.url.endswith("/accounts/login/verify/")
    watched.screenshot(f"{viewport}-{language}-passkey-sign-in")
    page.click("[data-passkey-button]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    # The wrong password's 422 answer is logged by Chromium as a failed resource; it was meant.
    watched.console_errors = [e for e in watched.console_errors if "status of 422" not in e]
    watched.assert_clean()


def test_a_browser_without_webauthn_is_told_so(browser, site_url, browser_user):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="ja-JP")
    context.add_init_script("delete window.PublicKeyCredential;")
    page = context.new_page()
    watched = PageWatch(page)
    log_in(watched, SimpleNamespace(url=site_url), "hanako")
    page.goto(f"{site_url}/accounts/two-factor/")
    page.fill("input[name=name]", "古いブラウザ")
    page.click("form[data-passkey=register] button[type=submit]")
    message = page.locator("[data-passkey-message]")
    message.wait_for(state="visible")
    assert "パスキー" in message.inner_text()
    assert page.url.endswith("/accounts/two-factor/")
    assert not Passkey.objects.exists()
    watched.assert_clean()
    context.close()


def test_a_cancelled_passkey_prompt_is_reported_and_a_code_still_works(watched, site_url, browser_user, viewport):
    page = watched.page
    _virtual_authenticator(page)
    server = SimpleNamespace(url=site_url)
    log_in(watched, server, "hanako")
    page.goto(f"{site_url}/accounts/two-factor/")
    page.fill("input[name=name]", "この端末")
    page.click("form[data-passkey=register] button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/passkeys/")
    codes = page.locator(".recovery-codes code").all_inner_texts()

    # The person closes the browser's passkey prompt: the browser rejects with NotAllowedError.
    page.add_init_script(
        "navigator.credentials.get = () => Promise.reject(new DOMException('The operation was cancelled.', 'NotAllowedError'));"
    )
    page.context.clear_cookies()
    log_in(watched, server, "hanako")
    page.click("[data-passkey-button]")
    message = page.locator("[data-passkey-message]")
    message.wait_for(state="visible")
    assert "キャンセル" in message.inner_text()  # "cancelled or timed out"
    assert page.url.endswith("/accounts/login/verify/")
    assert page.locator("[data-passkey-button]").is_enabled()  # ready to try again
    watched.screenshot(f"{viewport}-ja-passkey-sign-in-cancelled")

    page.fill("input[name=code]", codes[0])
    page.click("[data-code-button]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    watched.assert_clean()
