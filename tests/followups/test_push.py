"""Web Push: devices stored per user, the morning notice encrypted with counts only, dropped devices removed."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from followups import push, services
from followups.models import FollowUpSettings, PushNotice, PushSubscription, Reason
from tests.factories import make_followup, make_person, make_user
from tests.push_endpoint import PushEndpoint

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 18)


@pytest.fixture
def vapid(settings):
    out = io.StringIO()
    call_command("generate_vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = keys["WEBPUSH_VAPID_PRIVATE_KEY"]
    settings.WEBPUSH_VAPID_PUBLIC_KEY = keys["WEBPUSH_VAPID_PUBLIC_KEY"]
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:owner@example.com"
    settings.WEBPUSH_ALLOW_HTTP = True
    return keys


@pytest.fixture
def endpoint():
    found = PushEndpoint().start()
    yield found
    found.stop()


def subscribe(client, data):
    return client.post(reverse("followups:push_subscribe"), json.dumps(data), content_type="application/json")


def test_a_subscription_is_stored_per_user_and_moves_with_the_device(auth_client, client, user, vapid, endpoint):
    response = subscribe(auth_client, endpoint.subscription_json())
    assert response.status_code == 201
    device = PushSubscription.objects.get()
    assert (device.owner, device.endpoint, device.enabled) == (user, endpoint.url, True)
    other = make_user(username="other-on-same-phone")
    client.force_login(other)
    assert subscribe(client, endpoint.subscription_json()).status_code == 201
    assert PushSubscription.objects.get().owner == other


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "ftp://example.com/x"},
        {"endpoint": "javascript:alert(1)"},
        {"keys": {"p256dh": "bm90IGEga2V5", "auth": "MDEyMzQ1Njc4OWFiY2RlZg"}},
        {"keys": "nope"},
        {"endpoint": "https://push.example.com/" + "x" * 1000},
    ],
)
def test_a_bad_subscription_is_refused_and_nothing_is_stored(auth_client, vapid, endpoint, change):
    response = subscribe(auth_client, endpoint.subscription_json() | change)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_http_push_services_are_refused_outside_tests(auth_client, vapid, endpoint, settings):
    settings.WEBPUSH_ALLOW_HTTP = False
    assert subscribe(auth_client, endpoint.subscription_json()).status_code == 400
    assert (
        auth_client.post(reverse("followups:push_subscribe"), "{", content_type="application/json").status_code == 400
    )


@time_machine.travel("2026-11-18 08:00 +0900")
def test_the_notice_is_encrypted_signed_and_carries_counts_only(user, vapid, endpoint):
    PushSubscription.objects.create(owner=user, **push.parse_subscription(endpoint.subscription_json()))
    for name in ("秘密太郎", "秘密花子"):
        make_followup(
            owner=user, person=make_person(owner=user, family_name=name), reason=Reason.THANK_YOU, due_on=TODAY
        )
    make_followup(
        owner=user, person=make_person(owner=user, family_name="内緒"), due_on=TODAY - datetime.timedelta(days=3)
    )
    make_followup(
        owner=user, person=make_person(owner=user, family_name="来週"), due_on=TODAY + datetime.timedelta(days=9)
    )
    assert push.send_notice(owner=user, today=TODAY) == 1
    (message,) = endpoint.received
    assert message.headers["ttl"] == "43200" and "秘密".encode() not in message.body
    claims = endpoint.check_vapid(message, public_key=vapid["WEBPUSH_VAPID_PUBLIC_KEY"])
    assert claims["aud"] == endpoint.url.rsplit("/push/", 1)[0] and claims["sub"] == "mailto:owner@example.com"
    payload = endpoint.decrypt(message)
    assert payload["url"] == reverse("followups:week")
    assert "今日お礼を送る人: 2人" in payload["body"] and "3" in payload["body"]
    assert not any(word in json.dumps(payload, ensure_ascii=False) for word in ("秘密", "内緒", "来週", "山田"))
    assert PushSubscription.objects.get().last_sent_at is not None


@time_machine.travel("2026-11-18 08:00 +0900")
def test_english_users_get_the_notice_in_english(user, vapid, endpoint):
    user.language = "en"
    user.save()
    PushSubscription.objects.create(owner=user, **push.parse_subscription(endpoint.subscription_json()))
    make_followup(owner=user, person=make_person(owner=user), reason=Reason.THANK_YOU, due_on=TODAY)
    push.send_notice(owner=user, today=TODAY)
    assert "Thank-yous to send today: 1" in endpoint.decrypt(endpoint.received[0])["body"]


@pytest.mark.parametrize("status, kept", [(404, False), (410, False), (500, True), (429, True)])
def test_a_device_the_push_service_dropped_is_removed(user, vapid, endpoint, status, kept):
    endpoint.status = status
    PushSubscription.objects.create(owner=user, **push.parse_subscription(endpoint.subscription_json()))
    make_followup(owner=user, person=make_person(owner=user), due_on=TODAY)
    assert push.send_notice(owner=user, today=TODAY) == 0
    assert PushSubscription.objects.exists() is kept
    if kept:
        assert PushSubscription.objects.get().last_error == f"HTTP {status}"


def test_a_device_turned_off_and_a_day_with_nothing_due_get_nothing(auth_client, user, vapid, endpoint):
    device = PushSubscription.objects.create(owner=user, **push.parse_subscription(endpoint.subscription_json()))
    assert push.send_notice(owner=user, today=TODAY) == 0  # nothing due
    make_followup(owner=user, person=make_person(owner=user), due_on=TODAY)
    auth_client.post(reverse("followups:push_toggle", args=[device.pk]))
    assert push.send_notice(owner=user, today=TODAY) == 0
    assert not endpoint.received
    auth_client.post(reverse("followups:push_toggle", args=[device.pk]))
    assert push.send_notice(owner=user, today=TODAY) == 1


def test_another_users_device_cannot_be_turned_off_or_removed(auth_client, other_user):
    device = PushSubscription.objects.create(owner=other_user, endpoint="https://p.example/1", p256dh="k", auth="a")
    assert auth_client.post(reverse("followups:push_toggle", args=[device.pk])).status_code == 404
    assert auth_client.post(reverse("followups:push_delete", args=[device.pk])).status_code == 404
    assert PushSubscription.objects.get().enabled


def test_notices_are_claimed_once_a_day_at_each_users_chosen_time(user, vapid, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_send", lambda task, *args: sent.append((task.name, args)) or True)
    PushSubscription.objects.create(owner=user, endpoint="https://p.example/1", p256dh="k", auth="a")
    FollowUpSettings.objects.create(owner=user, notice_time=datetime.time(7, 30), time_zone="Asia/Tokyo")
    late = make_user(username="late")
    PushSubscription.objects.create(owner=late, endpoint="https://p.example/2", p256dh="k", auth="a")
    FollowUpSettings.objects.create(owner=late, notice_time=datetime.time(9, 0), time_zone="Europe/London")

    def at(moment: str):
        return services.dispatch_push_notices(now=datetime.datetime.fromisoformat(moment))

    assert at("2026-11-18T07:25:00+09:00") == 0
    assert at("2026-11-18T07:30:00+09:00") == 1
    assert at("2026-11-18T07:35:00+09:00") == 0  # claimed already
    assert sent == [("followups.send_push_notice", (user.pk, "2026-11-18"))]
    assert at("2026-11-18T18:05:00+09:00") == 1  # 09:05 in London
    assert at("2026-11-19T12:00:00+09:00") == 0  # 03:00 in London; in Tokyo the window of 07:30 has passed
    assert PushNotice.objects.count() == 2


def test_a_claim_whose_message_could_not_be_sent_is_given_back(user, vapid, monkeypatch):
    monkeypatch.setattr(services, "_send", lambda task, *args: False)
    PushSubscription.objects.create(owner=user, endpoint="https://p.example/1", p256dh="k", auth="a")
    assert services.dispatch_push_notices(now=datetime.datetime.fromisoformat("2026-11-18T08:10:00+09:00")) == 0
    assert not PushNotice.objects.exists()


def test_the_settings_page_lists_devices_and_offers_to_turn_this_one_on(auth_client, user, vapid):
    PushSubscription.objects.create(
        owner=user, endpoint="https://p.example/1", p256dh="k", auth="a", device="Android Chrome"
    )
    page = auth_client.get(reverse("followups:settings")).content.decode()
    assert "Android Chrome" in page and vapid["WEBPUSH_VAPID_PUBLIC_KEY"] in page and "data-push-enable" in page
