"""Passkeys as a second factor: adding, signing in, and every answer that must be refused.

A software passkey (tests/accounts/webauthn_soft.py) answers the ceremonies
the way a browser would, with an EC P-256 key made here.
"""

import datetime
import json
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts import passkeys, two_factor
from accounts.models import Passkey
from accounts.passkeys import CHALLENGE_KEY
from accounts.views import PENDING_SECONDS
from tests.accounts.webauthn_soft import SoftPasskey, b64
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SITE = "https://notes.example.com"
RP_ID = "notes.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _soft(**overrides) -> SoftPasskey:
    return SoftPasskey(origin=overrides.get("origin", SITE), rp_id=overrides.get("rp_id", RP_ID))


def _options(client, url_name: str, **data) -> dict:
    response = client.post(reverse(url_name), data)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _add(client, soft: SoftPasskey, name="iPhone", confirm=None, **bend):
    data = {} if confirm is None else {"confirm": confirm}
    options = _options(client, "accounts:passkey_options", **data)
    data |= {"name": name, "credential": soft.create(options, **bend)}
    return client.post(reverse("accounts:passkey_add"), data)


def _with_passkey(user, name="iPhone") -> SoftPasskey:
    """The user with a registered passkey (and recovery codes), added through the pages."""
    client = Client()
    client.force_login(user)
    soft = _soft()
    assert _add(client, soft, name=name).status_code == 200
    return soft


def _password_step(client, username="owner"):
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_verify")


