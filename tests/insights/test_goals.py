"""My profile and goals: saving, matching known people, marking met."""

import pytest
from django.urls import reverse

from contacts.models import Profile
from insights.models import Goal
from tests.factories import make_field, make_goal, make_person

pytestmark = pytest.mark.django_db


def test_a_goal_lists_known_people_in_its_fields_or_doing_what_it_names(auth_client, user):
    tax = make_field(owner=user, name="会計・税務")
    in_field = make_person(owner=user, family_name="会計", fields=[tax])
    by_work = make_person(owner=user, family_name="顧問", what_they_do="税理士として中小企業を支援")
    make_person(owner=user, family_name="無関係", what_they_do="デザイナー")
    make_goal(owner=user, description="税理士", fields=[tax])
    response = auth_client.get(reverse("insights:goals"))
    html = response.content.decode()
    assert in_field.display_name in html and by_work.display_name in html
    assert "無関係" not in html
    ((goal, matches),) = response.context["goals"]
    assert matches == [by_work, in_field]  # doing what the goal names comes first


def test_a_met_goal_lists_nobody_and_can_be_reopened(auth_client, user):
    goal = make_goal(owner=user, description="税理士")
    make_person(owner=user, what_they_do="税理士")
    auth_client.post(reverse("insights:goal_met", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.is_met
    auth_client.post(reverse("insights:goal_met", args=[goal.pk]), {"met": "no"})
    goal.refresh_from_db()
    assert not goal.is_met


def test_adding_a_goal_with_another_users_field_is_refused_and_nothing_saved(auth_client, user, other_user):
    foreign = make_field(owner=other_user, name="IT")
    response = auth_client.post(
        reverse("insights:goal_create"), {"description": "IT の相談相手", "fields": [foreign.pk]}
    )
    assert response.status_code == 422
    assert not Goal.objects.exists()


@pytest.mark.parametrize("pk", ["99999999999999999999999", "-1", "abc"])
def test_an_impossible_field_id_is_refused_not_a_500(auth_client, user, pk):
    response = auth_client.post(reverse("insights:goal_create"), {"description": "税理士", "fields": [pk]})
    assert response.status_code == 422
    assert not Goal.objects.exists()


def test_a_goal_needs_a_description(auth_client, user):
    response = auth_client.post(reverse("insights:goal_create"), {"description": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_saving_my_profile(auth_client, user):
    response = auth_client.post(
        reverse("insights:profile_save"), {"stage": "growing", "what_i_do": "Web 制作", "what_i_want": "税理士の紹介"}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(owner=user)
    assert (profile.stage, profile.what_i_want) == ("growing", "税理士の紹介")


def test_a_bad_stage_is_refused(auth_client, user):
    response = auth_client.post(reverse("insights:profile_save"), {"stage": "guru"})
    assert response.status_code == 422
    assert not Profile.objects.exists()


def test_the_goals_page_runs_a_bounded_number_of_queries_however_many_goals(
    auth_client, user, monkeypatch, django_assert_max_num_queries
):
    from insights import selectors

    monkeypatch.setattr(selectors, "GOALS_MATCHED", 2)
    it = make_field(owner=user, name="IT")
    make_person(owner=user, what_they_do="税理士", fields=[it])
    for i in range(2):
        make_goal(owner=user, description=f"税理士{i}", fields=[it])
    auth_client.get(reverse("insights:goals"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        auth_client.get(reverse("insights:goals"))
    for i in range(6):
        make_goal(owner=user, description=f"税理士{i + 2}", fields=[it])
    with django_assert_max_num_queries(len(few)):
        page = auth_client.get(reverse("insights:goals"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Matches are shown for your first 2 open goals" in page
