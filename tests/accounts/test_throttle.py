"""Sign-in throttling that cannot be turned against the account's owner (issue #16, findings 1 and 2)."""

import datetime

import pytest
import time_machine
from django.contrib.admin.forms import AdminAuthenticationForm
from django.test import RequestFactory
from django.urls import reverse

from accounts import throttle
from accounts.models import LoginThrottle
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
ATTACKER = "203.0.113.66"
OWNER_HOME = "198.51.100.20"
PROXY = "10.0.0.2"


def _login(client, username="owner", password=PASSWORD, address=ATTACKER, url=None, **extra):
    return client.post(
        url or reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _known_device(client_class, address=OWNER_HOME):
    """A browser that signed in as the owner once, then signed out (it keeps its device cookie)."""
    device = client_class()
    assert _login(device, address=address).status_code == 302
    assert throttle.DEVICE_COOKIE in device.cookies
    device.post(reverse("accounts:logout"))
    return device


# Finding 2: lockouts could be turned against users.


def test_an_attacker_guessing_a_name_does_not_lock_its_owner_out_from_elsewhere(client, user):
    for _ in range(30):
        _login(client, password="wrong")
    owner = type(client)()
    assert _login(owner, address=OWNER_HOME).status_code == 302
    assert _signed_in(owner)


def test_failures_of_one_name_from_one_address_wait_longer_each_time(client, user):
    now = datetime.datetime(2026, 11, 16, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        for _ in range(5):
            _login(client, password="wrong")
        response = _login(client)  # the right password, but this pair waits now
        assert not _signed_in(client)
        assert "ロック" in response.text
    lengths = []
    for _ in range(5):
        until = LoginThrottle.objects.get(key__startswith="pair:").locked_until
        lengths.append(round((until - now).total_seconds() / 60))
        now = until + datetime.timedelta(seconds=1)
        with time_machine.travel(now, tick=False):
            _login(client, password="wrong")  # one more guess as soon as the wait is over
    assert lengths == [1, 2, 4, 8, 15]
    with time_machine.travel(now + datetime.timedelta(minutes=16), tick=False):
        assert _login(client).status_code == 302


def test_failures_repeated_forever_never_lock_out_a_device_that_signed_in_before(client, user, settings):
    settings.LOGIN_FAILURES_PER_USER = 20
    device = _known_device(type(client))
    for i in range(25):  # a guessing run spread over many addresses
        _login(client, password="wrong", address=f"203.0.113.{i + 1}")
    assert LoginThrottle.objects.get(key="user:owner").locked_until is not None
    # A browser that never signed in to the name is refused now, from anywhere...
    stranger = type(client)()
    _login(stranger, address="192.0.2.50")
    assert not _signed_in(stranger)
    # ...but the owner's own browser is not.
    assert _login(device, address=OWNER_HOME).status_code == 302
    assert _signed_in(device)


def test_made_up_names_from_the_proxy_address_do_not_lock_out_known_devices(client, user, settings):
    # Behind a TLS proxy without TRUSTED_PROXY_COUNT, every request comes from the proxy.
    device = _known_device(type(client), address=PROXY)
    for i in range(60):
        _login(client, username=f"made-up-{i}", password="wrong", address=PROXY)
    assert LoginThrottle.objects.get(key=f"addr:{PROXY}").locked_until is not None
    assert _login(device, address=PROXY).status_code == 302


def test_with_a_trusted_proxy_each_client_counts_by_the_address_the_proxy_saw(client, user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    for i in range(12):
        # The attacker's forged entries (left of the proxy's) are ignored.
        _login(
            client, username=f"guess{i}", password="wrong", address=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, {ATTACKER}"
        )
    assert LoginThrottle.objects.get(key=f"addr:{ATTACKER}").locked_until is not None
    assert not LoginThrottle.objects.filter(key=f"addr:{PROXY}").exists()
    newcomer = type(client)()  # another client behind the same proxy, on a new browser
    assert _login(newcomer, address=PROXY, HTTP_X_FORWARDED_FOR=OWNER_HOME).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert throttle.client_address(request) == PROXY
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1, 10.0.0.9")
    assert throttle.client_address(request) == "198.51.100.1"
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address, 10.0.0.9")
    assert throttle.client_address(request) is None or throttle.client_address(request) == PROXY


def test_ipv6_clients_count_by_their_64_network(rf):
    one = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    two = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert throttle.client_address(one) == throttle.client_address(two) == "2001:db8:1:2::/64"


def test_a_known_devices_own_failures_lock_only_that_browser(client, user, settings):
    settings.LOGIN_FAILURES_PER_DEVICE = 3
    device = _known_device(type(client))
    for _ in range(3):
        _login(device, password="wrong", address=OWNER_HOME)
    _login(device, address=OWNER_HOME)
    assert not _signed_in(device)
    # The name itself is not locked: another browser signs in.
    assert _login(client, address="192.0.2.9").status_code == 302


def test_a_forged_or_foreign_device_cookie_counts_as_none(client, user):
    other = make_user(username="other")
    device = type(client)()
    assert _login(device, username=other.username, address=OWNER_HOME).status_code == 302
    device.post(reverse("accounts:logout"))
    # The cookie is for "other": it does not make the browser known for "owner".
    for _ in range(5):
        _login(device, password="wrong", address=ATTACKER)
    _login(device, address=ATTACKER)
    assert not _signed_in(device)
    forged = type(client)()
    forged.cookies[throttle.DEVICE_COOKIE] = '{"owner": "x"}'
    for _ in range(5):
        _login(forged, password="wrong", address="192.0.2.77")
    _login(forged, address="192.0.2.77")
    assert not _signed_in(forged)


def test_the_device_cookie_is_signed_http_only_and_same_site(client, user):
    _login(client, address=OWNER_HOME)
    cookie = client.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "owner" not in cookie.value or ":" in cookie.value  # signed, not a bare name


# Finding 1: the admin login was not throttled and ignored the lockout.


def test_thirty_wrong_passwords_through_the_admin_then_the_right_one_is_refused(client, db):
    make_user(username="root", is_staff=True, is_superuser=True)
    # The admin's login page is the app's own.
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    login_url = response.url
    assert login_url.startswith(reverse("accounts:login"))
    for _ in range(30):
        _login(client, username="root", password="wrong", url=login_url)
        _login(client, username="root", password="wrong", url=reverse("admin:login"))
    _login(client, username="root", url=login_url)
    _login(client, username="root", url=reverse("admin:login"))
    assert not _signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_name_locked_at_the_login_page_cannot_sign_in_through_the_admin(client, db):
    make_user(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        _login(client, username="root", password="wrong")
    response = _login(client, username="root", url=reverse("admin:login") + "?next=/people/")
    assert not _signed_in(client)
    response = client.get(reverse("admin:login") + "?next=/people/")
    assert response.url == reverse("accounts:login") + "?next=/people/"


def test_every_login_form_goes_through_the_throttle(db, settings):
    """The admin's own form (or any other) calls authenticate(), which refuses a locked name."""
    make_user(username="root", is_staff=True, is_superuser=True)
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        assert not AdminAuthenticationForm(request, data={"username": "root", "password": "wrong"}).is_valid()
    form = AdminAuthenticationForm(request, data={"username": "root", "password": PASSWORD})
    assert not form.is_valid()


def test_the_admin_login_sends_a_signed_in_non_staff_user_nowhere(client, user):
    client.force_login(user)
    assert client.get(reverse("admin:login")).status_code == 403


def test_a_staff_user_signs_in_to_the_admin_through_the_login_page(client, db):
    make_user(username="root", is_staff=True, is_superuser=True)
    response = _login(client, username="root", url=reverse("accounts:login") + "?next=/admin/")
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