def _sign_in(client, answer: str):
    return client.post(reverse("accounts:login_verify_passkey"), {"credential": answer})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_user_adds_a_passkey_from_the_two_factor_page_and_gets_recovery_codes(auth_client, user):
    page = auth_client.get(reverse("accounts:two_factor"))
    assert 'data-passkey="register"' in page.text and "js/passkeys.js" in page.text
    options = _options(auth_client, "accounts:passkey_options")
    assert options["rp"] == {"id": RP_ID, "name": "Jinmyaku"}
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"

    soft = _soft()
    response = auth_client.post(reverse("accounts:passkey_add"), {"name": "iPhone", "credential": soft.create(options)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.text)
    assert len(codes) == 10  # shown once, now
    passkey = Passkey.objects.get(user=user)
    assert (passkey.name, passkey.credential_id, passkey.transports) == ("iPhone", soft.id, ["internal"])
    assert two_factor.is_enabled(user)
    assert auth_client.session.get("otp_device_id") == passkey.persistent_id

    listed = auth_client.get(reverse("accounts:two_factor"))
    assert "iPhone" in listed.text and "未使用" in listed.text  # not used yet (the default language is Japanese)


def test_a_second_passkey_needs_the_password_or_a_current_code_before_it_is_made(auth_client, user):
    _with_passkey(user)
    options_url = reverse("accounts:passkey_options")
    # Refused before the browser is asked to make anything: no passkey left on the device.
    assert auth_client.post(options_url).status_code == 422
    assert auth_client.post(options_url, {"confirm": "wrong password"}).status_code == 422
    assert json.loads(auth_client.post(options_url, {"confirm": "wrong"}).content) == {"error": "confirm"}

    # The add step trusts only a challenge issued after the proof (here one whose session says it was not).
    second = _soft()
    unconfirmed = Client()
    unconfirmed.force_login(user)
    session = unconfirmed.session
    options = _options(auth_client, "accounts:passkey_options", confirm=PASSWORD)
    issued = auth_client.session[CHALLENGE_KEY]
    session[CHALLENGE_KEY] = issued | {"owner_confirmed": False}
    session.save()
    response = unconfirmed.post(
        reverse("accounts:passkey_add"),
        {"name": "Laptop", "confirm": PASSWORD, "credential": second.create(options)},
    )
    assert response.status_code == 422
    assert Passkey.objects.filter(user=user).count() == 1

    response = _add(auth_client, second, name="Laptop", confirm=PASSWORD)
    assert response.status_code == 302
    assert list(Passkey.objects.filter(user=user).order_by("pk").values_list("name", flat=True)) == ["iPhone", "Laptop"]


def test_the_same_authenticator_is_excluded_and_its_credential_id_cannot_be_registered_twice(client, user, other_user):
    soft = _with_passkey(user)
    client.force_login(user)
    options = _options(client, "accounts:passkey_options", confirm=PASSWORD)
    assert [c["id"] for c in options["excludeCredentials"]] == [soft.id]
    # Another account presenting the same credential id is refused (ids are unique).
    client.force_login(other_user)
    response = _add(client, soft)
    assert response.status_code == 422
    assert not Passkey.objects.filter(user=other_user).exists()


def test_a_user_signs_in_with_a_passkey_after_the_password(client, user):
    soft = _with_passkey(user)
    _password_step(client)
    page = client.get(reverse("accounts:login_verify"))
    assert 'data-passkey="sign-in"' in page.text
    options = _options(client, "accounts:login_passkey_options")
    assert [c["id"] for c in options["allowCredentials"]] == [soft.id]
    assert options["rpId"] == RP_ID and options["userVerification"] == "preferred"

    response = _sign_in(client, soft.get(options))
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    passkey = Passkey.objects.get(user=user)
    assert client.session["otp_device_id"] == passkey.persistent_id
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_user_with_a_passkey_can_still_use_a_recovery_code(client, user):
    _with_passkey(user)
    codes = two_factor.new_recovery_codes(user=user)
    _password_step(client)
    response = client.post(reverse("accounts:login_verify"), {"code": codes[0]})
    assert response.status_code == 302 and _signed_in(client)


@pytest.mark.parametrize(
    "bend",
    [
        {"origin": "https://evil.example.com"},
        {"origin": "http://notes.example.com"},
        {"rp_id": "evil.example.com"},
        {"rp_id": "example.com"},
    ],
    ids=["other-origin", "http-origin", "other-rp-id", "parent-rp-id"],
)
def test_an_answer_for_another_origin_or_rp_id_is_refused(client, user, bend):
    soft = _with_passkey(user)
    _password_step(client)
    options = _options(client, "accounts:login_passkey_options")
    response = _sign_in(client, soft.get(options, **bend))
    assert response.status_code == 422
    assert not _signed_in(client)
    assert "パスキーを確認できませんでした" in response.text  # "The passkey was not accepted"

    # Registration is held to the same origin and RP ID.
    other = make_user(username="newcomer")
    registering = Client()
    registering.force_login(other)
    assert _add(registering, _soft(), **bend).status_code == 422
    assert not Passkey.objects.filter(user=other).exists()


def test_a_challenge_answers_once(client, user):
    soft = _with_passkey(user)
    with time_machine.travel(datetime.datetime.now(datetime.UTC), tick=False) as traveller:
        _password_step(client)
        options = _options(client, "accounts:login_passkey_options")
        assert _sign_in(client, "{}").status_code == 422  # a wrong answer uses the challenge up
        traveller.shift(5)  # past the wait the wrong answer started
        assert _sign_in(client, soft.get(options)).status_code == 422
        assert not _signed_in(client)

        answer = soft.get(_options(client, "accounts:login_passkey_options"))
        assert _sign_in(client, answer).status_code == 302
        client.post(reverse("accounts:logout"))
        # Replayed into a new sign-in (with a challenge of its own), the old answer is refused.
        _password_step(client)
        _options(client, "accounts:login_passkey_options")
        assert _sign_in(client, answer).status_code == 422
        assert not _signed_in(client)


def test_a_challenge_is_bound_to_the_session_that_asked_for_it(user):
    soft = _with_passkey(user)
    first, second = Client(), Client()
    _password_step(first)
    _password_step(second)
    options = _options(first, "accounts:login_passkey_options")
    assert _sign_in(second, soft.get(options)).status_code == 422
    assert not _signed_in(second)


def test_a_challenge_expires(client, user):
    soft = _with_passkey(user)
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        _password_step(client)
        options = _options(client, "accounts:login_passkey_options")
    # Past the challenge's 5 minutes, still within the password step's.
    with time_machine.travel(start + datetime.timedelta(seconds=passkeys.CHALLENGE_SECONDS + 1), tick=False):
        assert passkeys.CHALLENGE_SECONDS + 1 < PENDING_SECONDS
        assert _sign_in(client, soft.get(options)).status_code == 422
    assert not _signed_in(client)


def test_one_users_passkey_never_signs_in_another(client, user, other_user):
    theirs = _with_passkey(other_user)
    _with_passkey(user)
    _password_step(client)
    options = _options(client, "accounts:login_passkey_options")
    assert theirs.id not in [c["id"] for c in options["allowCredentials"]]
    # The other user's authenticator signs this session's challenge with its own key.
    response = _sign_in(client, theirs.get(options))
    assert response.status_code == 422
    assert not _signed_in(client)
    assert Passkey.objects.get(user=other_user).sign_count == 0


def test_a_counter_that_does_not_grow_is_refused(client, user):
    soft = _with_passkey(user)
    _password_step(client)
    assert _sign_in(client, soft.get(_options(client, "accounts:login_passkey_options"), count=5)).status_code == 302
    client.post(reverse("accounts:logout"))
    _password_step(client)
    # A copy of the key that signed before, with the same count: refused.
    response = _sign_in(client, soft.get(_options(client, "accounts:login_passkey_options"), count=5))
    assert response.status_code == 422 and not _signed_in(client)
    assert Passkey.objects.get(user=user).sign_count == 5


def test_a_signature_over_other_data_is_refused(client, user):
    soft = _with_passkey(user)
    _password_step(client)
    options = _options(client, "accounts:login_passkey_options")
    answer = json.loads(soft.get(options))
    answer["response"]["signature"] = b64(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    assert _sign_in(client, json.dumps(answer)).status_code == 422
    assert not _signed_in(client)


def test_wrong_answers_count_like_wrong_codes_and_then_wait(client, user):
    soft = _with_passkey(user)
    with time_machine.travel(datetime.datetime.now(datetime.UTC), tick=False) as traveller:
        _password_step(client)
        for failures in range(6):
            traveller.shift(2**failures + 1)  # past the wait the last wrong answer started
            options = _options(client, "accounts:login_passkey_options")
            assert _sign_in(client, soft.get(options, origin="https://evil.example.com")).status_code == 422
        passkey = Passkey.objects.get(user=user)
        assert passkey.throttling_failure_count == 6
        # Now even a right answer waits (2**5 s after the last failure), and says so.
        traveller.shift(10)
        response = _sign_in(client, soft.get(_options(client, "accounts:login_passkey_options")))
        assert response.status_code == 422
        assert "秒待って" in response.text  # "wait N seconds"
        assert not _signed_in(client)
        traveller.shift(2**5)
        assert _sign_in(client, soft.get(_options(client, "accounts:login_passkey_options"))).status_code == 302
    assert Passkey.objects.get(user=user).throttling_failure_count == 0


GARBAGE = [
    "",
    "null",
    "[]",
    "{}",
    '"text"',
    "{not json",
    json.dumps({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}),
    json.dumps({"id": 5, "rawId": None, "type": "public-key", "response": {"clientDataJSON": "!!!"}}),
    json.dumps({"id": "x" * 5000, "rawId": "x" * 5000, "type": "public-key", "response": {"authenticatorData": "x"}}),
    "\x00" * 10,
    "x" * 70_000,
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_answers_are_refused_without_an_error(client, user, garbage):
    _with_passkey(user)
    _password_step(client)
    _options(client, "accounts:login_passkey_options")
    assert _sign_in(client, garbage).status_code == 422
    assert not _signed_in(client)

    client.force_login(user)
    _options(client, "accounts:passkey_options", confirm=PASSWORD)
    response = client.post(
        reverse("accounts:passkey_add"), {"name": "junk", "credential": garbage, "confirm": PASSWORD}
    )
    assert response.status_code == 422
    assert not Passkey.objects.filter(name="junk").exists()


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    answer=st.one_of(
        st.text(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=40),
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=5),
            max_leaves=12,
        ).map(json.dumps),
    )
)
def test_no_answer_at_all_gives_a_server_error(client, user, answer):
    if not Passkey.objects.filter(user=user).exists():
        _with_passkey(user)
    Passkey.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    client.cookies.clear()
    _password_step(client)
    _options(client, "accounts:login_passkey_options")
    assert _sign_in(client, answer).status_code == 422


