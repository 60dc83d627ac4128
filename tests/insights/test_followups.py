"""Key persons in the follow-up engine, the digest's reminder, and merging people."""

import datetime

import pytest

from contacts import services as contacts_services
from contacts.models import KeyPerson, Profile
from followups import rules
from followups.digest import build_digest
from followups.models import FollowUp, FollowUpSettings, Reason, State
from insights import services
from insights.models import Dismissal
from tests.factories import make_field, make_followup, make_key_person, make_meeting, make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)


def _open(person):
    return dict(FollowUp.objects.filter(person=person, state=State.OPEN).values_list("reason", "due_on"))


def _recompute(person):
    rules.recompute(rules.people_of(person.owner_id, person_ids=[person.pk]), today=TODAY)


def test_a_key_person_gets_the_key_person_cadence_instead_of_keep_in_touch(user):
    FollowUpSettings.objects.create(owner=user, key_person_days=30, network_days=90)
    person = make_person(owner=user, tier="network")
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    _recompute(person)
    assert _open(person)[Reason.KEEP_IN_TOUCH] == datetime.date(2027, 1, 30)

    KeyPerson.objects.create(owner=user, person=person, field=make_field(owner=user), tagged_on=TODAY)
    _recompute(person)
    assert _open(person) == {Reason.KEY_PERSON: datetime.date(2026, 12, 1)}

    KeyPerson.objects.all().delete()
    _recompute(person)
    assert _open(person) == {Reason.KEEP_IN_TOUCH: datetime.date(2027, 1, 30)}


def test_a_key_person_in_two_fields_has_one_check_in(user):
    person = make_person(owner=user)
    for name in ("IT", "法律"):
        KeyPerson.objects.create(owner=user, person=person, field=make_field(owner=user, name=name), tagged_on=TODAY)
    _recompute(person)
    _recompute(person)
    assert FollowUp.objects.filter(person=person, reason=Reason.KEY_PERSON).count() == 1


def test_a_done_check_in_resets_the_key_person_clock(user):
    person = make_person(owner=user)
    KeyPerson.objects.create(owner=user, person=person, field=make_field(owner=user), tagged_on=TODAY)
    make_followup(
        owner=user,
        person=person,
        reason=Reason.KEY_PERSON,
        state=State.DONE,
        closed_at=datetime.datetime(2026, 11, 20, 3, tzinfo=datetime.UTC),
    )
    _recompute(person)
    assert _open(person)[Reason.KEY_PERSON] == datetime.date(2026, 12, 20)


def test_a_persons_own_cadence_still_wins(user):
    person = make_person(owner=user, keep_in_touch_days=14)
    KeyPerson.objects.create(owner=user, person=person, field=make_field(owner=user), tagged_on=TODAY)
    make_meeting(owner=user, people=[person], date=datetime.date(2026, 11, 1))
    _recompute(person)
    assert _open(person)[Reason.KEY_PERSON] == datetime.date(2026, 11, 15)


def test_tagging_and_untagging_ask_for_the_persons_recompute(user, django_capture_on_commit_callbacks):
    from unittest import mock

    person = make_person(owner=user)
    field = make_field(owner=user)
    with (
        mock.patch("followups.services.request_recompute") as recompute,
        django_capture_on_commit_callbacks(execute=True),
    ):
        key = services.tag_key_person(owner=user, person=person, field=field)
        services.untag_key_person(key=key)
    assert recompute.call_count == 2
    recompute.assert_called_with(owner_id=user.pk, person_ids=[person.pk])


def test_the_digest_reminds_me_what_i_want(user):
    user.email = "me@example.jp"
    user.language = "en"
    user.save()
    make_followup(owner=user, due_on=TODAY)
    assert "What you want" not in build_digest(user, today=TODAY).body
    Profile.objects.create(owner=user, what_i_want="a tax accountant for my company")
    message = build_digest(user, today=TODAY)
    assert "a tax accountant for my company" in message.body
    assert "a tax accountant for my company" in message.alternatives[0].content


def test_merging_moves_key_tags_and_dismissals_without_doubling_them(user):
    it = make_field(owner=user, name="IT")
    law = make_field(owner=user, name="法律")
    keep = make_person(owner=user)
    other = make_person(owner=user, family_name="重複")
    make_key_person(owner=user, person=keep, field=it)
    make_key_person(owner=user, person=other, field=it)
    make_key_person(owner=user, person=other, field=law)
    Dismissal.objects.create(owner=user, person=other, field=law, until=TODAY)
    contacts_services.merge_people(keep=keep, other=other)
    assert sorted(KeyPerson.objects.filter(person=keep).values_list("field__name", flat=True)) == ["IT", "法律"]
    assert Dismissal.objects.get().person == keep


def test_deleting_a_field_asks_for_its_key_persons_recompute(user, auth_client, django_capture_on_commit_callbacks):
    """Their key-person check-in gives way to keep-in-touch now, not at the next nightly run."""
    from unittest import mock

    from django.urls import reverse

    key, plain = make_person(owner=user), make_person(owner=user)
    field = make_field(owner=user)
    plain.fields.add(field)
    services.tag_key_person(owner=user, person=key, field=field)
    with (
        mock.patch("followups.services.request_recompute") as recompute,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert auth_client.post(reverse("contacts:field_delete", args=[field.pk])).status_code == 302
    recompute.assert_called_once_with(owner_id=user.pk, person_ids=[key.pk])
    assert not KeyPerson.objects.exists()
