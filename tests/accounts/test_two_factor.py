"""Two-factor authentication: enrolment, sign-in with a code or a recovery code, and staff who must use it."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
# 01:00 UTC today: on a TOTP step boundary, and recent enough that sessions made
# "then" are still unexpired when a check runs after leaving the time machine.
START = datetime.datetime.combine(datetime.datetime.now(datetime.UTC).date(), datetime.time(1), tzinfo=datetime.UTC)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.pending_authenticator(user=user)
    with time_machine.travel(START - datetime.timedelta(minutes=5), tick=False):
        codes = two_factor.confirm_authenticator(user=user, code=_code(device))
    device.refresh_from_db()
    return device, codes


def _password_step(client, username="owner", next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_any_user_enrols_with_a_qr_code_or_the_key_and_gets_recovery_codes(auth_client, user):
    page = auth_client.get(reverse("accounts:two_factor_enable"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text).group(1)
    assert two_factor.readable_key(device) == key
    assert "otpauth://totp/Jinmyaku%3Aowner" in device.config_url

    with time_machine.travel(START, tick=False):
        response = auth_client.post(reverse("accounts:two_factor_enable"), {"code": _code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.text)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert two_factor.is_enabled(user)
    assert two_factor.recovery_codes_left(user) == 10


def test_a_wrong_code_does_not_turn_it_on(auth_client, user):
    auth_client.get(reverse("accounts:two_factor_enable"))
    response = auth_client.post(reverse("accounts:two_factor_enable"), {"code": "000000"})
    assert response.status_code == 422
    assert not two_factor.is_enabled(user)


def test_sign_in_asks_for_the_code_after_the_password(client, user):
    device, _codes = _enrolled(user)
    with time_machine.travel(START, tick=False):
        response = _password_step(client, next_url="/people/")
        assert response.status_code == 302 and response.url == reverse("accounts:login_verify")
        assert not _signed_in(client)  # the password alone signs nobody in
        assert client.get(reverse("accounts:account")).status_code == 302
        response = client.post(reverse("accounts:login_verify"), {"code": _code(device)})
    assert response.status_code == 302 and response.url == "/people/"
    assert _signed_in(client)
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_recovery_code_signs_in_once(client, user):
    _device, codes = _enrolled(user)
    with time_machine.travel(START, tick=False):
        _password_step(client)
        response = client.post(reverse("accounts:login_verify"), {"code": codes[0].upper()})
        assert response.status_code == 302
        assert _signed_in(client)
    assert two_factor.recovery_codes_left(user) == 9
    client.post(reverse("accounts:logout"))
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        _password_step(client)
        response = client.post(reverse("accounts:login_verify"), {"code": codes[0]})
        assert response.status_code == 422
        assert not _signed_in(client)


def test_a_wrong_code_is_refused_and_the_next_ones_wait_longer(client, user):
    device, _codes = _enrolled(user)
    with time_machine.travel(START, tick=False):
        _password_step(client)
    for second in (0, 2, 5):  # each as soon as the previous wait (1 s, then 2 s) is over
        with time_machine.travel(START + datetime.timedelta(seconds=second), tick=False):
            response = client.post(reverse("accounts:login_verify"), {"code": "123456"})
            assert response.status_code == 422
    assert not _signed_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    with time_machine.travel(START + datetime.timedelta(seconds=6), tick=False):
        # Throttled: even the right code is refused until the 4 s wait is over, and the page says so.
        response = client.post(reverse("accounts:login_verify"), {"code": _code(device)})
        assert response.status_code == 422
        assert "秒" in response.text
        assert not _signed_in(client)
    with time_machine.travel(START + datetime.timedelta(seconds=31), tick=False):
        response = client.post(reverse("accounts:login_verify"), {"code": _code(device)})
        assert response.status_code == 302
        assert _signed_in(client)


def test_the_wait_stops_growing_so_a_stolen_password_cannot_keep_the_owner_out_for_good(user):
    device, _codes = _enrolled(user)
    for _ in range(40):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        two_factor.verify(user=user, code="999999")
    device.refresh_from_db()
    assert device.throttling_failure_count <= two_factor.MAX_COUNTED_FAILURES


def test_the_password_step_expires(client, user):
    device, _codes = _enrolled(user)
    with time_machine.travel(START, tick=False):
        _password_step(client)
    with time_machine.travel(START + datetime.timedelta(minutes=6), tick=False):
        response = client.post(reverse("accounts:login_verify"), {"code": _code(device)})
        assert response.status_code == 302 and response.url == reverse("accounts:login")
        assert not _signed_in(client)


def test_turning_it_off_or_new_recovery_codes_need_a_current_code(client, user):
    device, codes = _enrolled(user)
    client.force_login(user)
    with time_machine.travel(START - datetime.timedelta(minutes=2), tick=False):
        response = client.post(reverse("accounts:two_factor_recovery_codes"), {"code": "nope"})
        assert response.status_code == 422
    with time_machine.travel(START - datetime.timedelta(minutes=1), tick=False):
        response = client.post(reverse("accounts:two_factor_recovery_codes"), {"code": codes[1]})
        assert response.status_code == 200
        new_codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.text)
        assert len(new_codes) == 10 and not set(new_codes) & set(codes)
        assert two_factor.verify(user=user, code=codes[2]) is None  # the old ones no longer work
        assert client.post(reverse("accounts:two_factor_disable"), {"code": "000000"}).status_code == 422
        assert two_factor.is_enabled(user)
    with time_machine.travel(START, tick=False):
        response = client.post(reverse("accounts:two_factor_disable"), {"code": _code(device)})
    assert response.status_code == 302
    assert not two_factor.is_enabled(user)


def test_the_admin_requires_a_second_factor_from_staff_when_set(client, settings, db):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = make_user(username="root", is_staff=True, is_superuser=True)
    with time_machine.travel(START, tick=False):
        response = _password_step(client, username="root", next_url="/admin/")
        # Without a device: signed in, but sent to set one up, and nothing else opens.
        assert response.url == reverse("accounts:two_factor_enable")
        assert client.get("/admin/").status_code == 302
        assert client.get(reverse("contacts:person_list")).url == reverse("accounts:two_factor_enable")
        client.get(reverse("accounts:two_factor_enable"))
        device = TOTPDevice.objects.get(user=staff)
        client.post(reverse("accounts:two_factor_enable"), {"code": _code(device)})
    assert client.get("/admin/").status_code == 200
    # Staff cannot turn it off while it is required.
    client.post(reverse("accounts:two_factor_disable"), {"code": "whatever"})
    assert two_factor.is_enabled(staff)


def test_a_staff_session_without_the_second_factor_is_refused_by_the_admin(client, settings, db):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = make_user(username="root", is_staff=True, is_superuser=True)
    _enrolled(staff)
    client.force_login(staff)  # a session that skipped the code step
    assert client.get("/admin/").status_code == 302
    assert not _signed_in(client)
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_staff_sign_in_with_a_code_reaches_the_admin(client, settings, db):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = make_user(username="root", is_staff=True, is_superuser=True)
    device, _codes = _enrolled(staff)
    with time_machine.travel(START, tick=False):
        _password_step(client, username="root", next_url="/admin/")
        response = client.post(reverse("accounts:login_verify"), {"code": _code(device)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
