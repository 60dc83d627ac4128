"""Sign-in hardening: lockout after repeated failures, session rotation, sessions ended on logout."""

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import LoginThrottle
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "accounts:login"


def _login(client, username="owner", password=PASSWORD, address="203.0.113.7"):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@time_machine.travel("2026-11-16 10:00 +0900", tick=False)
def test_five_failures_make_the_name_wait_at_that_address_even_for_the_right_password(client, user):
    for _ in range(5):
        assert _login(client, password="wrong").status_code == 200
    response = _login(client)
    assert not _signed_in(client)
    assert "1" in response.text and "ロック" in response.text  # "locked; try again in 1 minute"
    with time_machine.travel("2026-11-16 10:01:30 +0900", tick=False):
        assert _login(client).status_code == 302
        assert _signed_in(client)


def test_the_lock_message_is_in_english_for_english_users(client, user):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        _login(client, password="wrong")
    response = _login(client)
    assert "Too many failed attempts" in response.text
    assert not _signed_in(client)


def test_a_successful_sign_in_forgets_the_names_failures(client, user):
    for _ in range(4):
        _login(client, password="wrong")
    assert _login(client).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        _login(client, password="wrong")
    assert _login(client).status_code == 302


def test_names_that_do_not_exist_are_counted_and_locked_alike(client, db):
    for _ in range(5):
        response = _login(client, username="nobody", password="wrong")
    assert LoginThrottle.objects.get(key="user:nobody").failures == 5
    assert LoginThrottle.objects.get(key__startswith="pair:").locked_until is not None
    assert "ロック" in _login(client, username="nobody", password="wrong").text
    assert "ロック" not in response.text


def test_one_address_guessing_many_names_is_locked(client, user, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    for i in range(6):
        _login(client, username=f"guess{i}", password="wrong")
    _login(client)  # the right name and password, from the same address
    assert not _signed_in(client)
    assert _login(type(client)(), address="198.51.100.1").status_code == 302  # elsewhere it works


def test_names_are_counted_case_insensitively(client, user):
    for name in ("Owner", "OWNER", "owner ", "owner", "oWner"):
        _login(client, username=name, password="wrong")
    _login(client)
    assert not _signed_in(client)


def test_signing_in_rotates_the_session_key(client, user):
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    before = client.session.session_key
    assert before
    _login(client)
    assert _signed_in(client)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_logging_out_deletes_the_session_on_the_server(client, user):
    _login(client)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    # A stolen copy of the old cookie is worth nothing now.
    thief = type(client)()
    thief.cookies["sessionid"] = key
    assert thief.get(reverse("accounts:account")).status_code == 302


@pytest.mark.real_hasher
def test_passwords_are_hashed_with_argon2(user):
    make_user(username="fresh")
    assert user.password.startswith("argon2$")


def test_counts_whose_window_and_lock_are_over_are_purged_by_the_hourly_task(client, user):
    from accounts import tasks

    with time_machine.travel("2026-11-16 10:00 +0900", tick=False):
        for _ in range(5):
            _login(client, password="wrong")
        _login(client, username="someone", password="wrong")
    with time_machine.travel("2026-11-16 10:10 +0900", tick=False):
        assert tasks.purge_login_throttles() == 0  # still counting
    with time_machine.travel("2026-11-16 10:20 +0900", tick=False):
        assert tasks.purge_login_throttles() == 3  # owner, someone, and the address
    with time_machine.travel("2026-11-17 10:01 +0900", tick=False):
        # The (name, address) pairs keep their count a day, so their waits keep growing.
        assert tasks.purge_login_throttles() == 2
    assert not LoginThrottle.objects.exists()
