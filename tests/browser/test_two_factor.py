"""Signing in with two-factor authentication, in a real browser: enrolment with the QR code, then a code."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import log_in, switch_language

pytestmark = pytest.mark.browser


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_enrol_then_sign_in_with_a_code(watched, live_server, browser_user, viewport, language):
    page = watched.page
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        switch_language(page, "en")
    watched.screenshot(f"{viewport}-{language}-login")

    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/accounts/")
    page.click("a[href='/accounts/two-factor/']")
    page.click("a[href='/accounts/two-factor/enable/']")
    qr = page.locator("img.qr-code")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the browser drew it
    key = page.locator(".secret-key code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", key)
    watched.screenshot(f"{viewport}-{language}-two-factor-enrol")

    device = TOTPDevice.objects.get(user=browser_user)
    page.fill("input[name=code]", _code(device))
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    watched.screenshot(f"{viewport}-{language}-two-factor-recovery-codes")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        switch_language(page, "en")
    log_in(watched, live_server, "hanako")
    assert page.url.endswith("/accounts/login/verify/")
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".field__error").count() == 1
    watched.screenshot(f"{viewport}-{language}-two-factor-sign-in")

    # Wrong codes wait a little longer each time; a recovery code still works at once.
    page.fill("input[name=code]", codes[0])
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url
    # The wrong code's 422 answer is logged by Chromium as a failed resource; it was meant.
    watched.console_errors = [e for e in watched.console_errors if "status of 422" not in e]
    watched.assert_clean()