def test_the_passkey_steps_without_a_password_step_send_back_to_sign_in(client, user):
    _with_passkey(user)
    assert client.post(reverse("accounts:login_passkey_options")).status_code == 400
    response = _sign_in(client, "{}")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:login_passkey_options")).status_code == 405


def test_removing_a_passkey_needs_the_password_or_a_code_and_a_foreign_one_is_404(client, user, other_user):
    _with_passkey(user, name="iPhone")
    theirs = _with_passkey(other_user)
    client.force_login(user)
    second = _soft()
    _add(client, second, name="Laptop", confirm=PASSWORD)
    laptop = Passkey.objects.get(user=user, name="Laptop")
    foreign = Passkey.objects.get(credential_id=theirs.id)

    url = reverse("accounts:passkey_remove", args=[foreign.pk])
    assert client.post(url, {"confirm": PASSWORD}).status_code == 404
    assert Passkey.objects.filter(pk=foreign.pk).exists()

    url = reverse("accounts:passkey_remove", args=[laptop.pk])
    client.post(url, {"confirm": "wrong"})
    assert Passkey.objects.filter(pk=laptop.pk).exists()
    assert client.post(url, {"confirm": PASSWORD}).status_code == 302
    assert not Passkey.objects.filter(pk=laptop.pk).exists()
    assert two_factor.is_enabled(user)


def test_removing_the_last_second_factor_turns_unconfirmed_with_its_codes(client, user):
    _with_passkey(user)
    client.force_login(user)
    codes = two_factor.new_recovery_codes(user=user)
    passkey = Passkey.objects.get(user=user)
    # A recovery code proves it is the owner, too.
    assert client.post(reverse("accounts:passkey_remove", args=[passkey.pk]), {"confirm": codes[0]}).status_code == 302
    assert not two_factor.is_enabled(user)
    assert two_factor.recovery_codes_left(user) == 0


