"""First run: a new account lands on a checklist; empty lists link to what fills them; one message on an empty key-persons page."""

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Profile
from tests.factories import make_event, make_person

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


def test_a_new_account_lands_on_the_checklist_instead_of_an_empty_capture_page(auth_client, user):
    response = auth_client.get(reverse("home"), follow=True, **JA)
    html = response.content.decode()
    assert 'class="first-run"' in html
    for url in (reverse("transfer:index"), f"{reverse('contacts:capture')}?start=1", reverse("insights:goals")):
        assert f'href="{url}"' in html
    assert "アドレス帳を取り込む" in html


def test_the_checklists_event_step_opens_the_event_form(auth_client, user):
    html = auth_client.get(reverse("contacts:capture"), {"start": "1"}).content.decode()
    assert 'id="capture-event-form"' in html


def test_done_steps_are_ticked_and_the_checklist_leaves_once_all_are_done(auth_client, user):
    make_person(owner=user)
    html = auth_client.get(reverse("contacts:capture")).content.decode()
    assert 'id="capture-event-form"' in html  # no longer a new account: the picker
    assert "first-run__step--done" in html and 'id="first-run-event"' in html
    make_event(owner=user)
    Profile.objects.create(owner=user, what_i_do="Web 制作")
    assert 'class="first-run"' not in auth_client.get(reverse("contacts:capture")).content.decode()


def test_empty_lists_link_to_the_action_that_fills_them(auth_client, user):
    people = auth_client.get(reverse("contacts:person_list")).content.decode()
    assert f'href="{reverse("transfer:index")}"' in people and f'href="{reverse("contacts:person_create")}"' in people
    events = auth_client.get(reverse("contacts:event_list")).content.decode()
    assert f'href="{reverse("contacts:capture")}?start=1"' in events


def test_key_persons_page_shows_one_message_when_nobody_is_a_candidate(auth_client, user):
    services.ensure_default_fields(owner=user)  # a new account's fifteen fields
    html = auth_client.get(reverse("insights:keyperson_list"), **JA).content.decode()
    assert html.count("kp-nobody") == 1
    assert 'class="card kp-field' not in html
