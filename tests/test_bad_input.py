"""No 500 on any input: NUL and control characters in query strings and paths, `next` checked
before anything is saved, and a form posted in a charset other than UTF-8."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse

from contacts.models import Meeting
from tests.factories import make_meeting, make_person

NUL_QUERIES = [
    ("contacts:person_create", {}, "introducer_q"),
    ("contacts:meeting_create", {}, "people_q"),
    ("contacts:person_list", {}, "q"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["a\x00b", "\x00", "x\x01y", "\x7f"])
def test_nul_in_introducer_query_is_refused_with_a_message(auth_client, query):
    response = auth_client.get(reverse("contacts:person_create"), {"introducer_q": query})
    assert response.status_code == 400
    assert "control character" in response.text or "制御文字" in response.text


@pytest.mark.django_db
def test_nul_in_merge_query_is_not_a_500(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.get(reverse("contacts:person_merge", args=[person.pk]), {"q": "山\x00"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_nul_in_meeting_people_query_is_not_a_500(auth_client):
    response = auth_client.get(reverse("contacts:meeting_create"), {"people_q": "\x00"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_nul_in_calendar_token_path_is_not_a_500(client):
    response = client.get("/calendar/" + "a" * 30 + "%00.ics")
    assert response.status_code in (400, 404)


@pytest.mark.django_db
def test_tab_and_newline_in_a_query_are_allowed(auth_client):
    response = auth_client.get(reverse("contacts:person_list"), {"q": "山田\t太郎"})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["meeting_edit", "meeting_delete"])
def test_a_bad_next_on_a_meeting_is_refused_before_saving(auth_client, user, view):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person], summary="before")
    data = {
        "date": "2026-11-21",
        "kind": "coffee",
        "people": [person.pk],
        "summary": "after",
        "next_step": "",
        "next": "abc",
    }
    response = auth_client.post(reverse(f"contacts:{view}", args=[meeting.pk]), data)
    assert response.status_code < 500
    if view == "meeting_edit":
        meeting.refresh_from_db()
        assert meeting.summary == "after"
        assert meeting.date == datetime.date(2026, 11, 21)
    else:
        assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["abc", "//evil.example/", "https://evil.example/", "javascript:alert(1)", "\x00"])
def test_a_next_that_is_not_a_local_path_falls_back_to_the_person(auth_client, user, target):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person])
    response = auth_client.post(reverse("contacts:meeting_delete", args=[meeting.pk]), {"next": target})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == person.get_absolute_url()


@pytest.mark.django_db
def test_a_local_next_is_followed(auth_client, user):
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person])
    response = auth_client.post(reverse("contacts:meeting_delete", args=[meeting.pk]), {"next": "/week/?all=1"})
    assert response["Location"] == "/week/?all=1"


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["shift_jis", "no-such-charset", "utf-16"])
def test_a_form_post_in_another_charset_answers_400(auth_client, user, charset):
    if charset == "utf-16":
        body = "family_name=山田".encode("utf-16")
    else:  # as a browser sends it: the shift_jis bytes, percent-encoded
        body = ("family_name=" + quote("山田", encoding="shift_jis")).encode()
    response = auth_client.generic(
        "POST",
        reverse("contacts:person_create"),
        body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert not user.people.exists()
