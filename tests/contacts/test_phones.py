"""The one phone rule (contacts.phones) and the person form that uses it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from contacts.forms import PhoneField
from contacts.models import Person
from contacts.phones import read_phone, typed_phone
from tests.factories import make_person


@pytest.mark.parametrize(
    ("written", "display", "normalized", "mobile"),
    [
        ("03(1234)5678 内線12", "03-1234-5678 内線12", "+81312345678;ext=12", False),
        ("０３（１２３４）５６７８　内線１２", "03-1234-5678 内線12", "+81312345678;ext=12", False),
        ("０９０－１２３４－５６７８", "090-1234-5678", "+819012345678", True),
        ("090ー1234ー5678", "090-1234-5678", "+819012345678", True),  # the long-vowel mark typed for a hyphen
        ("+81 90-1234-5678", "090-1234-5678", "+819012345678", True),
        ("03-1234-5678 ext. 5", "03-1234-5678 内線5", "+81312345678;ext=5", False),
        ("03-1234-5678 x5", "03-1234-5678 内線5", "+81312345678;ext=5", False),
        ("+1 650 555 1212", "+1 650-555-1212", "+16505551212", False),
        ("+1 (650) 555-1212 ext. 33", "+1 650-555-1212 ext. 33", "+16505551212;ext=33", False),
        ("+44 (0)20 7946 0958", "+44 20 7946 0958", "+442079460958", False),
        ("tel:+81-3-1234-5678", "03-1234-5678", "+81312345678", False),
    ],
)
def test_japanese_and_international_numbers_are_verified(written, display, normalized, mobile):
    phone = read_phone(written)
    assert (phone.display, phone.normalized, phone.mobile, phone.verified) == (display, normalized, mobile, True)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("905-555-1234", "9055551234"),  # never 090-5555-1234
        ("123456789", "123456789"),  # never 0123-45-6789
        ("(650) 555-1212", "6505551212"),  # a US number without +1 is not Japanese
        ("0300000000", "0300000000"),  # starts with 0 but is no valid number
        ("+1-800-MYFAX", "1800"),  # letters never become digits
        ("+1-800-FLOWERS", "1800"),
        ("受付で呼び出し", "受付で呼び出し"),
    ],
)
def test_anything_else_is_kept_exactly_as_written_and_unverified(written, normalized):
    phone = read_phone(written)
    assert (phone.display, phone.normalized, phone.verified) == (written, normalized, False)


def test_a_file_that_names_the_country_never_adds_a_digit():
    assert read_phone("(650) 555-1212", region="US").normalized == "+16505551212"
    assert read_phone("905-555-1234", region="JP").verified is False
    assert read_phone("03-1234-5678;phone-context=+81").normalized == "+81312345678"


@translation.override("en")
def test_typed_numbers_that_cannot_be_checked_get_a_message_saying_how_to_write_them():
    with pytest.raises(ValidationError, match="Start a Japanese number with 0"):
        typed_phone("905-555-1234")
    with pytest.raises(ValidationError, match="not a phone number"):
        typed_phone("受付で呼び出し")
    with pytest.raises(ValidationError, match="at most 60"):
        typed_phone("0" * 61)
    assert typed_phone("905-555-1234", known={"905-555-1234"}).verified is False


def test_phone_field_for_the_capture_row_uses_the_same_rule():
    field = PhoneField(required=False)
    assert field.clean("03(1234)5678 内線12").display == "03-1234-5678 内線12"
    assert field.clean("") is None
    with pytest.raises(ValidationError):
        field.clean("905-555-1234")
    assert 'type="tel"' in field.widget.render("phone", "")


def _post(client, url, **data):
    base = {"family_name": "山田", "given_name": "太郎", "tier": "acquaintance", "i_want_to_meet_again": "unknown",
            "they_want_to_meet_again": "unknown"}  # fmt: skip
    return client.post(url, base | data)


def test_person_form_accepts_a_foreign_number_and_an_extension(auth_client, user):
    response = _post(auth_client, reverse("contacts:person_create"), phones="+1 650 555 1212\n03(1234)5678 内線12")
    assert response.status_code == 302, response.text[:2000]
    person = Person.objects.get(owner=user)
    assert sorted(p.value for p in person.contact_points.all()) == ["+1 650-555-1212", "03-1234-5678 内線12"]
    assert [p.family_name for p in Person.objects.filter(owner=user).search("03-1234-5678")] == ["山田"]


def test_person_form_refuses_an_unparseable_number_with_a_message_and_saves_nothing(auth_client, user):
    response = _post(auth_client, reverse("contacts:person_create"), phones="905-555-1234")
    assert response.status_code == 200
    assert "Start a Japanese number with 0" in response.text or "国内の番号は0から" in response.text
    assert "905-555-1234" in response.text  # what was typed stays in the field
    assert not Person.objects.filter(owner=user).exists()


def test_editing_a_person_keeps_an_imported_number_kept_as_written(auth_client, user):
    person = make_person(owner=user, family_name="山田", given_name="太郎")
    person.contact_points.create(kind="phone", value="+1-800-MYFAX", normalized="1800", label="Work")
    page = auth_client.get(reverse("contacts:person_detail", args=[person.pk])).text
    assert "+1-800-MYFAX" in page and ('href="tel:' not in page.split("+1-800-MYFAX")[0][-80:])
    response = _post(
        auth_client, reverse("contacts:person_edit", args=[person.pk]), phones="+1-800-MYFAX", version=person.version
    )
    assert response.status_code == 302, response.text[:2000]
    (point,) = person.contact_points.all()
    assert (point.value, point.is_unverified, point.label) == ("+1-800-MYFAX", True, "Work")
