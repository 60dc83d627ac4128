"""The capture page's log brought up to date: rows saved or undone in another tab or on another
device reach a page that was open all along (contacts.views.capture.capture_log)."""

import re

import pytest
from django.urls import reverse

from contacts.models import Meeting
from tests.contacts.test_capture import EN, HTMX, capture_url, save_row, undo_url
from tests.factories import make_event, make_meeting, make_person

pytestmark = pytest.mark.django_db


def log_url(event, shown=None) -> str:
    url = reverse("contacts:capture_log", args=[event.pk])
    return url if shown is None else f"{url}?shown={shown}"


def shown_ids(event) -> str:
    """What the capture page shows: the event's rows, newest first."""
    meetings = Meeting.objects.filter(event=event).order_by("-created_at", "-pk")
    return ",".join(str(pk) for pk in meetings.values_list("pk", flat=True))


def test_the_capture_page_says_where_its_log_comes_from(auth_client, user):
    event = make_event(owner=user)
    html = auth_client.get(capture_url(event)).text
    assert (
        f'id="capture-log" class="capture-log" aria-labelledby="capture-log-title" data-log-url="{log_url(event)}"'
        in html
    )


def test_a_page_that_shows_every_row_gets_nothing_to_change(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="佐藤 一郎")
    save_row(auth_client, event, name="鈴木 二郎")
    response = auth_client.get(log_url(event, shown_ids(event)), **HTMX)
    assert response.status_code == 204
    assert response.content == b""
    empty = make_event(owner=user, name="まだ誰もいない会")
    assert auth_client.get(log_url(empty, ""), **HTMX).status_code == 204


def test_rows_saved_elsewhere_come_newest_first_with_the_count(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="佐藤 一郎")
    seen = shown_ids(event)
    save_row(auth_client, event, name="鈴木 二郎", company="ABC商事")  # another tab
    response = auth_client.get(log_url(event, seen), **HTMX, **EN)
    assert response.status_code == 200
    html = response.text
    assert html.index("鈴木 二郎") < html.index("佐藤 一郎")
    assert "ABC商事" in html
    assert '<span id="capture-count" class="capture-count">2</span>' in html
    assert "Logged at this event" in html
    assert html.count('class="capture-row"') == 2
    assert "<html" not in html  # the log alone, not the page
    # Their undo buttons work like those the page rendered itself.
    for meeting in Meeting.objects.filter(event=event):
        assert f'hx-post="{undo_url(meeting)}"' in html


def test_a_row_undone_elsewhere_leaves_the_log(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="佐藤 一郎")
    save_row(auth_client, event, name="鈴木 二郎")
    seen = shown_ids(event)
    gone = Meeting.objects.get(event=event, people__family_name="鈴木")
    assert auth_client.post(undo_url(gone), **HTMX).status_code == 200
    html = auth_client.get(log_url(event, seen), **HTMX).text
    assert "鈴木 二郎" not in html
    assert "佐藤 一郎" in html
    assert '<span id="capture-count" class="capture-count">1</span>' in html


def test_rows_in_another_order_than_the_logs_are_sent_again(auth_client, user):
    event = make_event(owner=user)
    save_row(auth_client, event, name="佐藤 一郎")
    save_row(auth_client, event, name="鈴木 二郎")
    reversed_ids = ",".join(reversed(shown_ids(event).split(",")))
    assert auth_client.get(log_url(event, reversed_ids), **HTMX).status_code == 200


@pytest.mark.parametrize(
    "shown",
    ["abc", "1,,2", ",", "1,2,", "-1", "1;2", "\x00", "１,２", "9" * 19, ",".join(["1"] * 1001), "1%002"],
)
def test_a_malformed_list_of_rows_gets_the_whole_log(auth_client, user, shown):
    event = make_event(owner=user)
    save_row(auth_client, event, name="佐藤 一郎")
    response = auth_client.get(reverse("contacts:capture_log", args=[event.pk]), {"shown": shown}, **HTMX)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "佐藤 一郎" in response.text


def test_another_users_event_is_404_and_says_nothing_of_its_rows(auth_client, user, other_user):
    theirs = make_event(owner=other_user)
    make_meeting(owner=other_user, people=[make_person(owner=other_user, family_name="秘密")], event=theirs)
    assert auth_client.get(log_url(theirs, ""), **HTMX).status_code == 404
    assert auth_client.get(log_url(theirs, shown_ids(theirs)), **HTMX).status_code == 404


def test_only_get_is_answered(auth_client, user):
    event = make_event(owner=user)
    assert auth_client.post(log_url(event), **HTMX).status_code == 405


def test_the_log_takes_a_fixed_number_of_queries(auth_client, user, django_assert_num_queries):
    event = make_event(owner=user)
    save_row(auth_client, event, name="佐藤 一郎")
    # Session, user, event, the log's meetings (read once); with a change, their people too.
    seen = shown_ids(event)
    with django_assert_num_queries(4):
        assert auth_client.get(log_url(event, seen), **HTMX).status_code == 204
    with django_assert_num_queries(5):
        auth_client.get(log_url(event, ""), **HTMX)
    for n in range(12):
        save_row(auth_client, event, name=f"鈴木 {n}")
    make_meeting(owner=user, people=[make_person(owner=user), make_person(owner=user)], event=event)
    seen = shown_ids(event)
    with django_assert_num_queries(4):
        assert auth_client.get(log_url(event, seen), **HTMX).status_code == 204
    with django_assert_num_queries(5):
        response = auth_client.get(log_url(event, ""), **HTMX)
    assert len(re.findall(r'class="capture-row"', response.text)) == 14
