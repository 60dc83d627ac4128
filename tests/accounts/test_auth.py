import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_japanese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'lang="ja"' in response.text
    assert "ログイン" in response.text


def test_login_page_switches_to_english_with_the_language_cookie(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("accounts:login"))
    assert 'lang="en"' in response.text
    assert "Log in" in response.text


def test_user_can_log_in_and_reach_home(client, user):
    response = client.post(reverse("accounts:login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # home forwards to the first task


def test_wrong_password_shows_a_message_and_logs_nobody_in(client, user):
    response = client.post(reverse("accounts:login"), {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "field__error" in response.text or "form-errors" in response.text


def test_logout_requires_post_and_ends_the_session(auth_client):
    assert auth_client.get(reverse("accounts:logout")).status_code == 405
    response = auth_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in auth_client.session


def test_signup_can_be_turned_off_by_the_administrator(client, settings):
    settings.SIGNUP_ENABLED = False
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 403
    assert "administrator" in response.text or "管理者" in response.text
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "sneaky",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()
    assert reverse("accounts:signup") not in client.get(reverse("accounts:login")).text


def test_password_change_keeps_this_session_and_ends_others(client, user):
    other_device = type(client)()
    other_device.force_login(user)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new secret 77",
            "new_password2": "a brand new secret 77",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
    assert other_device.get(reverse("accounts:account")).status_code == 302


def test_language_switch_is_remembered_on_the_account(auth_client, user):
    response = auth_client.post(reverse("accounts:set_language"), {"language": "en", "next": "/accounts/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert 'lang="en"' in auth_client.get(reverse("accounts:account")).text


def test_language_switch_ignores_unknown_languages(auth_client, user):
    auth_client.post(reverse("accounts:set_language"), {"language": "xx"})
    user.refresh_from_db()
    assert user.language == "ja"


def test_account_form_rejects_a_bad_email_and_saves_nothing(auth_client, user):
    response = auth_client.post(
        reverse("accounts:account"),
        {"email": "not-an-email", "language": "ja", "first_name": "X"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == ""


def test_authenticated_pages_are_not_cached(auth_client):
    response = auth_client.get(reverse("accounts:account"))
    assert "no-store" in response["Cache-Control"]


def test_usernames_are_unique(db):
    make_user(username="same")
    with pytest.raises(IntegrityError):
        make_user(username="same")
