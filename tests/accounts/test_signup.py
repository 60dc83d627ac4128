"""Sign-up by e-mail link: throttled, and never telling the page's visitor which names exist (issue #16, finding 10)."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import User
from contacts.models import Field
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSPHRASE = "a long passphrase 42"


def _ask(client, username="newcomer", email="new@example.com", address="198.51.100.30"):
    return client.post(reverse("accounts:signup"), {"username": username, "email": email}, REMOTE_ADDR=address)


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/signup/(\S+)/", message.body).group(0).split("://", 1)[1].split("/", 1)[1]


@pytest.mark.real_hasher
def test_signing_up_mails_a_link_that_creates_the_account_and_signs_in(client):
    response = _ask(client)
    assert response.status_code == 200
    assert not User.objects.filter(username="newcomer").exists()  # nothing until the link is opened
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    link = "/" + _link(mail.outbox[0])
    assert mail.outbox[0].body.count("http://localhost:8000/accounts/signup/") == 1  # SITE_URL
    page = client.get(link)
    assert page.status_code == 200 and "newcomer" in page.text
    response = client.post(link, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.email == "new@example.com" and user.password.startswith("argon2")
    assert client.session["_auth_user_id"] == str(user.pk)
    # Opened again, the link creates nothing more.
    client.post(reverse("accounts:logout"))
    client.post(link, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    assert User.objects.filter(username__iexact="newcomer").count() == 1
    assert "_auth_user_id" not in client.session


def test_a_new_account_starts_with_default_fields_in_its_language(client):
    client.cookies["django_language"] = "ja"
    _ask(client, username="newbie")
    client.post("/" + _link(mail.outbox[0]), {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    names = list(Field.objects.filter(owner__username="newbie").values_list("name", flat=True))
    assert names[:2] == ["IT", "金融"]
    assert User.objects.get(username="newbie").language == "ja"


def test_the_page_answers_the_same_whether_the_name_is_taken_or_free(client):
    make_user(username="taken", email="owner@example.com")
    free = _ask(client, username="free-name", email="a@example.com")
    taken = _ask(client, username="taken", email="a@example.com")
    taken_other_case = _ask(client, username="TAKEN", email="a@example.com")
    assert free.status_code == taken.status_code == taken_other_case.status_code == 200

    def visible(response):
        # Less the per-response secrets: the CSRF token and the CSP nonce.
        return re.sub(r'nonce="[^"]+"|[A-Za-z0-9]{64}', "", response.text)

    assert visible(free) == visible(taken)
    assert "taken" not in taken.text.replace('name="username"', "")
    # Only the mailbox owner learns it, and the existing account's owner is not mailed.
    assert [m.to for m in mail.outbox] == [["a@example.com"]] * 3
    assert "/accounts/signup/" in mail.outbox[0].body
    assert "/accounts/signup/" not in mail.outbox[1].body.replace(reverse("accounts:signup"), "")


def test_a_name_taken_after_the_mail_is_not_created_twice(client):
    _ask(client, username="racer")
    make_user(username="Racer")
    response = client.post("/" + _link(mail.outbox[0]), {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    assert response.status_code == 302 and response.url == reverse("accounts:signup")
    assert User.objects.filter(username__iexact="racer").count() == 1


def test_a_forged_or_old_link_creates_nothing(client):
    with time_machine.travel("2026-11-16 10:00 +0900"):
        _ask(client, username="late")
    link = "/" + _link(mail.outbox[0])
    with time_machine.travel("2026-11-17 10:01 +0900"):
        assert client.get(link).status_code == 302
        client.post(link, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    forged = link.replace("late", "evil")
    assert client.post(forged, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE}).status_code == 302
    assert not User.objects.filter(username__in=["late", "evil"]).exists()


def test_a_weak_password_is_refused_with_a_message(client):
    _ask(client, username="weakling")
    response = client.post("/" + _link(mail.outbox[0]), {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 422
    assert "field__error" in response.text
    assert not User.objects.filter(username="weakling").exists()


def test_sign_up_is_throttled_per_address(client, settings):
    settings.SIGNUPS_PER_ADDRESS = 3
    for i in range(3):
        assert _ask(client, username=f"n{i}").status_code == 200
    response = _ask(client, username="n4")
    assert response.status_code == 429
    assert len(mail.outbox) == 3
    assert _ask(client, username="n5", address="192.0.2.1").status_code == 200  # another address


def test_a_bad_email_or_name_is_refused_and_nothing_is_sent(client):
    response = _ask(client, username="ok-name", email="not-an-address")
    assert response.status_code == 200 and "field__error" in response.text
    response = _ask(client, username="bad name!", email="a@example.com")
    assert "field__error" in response.text
    assert mail.outbox == []
