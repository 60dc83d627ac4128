"""The key-person page, tagging and untagging, and the insights page: behaviour and fixed query counts."""

import datetime

import pytest
from django.urls import reverse

from contacts.models import KeyPerson
from insights.models import Dismissal, Suggestion
from tests.factories import (
    make_event,
    make_field,
    make_key_person,
    make_ledger_entry,
    make_meeting,
    make_person,
    make_suggestion,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_key_person_page_shows_each_field_its_key_persons_candidates_and_the_uncovered_ones(auth_client, user):
    it = make_field(owner=user, name="IT")
    law = make_field(owner=user, name="法律")
    key = make_key_person(owner=user, person=make_person(owner=user, family_name="鍵"), field=it, note="月一ランチ")
    make_suggestion(owner=user, person=make_person(owner=user, family_name="候補"), field=law)
    response = auth_client.get(reverse("insights:keyperson_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="field-{it.pk}"' in html and f'id="field-{law.pk}"' in html
    assert "鍵 太郎" in html and "月一ランチ" in html and key.person.get_absolute_url() in html
    assert "候補 太郎" in html and reverse("insights:suggestion_accept", args=[Suggestion.objects.get().pk]) in html
    assert "kp-field--uncovered" in html  # 法律 has nobody yet


def test_making_a_candidate_key_covers_the_field_in_the_swapped_block(auth_client, user):
    law = make_field(owner=user, name="法律")
    suggestion = make_suggestion(owner=user, person=make_person(owner=user, family_name="弁護"), field=law)
    response = auth_client.post(reverse("insights:suggestion_accept", args=[suggestion.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<section id="field-{law.pk}"')
    assert "kp-field__state--covered" in html and "kp-field--uncovered" not in html
    assert KeyPerson.objects.filter(owner=user, person=suggestion.person, field=law).exists()
    assert not Suggestion.objects.exists()


def test_accepting_without_htmx_redirects_to_the_fields_block(auth_client, user):
    suggestion = make_suggestion(owner=user)
    response = auth_client.post(reverse("insights:suggestion_accept", args=[suggestion.pk]))
    assert response.status_code == 302
    assert response.url == reverse("insights:keyperson_list") + f"#field-{suggestion.field_id}"


def test_dismissing_a_candidate_hides_it_and_remembers_for_six_months(auth_client, user):
    suggestion = make_suggestion(owner=user)
    response = auth_client.post(reverse("insights:suggestion_dismiss", args=[suggestion.pk]), **HTMX)
    assert response.status_code == 200
    assert f"suggestion-{suggestion.pk}" not in response.content.decode()
    assert Dismissal.objects.get(owner=user).person_id == suggestion.person_id
    assert not Suggestion.objects.exists()


def test_a_candidate_accepted_twice_answers_404_the_second_time(auth_client, user):
    suggestion = make_suggestion(owner=user)
    url = reverse("insights:suggestion_accept", args=[suggestion.pk])
    assert auth_client.post(url, **HTMX).status_code == 200
    assert auth_client.post(url, **HTMX).status_code == 404
    assert KeyPerson.objects.count() == 1


def test_untagging_from_the_key_person_page_uncovers_the_field(auth_client, user):
    key = make_key_person(owner=user)
    response = auth_client.post(reverse("insights:keyperson_untag", args=[key.pk]), **HTMX)
    assert response.status_code == 200
    assert "kp-field--uncovered" in response.content.decode()
    assert not KeyPerson.objects.exists()


def test_person_page_shows_the_fields_they_are_key_in_and_tags_and_untags(auth_client, user):
    it = make_field(owner=user, name="IT")
    person = make_person(owner=user)
    page = auth_client.get(person.get_absolute_url()).content.decode()
    panel_url = reverse("insights:person_key_roles", args=[person.pk])
    assert 'id="key-roles"' in page and panel_url in page  # the person page loads the panel from this app
    panel = auth_client.get(panel_url, **HTMX).content.decode()
    assert reverse("insights:keyperson_tag", args=[person.pk]) in panel

    response = auth_client.post(
        reverse("insights:keyperson_tag", args=[person.pk]),
        {"field": it.pk, "note": "相談相手", "tagged_on": "2026-04-01"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="key-roles"') and "IT" in html and "相談相手" in html
    key = KeyPerson.objects.get(person=person, field=it)
    assert key.tagged_on == datetime.date(2026, 4, 1) and list(person.fields.all()) == [it]

    response = auth_client.post(reverse("insights:keyperson_untag", args=[key.pk]), {"panel": "person"}, **HTMX)
    assert 'id="key-roles"' in response.content.decode()
    assert not KeyPerson.objects.exists()


def test_tagging_twice_in_the_same_field_keeps_one_tag(auth_client, user):
    it = make_field(owner=user, name="IT")
    person = make_person(owner=user)
    url = reverse("insights:keyperson_tag", args=[person.pk])
    auth_client.post(url, {"field": it.pk}, **HTMX)
    auth_client.post(url, {"field": it.pk}, **HTMX)
    assert KeyPerson.objects.count() == 1


@pytest.mark.parametrize(
    "language, message", [("en", "Pick one of your fields."), ("ja", "ご自分の分野から選んでください。")]
)
def test_tagging_with_another_users_field_is_refused_with_a_message(client, user, other_user, language, message):
    client.force_login(user)
    client.cookies["django_language"] = language
    person = make_person(owner=user)
    foreign = make_field(owner=other_user, name="IT")
    response = client.post(
        reverse("insights:keyperson_tag", args=[person.pk]),
        {"field": foreign.pk},
        HTTP_ACCEPT_LANGUAGE=language,
        **HTMX,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not KeyPerson.objects.exists()


def _seed(owner, n: int):
    """n people across three fields, with meetings, ledger entries, introductions, keys and suggestions."""
    from contacts.models import Field

    fields = [Field.objects.get_or_create(owner=owner, name=f"分野{i}")[0] for i in range(3)]
    event = make_event(owner=owner, kind="seminar", date=datetime.date(2026, 6, 1))
    people = []
    for i in range(n):
        person = make_person(
            owner=owner,
            fields=[fields[i % 3]],
            family_name=f"人{i}",
            tier="network" if i % 2 else "acquaintance",
            introduced_by=people[0] if i % 4 == 3 else None,
        )
        person.first_met_event = event
        person.first_met_on = event.date
        person.save()
        make_meeting(owner=owner, people=[person], event=event, date=event.date, kind="first_at_event")
        make_meeting(owner=owner, people=[person], date=datetime.date(2026, 9, 1))
        make_ledger_entry(owner=owner, person=person, direction="received" if i % 3 else "gave")
        people.append(person)
    make_key_person(owner=owner, person=people[1], field=fields[1])
    make_key_person(owner=owner, person=people[min(4, n - 1)], field=fields[1])
    from followups.services import recompute_person

    for person in people:
        recompute_person(person=person)
    from insights import services

    services.refresh_suggestions(owner_id=owner.pk)


@pytest.mark.parametrize("name", ["insights:keyperson_list", "insights:overview"])
def test_the_pages_run_a_fixed_number_of_queries(auth_client, user, django_assert_num_queries, name):
    url = reverse(name)
    _seed(user, 4)
    auth_client.get(url)  # session, language: warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insights.figures import mark_stale

    with CaptureQueriesContext(connection) as small:
        assert auth_client.get(url).status_code == 200
    mark_stale(user.pk)
    with CaptureQueriesContext(connection) as small_stale:
        assert auth_client.get(url).status_code == 200
    _seed(user, 20)
    mark_stale(user.pk)
    # The insights page computes its figures once (as many queries as with 4 people)…
    with django_assert_num_queries(len(small_stale)):
        assert auth_client.get(url).status_code == 200
    # … then reads them (as many queries as with 4 people).
    with django_assert_num_queries(len(small)):
        assert auth_client.get(url).status_code == 200


def test_insights_page_has_every_chart_with_its_figures(auth_client, user):
    _seed(user, 9)
    response = auth_client.get(reverse("insights:overview"))
    html = response.content.decode()
    for chart in ("chart-breadth", "chart-events", "chart-balance", "chart-health", "chart-connectors"):
        assert f'id="{chart}"' in html, chart
    assert 'id="insights-data"' in html and "vendor/chartjs/chart.umd.js" in html
    data = response.context["chart_data"]
    assert data["chart-breadth"]["series"][1]["data"] == [0, 2, 0]
    seminar = data["chart-events"]
    assert seminar["series"][0]["data"] == [9] and seminar["series"][1]["data"] == [9]
    assert seminar["series"][3]["data"] == [2]
    assert sum(data["chart-balance"]["series"][0]["data"]) == 9
    assert "<script>" not in html.replace('<script id="insights-data" type="application/json">', "")


def test_insights_page_refuses_a_bad_period_with_a_message(auth_client, user):
    response = auth_client.get(reverse("insights:overview") + "?period=forever", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Pick one of the listed periods" in response.content.decode()


def test_insights_page_counts_only_the_owners_people(auth_client, user, other_user):
    _seed(other_user, 3)
    response = auth_client.get(reverse("insights:overview"))
    data = response.context["chart_data"]
    assert data["chart-breadth"]["labels"] == [f.name for f in user.fields.all()]
    assert data["chart-events"]["labels"] == [] and data["chart-connectors"]["labels"] == []
