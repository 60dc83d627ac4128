import re

import pytest
from django.core import mail
from django.urls import reverse

from contacts.models import Field, Person
from tests.factories import make_field, make_person, make_tag, make_user

pytestmark = pytest.mark.django_db


def test_a_new_account_starts_with_default_fields_in_its_language(client):
    client.cookies["django_language"] = "ja"
    client.post(reverse("accounts:signup"), {"username": "newbie", "email": "newbie@example.com"})
    link = re.search(r"/accounts/signup/\S+/", mail.outbox[0].body).group(0)  # sign-up finishes from the mailed link
    client.post(link, {"new_password1": "a long passphrase 42", "new_password2": "a long passphrase 42"})
    names = list(Field.objects.filter(owner__username="newbie").values_list("name", flat=True))
    assert len(names) >= 10
    assert names[0] == "IT"
    assert "金融" in names


def test_adding_a_field(auth_client, user):
    response = auth_client.post(reverse("contacts:field_list"), {"name": "  宇宙  "})
    assert response.status_code == 302
    assert Field.objects.filter(owner=user, name="宇宙").exists()


def test_duplicate_or_empty_field_names_are_refused(auth_client, user):
    make_field(owner=user, name="IT")
    response = auth_client.post(reverse("contacts:field_list"), {"name": "ＩＴ"})  # full-width folds to IT
    assert response.status_code == 200
    assert Field.objects.filter(owner=user).count() == 1
    assert auth_client.post(reverse("contacts:field_list"), {"name": "   "}).status_code == 200
    assert auth_client.post(reverse("contacts:field_list"), {"name": "x" * 61}).status_code == 200
    assert Field.objects.filter(owner=user).count() == 1


def test_renaming_a_field_updates_search(auth_client, user):
    field = make_field(owner=user, name="IT")
    make_person(owner=user, fields=[field])
    auth_client.post(reverse("contacts:field_edit", args=[field.pk]), {"name": "情報技術"})
    response = auth_client.get(reverse("contacts:person_list"), {"q": "情報技術"})
    assert response.context["page"].paginator.count == 1


def test_renaming_to_an_existing_name_is_refused(auth_client, user):
    make_field(owner=user, name="IT")
    design = make_field(owner=user, name="Design")
    auth_client.post(reverse("contacts:field_edit", args=[design.pk]), {"name": "IT"})
    design.refresh_from_db()
    assert design.name == "Design"


def test_moving_fields_changes_their_order(auth_client, user):
    a = make_field(owner=user, name="A", position=0)
    b = make_field(owner=user, name="B", position=1)
    auth_client.post(reverse("contacts:field_edit", args=[b.pk]), {"move": "up"})
    assert list(Field.objects.filter(owner=user).values_list("name", flat=True)) == ["B", "A"]
    a.refresh_from_db()
    assert a.position == 1


def test_deleting_a_field_keeps_the_people(auth_client, user):
    field = make_field(owner=user, name="IT")
    person = make_person(owner=user, fields=[field])
    auth_client.post(reverse("contacts:field_delete", args=[field.pk]))
    assert Person.objects.filter(pk=person.pk).exists()
    assert not Field.objects.filter(pk=field.pk).exists()


def test_tags_can_be_renamed_and_deleted(auth_client, user):
    tag = make_tag(owner=user, name="golf")
    person = make_person(owner=user, tags=[tag])
    auth_client.post(reverse("contacts:tag_edit", args=[tag.pk]), {"name": "ゴルフ"})
    tag.refresh_from_db()
    assert tag.name == "ゴルフ"
    auth_client.post(reverse("contacts:tag_delete", args=[tag.pk]))
    assert person.tags.count() == 0


def test_another_users_field_cannot_be_renamed(auth_client, user):
    stranger = make_user()
    field = make_field(owner=stranger, name="Secret")
    assert auth_client.post(reverse("contacts:field_edit", args=[field.pk]), {"name": "pwned"}).status_code == 404
    field.refresh_from_db()
    assert field.name == "Secret"


def test_field_page_query_count_is_fixed(auth_client, user, django_assert_max_num_queries):
    for i in range(3):
        make_field(owner=user, name=f"F{i}")
    with django_assert_max_num_queries(6):
        auth_client.get(reverse("contacts:field_list"))
    for i in range(20):
        make_field(owner=user, name=f"G{i}")
        make_tag(owner=user, name=f"T{i}")
    with django_assert_max_num_queries(6):
        auth_client.get(reverse("contacts:field_list"))


@pytest.mark.parametrize(
    ("language", "field_count", "download"),
    [("en", "1,234 people", "Download all 1,234 people."), ("ja", "1,234人", "1,234人すべてをダウンロードできます。")],
)
def test_large_counts_in_running_text_have_thousands_separators(auth_client, user, language, field_count, download):
    field = make_field(owner=user, name="金融")
    people = Person.objects.bulk_create(Person(owner=user, family_name=f"人{i}") for i in range(1234))
    Person.fields.through.objects.bulk_create(Person.fields.through(person_id=p.pk, field_id=field.pk) for p in people)
    fields_page = auth_client.get(reverse("contacts:field_list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert field_count in fields_page
    transfer_page = auth_client.get(reverse("transfer:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert download in transfer_page
