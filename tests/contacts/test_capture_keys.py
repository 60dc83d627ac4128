"""Capture rows carry a key: a row sent again (offline queue, retry, double tap) is saved exactly once."""

import uuid

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Meeting, Person
from tests.factories import make_event, make_person

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def send(client, event, key, **data):
    url = reverse("contacts:capture_row", args=[event.pk])
    return client.post(url, {"name": "佐藤 一郎", "memo": "地下の会場", "capture_key": str(key)} | data, **HTMX)


def test_the_form_carries_a_new_key_each_time(auth_client, user):
    event = make_event(owner=user)
    page = auth_client.get(f"{reverse('contacts:capture')}?event={event.pk}").content.decode()
    first = page.split('name="capture_key" value="', 1)[1][:36]
    saved = send(auth_client, event, first).content.decode()
    second = saved.split('name="capture_key" value="', 1)[1][:36]
    assert uuid.UUID(first) != uuid.UUID(second)


def test_a_row_sent_twice_is_saved_once_and_the_second_answer_says_so(auth_client, user):
    event = make_event(owner=user)
    key = uuid.uuid4()
    first = send(auth_client, event, key)
    again = send(auth_client, event, key, name="佐藤 一郎（再送）")
    assert first["X-Capture-Saved"] == again["X-Capture-Saved"]
    assert "Already saved: 佐藤 一郎." in again.content.decode()
    assert Person.objects.filter(owner=user).count() == 1
    assert Meeting.objects.get(owner=user).capture_key == key


def test_met_again_rows_are_saved_once_too(auth_client, user):
    event = make_event(owner=user)
    person = make_person(owner=user)
    key = uuid.uuid4()
    url = reverse("contacts:capture_existing", args=[event.pk, person.pk])
    for _ in range(2):
        response = auth_client.post(url, {"name": "山田", "memo": "", "capture_key": str(key)}, **HTMX)
        assert response["X-Capture-Saved"]
    assert Meeting.objects.filter(owner=user, event=event).count() == 1


def test_two_sends_racing_save_one_row(auth_client, user, monkeypatch):
    event = make_event(owner=user)
    key = uuid.uuid4()
    send(auth_client, event, key)
    real = services.capture_saved
    calls = []

    def missed_the_first(*, owner, key):
        calls.append(key)
        return None if len(calls) == 1 else real(owner=owner, key=key)

    monkeypatch.setattr(services, "capture_saved", missed_the_first)
    response = send(auth_client, event, key)
    assert response.status_code == 200 and "Already saved" in response.content.decode()
    assert Person.objects.filter(owner=user).count() == 1 and Meeting.objects.count() == 1


def test_keys_are_per_user(auth_client, client, user, other_user):
    key = uuid.uuid4()
    send(auth_client, make_event(owner=user), key)
    client.force_login(other_user)
    theirs = make_event(owner=other_user)
    response = send(client, theirs, key, name="別の 人")
    assert "Already saved" not in response.content.decode()
    assert Meeting.objects.filter(owner=other_user, capture_key=key).count() == 1
    assert "佐藤" not in response.content.decode()


def test_a_row_without_a_key_or_with_a_bad_one_is_saved_as_before(auth_client, user):
    event = make_event(owner=user)
    send(auth_client, event, "")
    send(auth_client, event, "not-a-uuid", name="鈴木 次郎")
    assert Meeting.objects.filter(owner=user, capture_key__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_clients_sending_the_same_rows_at_once_save_each_exactly_once():
    import threading

    from django.db import connection
    from django.test import Client

    from tests.factories import make_user

    owner = make_user(username="racer")
    event = make_event(owner=owner)
    keys = [uuid.uuid4() for _ in range(8)]
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def sender():
        client = Client()
        client.force_login(owner)
        try:
            for number, key in enumerate(keys):
                barrier.wait(timeout=30)
                response = send(client, event, key, name=f"競争 {number}")
                statuses.append(response.status_code)
                if not response.get("X-Capture-Saved"):
                    errors.append((number, response.status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and statuses == [200] * 2 * len(keys)
    assert Meeting.objects.filter(owner=owner).count() == len(keys)
    assert Person.objects.filter(owner=owner).count() == len(keys)
    assert set(Meeting.objects.values_list("capture_key", flat=True)) == set(keys)
