"""The snapshot that refused requests are checked against sees every change a request could make."""

import pytest
from django.utils import timezone

from tests.factories import make_person, make_tag, make_user
from tests.snapshots import all_rows

pytestmark = pytest.mark.django_db


def test_a_new_row_a_changed_column_and_a_many_to_many_link_each_change_the_snapshot():
    owner = make_user(username="owner")
    person = make_person(owner=owner, family_name="山田")
    tag = make_tag(owner=owner)
    before = all_rows()

    person.company = "新しい会社"
    person.save(update_fields=["company"])
    changed_column = all_rows()
    assert changed_column != before

    person.tags.add(tag)
    linked = all_rows()
    assert linked != changed_column
    assert linked["contacts.Person_tags"] != changed_column["contacts.Person_tags"]

    make_person(owner=owner, family_name="佐藤")
    assert all_rows() != linked


def test_a_sign_in_time_is_not_a_change():
    owner = make_user(username="owner")
    before = all_rows()
    owner.last_login = timezone.now()
    owner.save(update_fields=["last_login"])
    assert all_rows() == before
