"""Career history: a changed company, department or title keeps the previous card, on the person page and in the timeline."""

import datetime

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import CareerChange, Person
from tests.factories import make_meeting, make_person

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


def edit(client, person, **changes):
    data = {
        "family_name": person.family_name,
        "given_name": person.given_name,
        "family_reading": person.family_reading,
        "given_reading": person.given_reading,
        "company": person.company,
        "department": person.department,
        "title": person.title,
        "tier": person.tier,
        "i_want_to_meet_again": "unknown",
        "they_want_to_meet_again": "unknown",
        "version": person.version,
    } | changes
    return client.post(reverse("contacts:person_edit", args=[person.pk]), data)


def test_editing_the_title_keeps_the_previous_one_in_the_history(auth_client, user):
    person = make_person(owner=user, company="ABC商事", department="営業部", title="課長")
    assert edit(auth_client, person, title="部長").status_code == 302
    change = CareerChange.objects.get(person=person)
    assert (change.old_title, change.new_title, change.source) == ("課長", "部長", "edit")
    assert change.old_card == "ABC商事 · 営業部 · 課長"


def test_filling_an_empty_title_or_saving_unchanged_records_nothing(auth_client, user):
    person = make_person(owner=user, company="ABC商事")
    edit(auth_client, person, title="部長")
    person.refresh_from_db()
    edit(auth_client, person)
    assert not CareerChange.objects.exists()


def test_the_person_page_shows_the_history_and_the_job_change_in_the_timeline(auth_client, user):
    person = make_person(owner=user, company="旧商事", title="課長")
    make_meeting(owner=user, people=[person], date=datetime.date(2025, 1, 10), summary="最初の面会")
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 3, 1), summary="転職後の面会")
    services.record_career_change(
        person=person,
        before={"company": "旧商事", "title": "課長"},
        after={"company": "新興業", "title": "部長"},
        on=datetime.date(2025, 6, 1),
        source="capture",
    )
    Person.objects.filter(pk=person.pk).update(company="新興業", title="部長")
    html = auth_client.get(reverse("contacts:person_detail", args=[person.pk]), **JA).content.decode()
    assert 'id="career"' in html and "経歴" in html
    assert "旧商事 · 課長" in html and "新興業 · 部長" in html
    # In the timeline, between the two meetings it came between.
    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("転職後の面会") < timeline.index("転職・異動") < timeline.index("最初の面会")


def test_job_changes_are_spread_over_the_timeline_pages_by_date(auth_client, user):
    person = make_person(owner=user, company="旧商事")
    for day in range(25):
        make_meeting(owner=user, people=[person], date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
    for on in (datetime.date(2026, 1, 24), datetime.date(2025, 12, 1)):
        services.record_career_change(
            person=person, before={"company": "旧商事"}, after={"company": "新"}, on=on, source="edit"
        )
    url = reverse("contacts:person_detail", args=[person.pk])
    first = auth_client.get(url).content.decode()
    second = auth_client.get(url, {"page": 2}).content.decode()
    assert first.count('class="timeline__item timeline__item--career"') == 1
    assert second.count('class="timeline__item timeline__item--career"') == 1


def test_a_person_without_meetings_still_shows_a_job_change(auth_client, user):
    person = make_person(owner=user, company="旧商事")
    services.update_person(person=person, expected_version=person.version, values={"company": "新興業"})
    html = auth_client.get(reverse("contacts:person_detail", args=[person.pk])).content.decode()
    assert "timeline__item--career" in html


def test_merging_people_keeps_both_histories(user):
    keep = make_person(owner=user, company="A社", title="課長")
    other = make_person(owner=user, family_name="重複", company="B社", title="主任")
    for person in (keep, other):
        services.update_person(person=person, expected_version=person.version, values={"title": "部長"})
    services.merge_people(keep=keep, other=other)
    assert CareerChange.objects.filter(person=keep).count() == 2


def test_another_users_career_is_not_shown(auth_client, user, other_user):
    theirs = make_person(owner=other_user, company="秘密商事")
    services.update_person(person=theirs, expected_version=theirs.version, values={"company": "別"})
    assert auth_client.get(reverse("contacts:person_detail", args=[theirs.pk])).status_code == 404