def test_staff_who_must_use_two_factor_may_use_a_passkey(client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    staff = make_user(username="boss", is_staff=True, is_superuser=True)
    # Without a second factor, staff are sent to set one up; adding a passkey there is allowed.
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 302
    soft = _soft()
    assert _add(client, soft).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200

    # The only second factor cannot be removed.
    passkey = Passkey.objects.get(user=staff)
    client.post(reverse("accounts:passkey_remove", args=[passkey.pk]), {"confirm": PASSWORD})
    assert Passkey.objects.filter(pk=passkey.pk).exists()

    fresh = Client()
    _password_step(fresh, username="boss")
    assert _sign_in(fresh, soft.get(_options(fresh, "accounts:login_passkey_options"))).status_code == 302
    assert fresh.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    ("site_url", "problem"),
    [
        ("https://notes.example.com", None),
        ("http://localhost:8000", None),
        ("https://ノート.example.jp", None),
        ("http://192.168.1.5:8000", "IP address"),
        ("https://[::1]:8443", "IP address"),
        ("http://notes.example.com", "https"),
        ("https://under_score.example.com", "not a valid domain"),
    ],
)
def test_site_url_must_be_able_to_name_a_relying_party(site_url, problem):
    found = passkeys.rp_problem(site_url)
    assert (found is None) if problem is None else (problem in found)


def test_the_relying_party_comes_from_site_url(settings):
    settings.SITE_URL = "https://Notes.Example.com:443"
    assert passkeys.relying_party() == passkeys.RelyingParty(id="notes.example.com", origin="https://notes.example.com")
    settings.SITE_URL = "http://localhost:8141"
    assert passkeys.relying_party() == passkeys.RelyingParty(id="localhost", origin="http://localhost:8141")


def test_a_site_url_that_cannot_be_an_rp_id_warns_at_start_and_hides_passkeys(auth_client, settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError  # noqa: F401

    settings.SITE_URL = "http://10.0.0.7:8000"
    from accounts.checks import check_passkey_relying_party

    warnings = check_passkey_relying_party(None)
    assert [w.id for w in warnings] == ["accounts.W001"]
    assert "IP address" in warnings[0].msg
    call_command("check")  # a warning, not an error: the rest of the app still starts
    page = auth_client.get(reverse("accounts:two_factor"))
    assert 'data-passkey="register"' not in page.text
    assert auth_client.post(reverse("accounts:passkey_options")).status_code == 409


def test_an_authenticator_app_added_beside_a_passkey_needs_the_password_and_keeps_the_codes(client, user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _with_passkey(user)
    codes = two_factor.new_recovery_codes(user=user)
    client.force_login(user)
    assert client.get(reverse("accounts:two_factor_enable")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"

    response = client.post(reverse("accounts:two_factor_enable"), {"code": code})
    assert response.status_code == 422  # a stolen session cannot add a way in
    response = client.post(reverse("accounts:two_factor_enable"), {"code": code, "confirm": "wrong"})
    assert response.status_code == 422
    assert not two_factor.has_authenticator(user)

    response = client.post(reverse("accounts:two_factor_enable"), {"code": code, "confirm": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor")
    assert two_factor.has_authenticator(user)
    assert two_factor.recovery_codes_left(user) == 10
    assert two_factor.verify(user=user, code=codes[0]) is not None  # the saved codes still work


def test_the_two_factor_page_runs_the_same_queries_for_one_passkey_or_many(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auth_client.get(reverse("accounts:two_factor")).status_code == 200
        return len(captured)

    Passkey.objects.create(user=user, name="one", credential_id="cred-1", public_key=b"\xa0")
    one = queries()
    for n in range(2, 8):
        Passkey.objects.create(user=user, name=f"key {n}", credential_id=f"cred-{n}", public_key=b"\xa0")
    assert queries() == one


def test_two_requests_carrying_the_same_session_cannot_both_use_one_challenge(client, user):
    """Two requests may read the session before either saves it: the challenge's row decides."""
    from importlib import import_module

    from django.conf import settings as django_settings

    soft = _with_passkey(user)
    Passkey.objects.filter(user=user).update(sign_count=0)
    _password_step(client)
    options = _options(client, "accounts:login_passkey_options")
    answer = soft.get(options, count=0)  # an authenticator without a counter (as many phones are)
    # A second browser tab's request, sent before the first one's answer changed the session.
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store.update(dict(client.session.items()))
    store.create()
    twin = Client()
    twin.cookies[django_settings.SESSION_COOKIE_NAME] = store.session_key

    assert _sign_in(client, answer).status_code == 302
    assert _sign_in(twin, answer).status_code == 422
    assert not _signed_in(twin)
