"""Events: the list with people counts, the page of everyone met there, editing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Event, Meeting, Person
from tests.factories import make_event, make_meeting, make_person

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:event_list")


def event_post(**overrides):
    return {"name": "朝活 勉強会", "kind": "seminar", "date": "2026-11-21", "place": "新宿"} | overrides


def test_event_list_shows_own_events_newest_first_with_how_many_people_were_met(auth_client, user, other_user):
    old = make_event(owner=user, name="古い交流会", date=datetime.date(2025, 5, 1))
    new = make_event(owner=user, name="新しい勉強会", kind="seminar", date=datetime.date(2026, 11, 1))
    make_event(owner=other_user, name="他人のイベント")
    a, b = make_person(owner=user), make_person(owner=user, family_name="佐藤")
    make_meeting(owner=user, people=[a, b], event=new)
    make_meeting(owner=user, people=[a], event=new)  # met again: still two people
    make_meeting(owner=user, people=[a], event=old)
    response = auth_client.get(LIST)
    events = list(response.context["page"].object_list)
    assert [e.pk for e in events] == [new.pk, old.pk]
    assert [e.people_count for e in events] == [2, 1]
    html = response.content.decode()
    assert "他人のイベント" not in html
    assert "Seminar / study group" in html or "セミナー" in html


def test_event_list_query_count_is_fixed(auth_client, user, django_assert_num_queries):
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], event=make_event(owner=user))
    with CaptureQueriesContext(connection) as one:
        auth_client.get(LIST)
    for n in range(25):
        event = make_event(owner=user, name=f"交流会{n}")
        make_meeting(owner=user, people=[person, make_person(owner=user, family_name=f"人{n}")], event=event)
    with django_assert_num_queries(len(one.captured_queries)):
        auth_client.get(LIST)


def test_event_list_pages_with_htmx(auth_client, user):
    for n in range(35):
        make_event(owner=user, name=f"交流会{n:02d}", date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    response = auth_client.get(LIST, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "event-results"})
    html = response.content.decode()
    assert html.strip().startswith('<section id="event-results"')
    assert "交流会04" in html and "交流会05" not in html


def test_event_page_lists_everyone_met_there_with_links(auth_client, user, other_user):
    event = make_event(owner=user, name="商工会議所 新年会", goal="税理士と知り合う")
    met = make_person(owner=user, family_name="佐藤", given_name="花子")
    first_met_only = make_person(owner=user, family_name="鈴木", first_met_event=event)
    elsewhere = make_person(owner=user, family_name="田中")
    make_meeting(owner=user, people=[met], event=event)
    make_meeting(owner=user, people=[elsewhere])
    response = auth_client.get(event.get_absolute_url())
    people = list(response.context["page"].object_list)
    assert {p.pk for p in people} == {met.pk, first_met_only.pk}
    html = response.content.decode()
    assert f'href="{met.get_absolute_url()}"' in html
    assert "税理士と知り合う" in html


def test_another_users_event_is_404(auth_client, other_user):
    foreign = make_event(owner=other_user)
    for name in ("contacts:event_detail", "contacts:event_edit"):
        assert auth_client.get(reverse(name, args=[foreign.pk])).status_code == 404
    assert (
        auth_client.post(reverse("contacts:event_edit", args=[foreign.pk]), event_post(name="乗っ取り")).status_code
        == 404
    )
    assert auth_client.post(reverse("contacts:event_delete", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "乗っ取り"


def test_creating_an_event(auth_client, user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC))
    assert 'value="2026-11-21"' in auth_client.get(reverse("contacts:event_create")).content.decode()
    response = auth_client.post(reverse("contacts:event_create"), event_post(date="2026/11/21", goal="IT の人に会う"))
    event = Event.objects.get(owner=user)
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert (event.name, event.kind, event.date, event.goal) == (
        "朝活 勉強会",
        "seminar",
        datetime.date(2026, 11, 21),
        "IT の人に会う",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("name", "x" * 201), ("date", "2026-02-30"), ("kind", "rave"), ("notes", "あ" * 10_001)],
)
def test_bad_event_input_gets_a_message_and_saves_nothing(auth_client, user, field, value):
    response = auth_client.post(reverse("contacts:event_create"), event_post(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Event.objects.exists()


def test_renaming_an_event_keeps_people_findable_by_the_new_name(auth_client, user):
    event = make_event(owner=user, name="渋谷交流会")
    person = make_person(owner=user)
    make_meeting(owner=user, people=[person], event=event)
    response = auth_client.post(reverse("contacts:event_edit", args=[event.pk]), event_post(name="恵比寿ナイト"))
    assert response.status_code == 302
    assert list(Person.objects.filter(owner=user).search("恵比寿")) == [person]


def test_deleting_an_event_keeps_its_meetings_with_the_event_cleared(auth_client, user):
    event = make_event(owner=user, name="渋谷交流会")
    person = make_person(owner=user)
    meeting = make_meeting(owner=user, people=[person], event=event)
    url = reverse("contacts:event_delete", args=[event.pk])
    assert auth_client.get(url).status_code == 405
    response = auth_client.post(url)
    assert response.status_code == 302 and response.url == LIST
    assert not Event.objects.filter(pk=event.pk).exists()
    meeting.refresh_from_db()
    assert meeting.event is None
    assert Meeting.objects.get(pk=meeting.pk).people.get() == person
    person.refresh_from_db()
    assert person.first_met_event is None
    assert not Person.objects.filter(owner=user).search("渋谷交流会").exists()
