"""One home for person rules: the person form, a capture row, an import and a merge share the
same limits, measured after the normalisation the save applies, and text over a limit is refused
(never cut) with all of it kept in the field."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from contacts import rules, services
from contacts.forms import CaptureRowForm, PersonForm
from contacts.models import NOTES_MAX_LENGTH, Field, Meeting, Person, Tag
from tests.factories import make_event, make_field, make_person, make_tag
from transfer import services as transfer_services
from transfer.cards import Card, clean_card
from transfer.models import ImportRow

pytestmark = pytest.mark.django_db

EXPANDING = "㍿"  # NFKC: 株式会社, four characters


def person_data(**overrides) -> dict:
    return {
        "family_name": "山田",
        "given_name": "太郎",
        "tier": "acquaintance",
        "i_want_to_meet_again": "unknown",
        "they_want_to_meet_again": "unknown",
    } | overrides


def vcard(*, org="", note="", categories="", name="山田;太郎") -> bytes:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{name};;;", f"FN:{name.replace(';', ' ')}"]
    if org:
        lines.append(f"ORG:{org}")
    if note:
        lines.append(f"NOTE:{note}")
    if categories:
        lines.append(f"CATEGORIES:{categories}")
    lines.append("END:VCARD")
    return ("\r\n".join(lines) + "\r\n").encode()


def form_inputs(html: str, form_class) -> list[str]:
    """The <input> and <textarea> tags of the form's own fields."""
    names = set(form_class.base_fields)
    tags = re.findall(r"<(?:input|textarea)\b[^>]*>", html)
    return [tag for tag in tags if (m := re.search(r'name="(\w+)"', tag)) and m.group(1) in names]


def import_vcard(owner, data: bytes, duplicates="merge"):
    job = transfer_services.start_import(owner=owner, filename="a.vcf", data=data)
    rows = list(job.rows.values_list("kind", "data"))
    transfer_services.confirm_import(job=job, duplicate_action=duplicates, background=False)
    job.refresh_from_db()
    return job, rows


# --- One limit, measured after NFKC --------------------------------------------------


def test_a_field_name_that_grows_under_nfkc_is_refused_with_a_message(auth_client, user):
    response = auth_client.post(reverse("contacts:field_list"), {"name": EXPANDING * 60})
    assert response.status_code == 200
    assert "field__error" in response.text or "form-errors" in response.text
    assert not Field.objects.filter(owner=user, name__startswith="株式会社").exists()


@pytest.mark.parametrize("kind", ["field", "tag"])
def test_renaming_to_a_name_that_grows_under_nfkc_is_refused(auth_client, user, kind):
    obj = make_field(owner=user, name="IT") if kind == "field" else make_tag(owner=user, name="golf")
    response = auth_client.post(reverse(f"contacts:{kind}_edit", args=[obj.pk]), {"name": EXPANDING * 60}, follow=True)
    assert response.status_code == 200
    obj.refresh_from_db()
    assert obj.name in ("IT", "golf")
    assert "240" in response.text  # the message says how long it became


def test_a_name_that_fits_after_nfkc_is_stored_normalised(auth_client, user):
    response = auth_client.post(reverse("contacts:field_list"), {"name": EXPANDING * 15})
    assert response.status_code == 302
    assert Field.objects.filter(owner=user, name="株式会社" * 15).exists()


def test_the_person_form_measures_names_after_nfkc(user):
    form = PersonForm(person_data(family_name=EXPANDING * 30), owner=user)
    assert not form.is_valid()
    assert "family_name" in form.errors
    assert "120" in form.errors["family_name"][0]


def test_the_person_form_stores_half_width_kana_as_full_width(user):
    form = PersonForm(person_data(family_reading="ﾔﾏﾀﾞ", given_name="Ｔａｒｏ"), owner=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["family_reading"] == "ヤマダ"
    assert form.cleaned_data["given_name"] == "Taro"


def test_form_import_and_model_share_one_limit_per_field(user):
    for name in ("company", "title", "what_they_do", "what_they_want", "address"):
        form_limit = PersonForm(owner=user).fields[name].max_length
        assert form_limit == Person._meta.get_field(name).max_length == rules.limit(Person, name)
    assert CaptureRowForm(owner=user).fields["company"].max_length == rules.limit(Person, "company")
    assert CaptureRowForm(owner=user).fields["memo"].max_length == rules.limit(Meeting, "summary")


def test_control_characters_in_person_text_are_refused_with_a_message(user):
    form = PersonForm(person_data(company="ACME\x01"), owner=user)
    assert not form.is_valid()
    with translation.override("en"):
        assert "control characters" in form.errors["company"][0]


# --- Over the limit: refused, kept in the field, never cut ---------------------------------


def test_notes_over_the_limit_come_back_in_full_with_a_message(auth_client, user):
    notes = "あ" * (NOTES_MAX_LENGTH + 5)
    response = auth_client.post(reverse("contacts:person_create"), person_data(notes=notes))
    assert response.status_code == 200
    assert notes in response.text
    assert "field__error" in response.text
    assert not Person.objects.exists()


def test_the_person_form_carries_each_limit_without_a_cutting_maxlength(auth_client):
    response = auth_client.get(reverse("contacts:person_create"))
    html = response.text
    assert f'data-maxlength="{NOTES_MAX_LENGTH}"' in html
    assert 'name="what_they_do"' in html and 'data-maxlength="500" data-counter' in html
    # A browser cuts pasted text at maxlength without a word.
    assert not [tag for tag in form_inputs(html, PersonForm) if " maxlength=" in tag]


def test_an_800_character_capture_memo_is_saved_in_full(auth_client, user):
    event = make_event(owner=user)
    memo = ("長いメモ。" * 160)[:800]
    response = auth_client.post(
        reverse("contacts:capture_row", args=[event.pk]), {"name": "山田 太郎", "memo": memo}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Meeting.objects.get().summary == memo


def test_the_capture_row_carries_its_limits(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.get(reverse("contacts:capture") + f"?event={event.pk}")
    assert f'data-maxlength="{NOTES_MAX_LENGTH}"' in response.text
    assert not [tag for tag in form_inputs(response.text, CaptureRowForm) if " maxlength=" in tag]


# --- Tags: one rule, and a form never writes ------------------------------------------------


def test_a_tag_over_its_limit_is_refused_by_the_form(user):
    form = PersonForm(person_data(tags_text="a" * 61), owner=user)
    assert not form.is_valid()
    assert "tags_text" in form.errors


def test_the_person_form_creates_no_tags(user):
    form = PersonForm(person_data(tags_text="新しいタグ, golf"), owner=user)
    assert form.is_valid(), form.errors
    assert not hasattr(form, "tags")
    assert not Tag.objects.exists()
    assert form.tag_names() == ["新しいタグ", "golf"]


def test_saving_the_person_form_creates_its_new_tags_through_the_service(auth_client, user):
    make_tag(owner=user, name="golf")
    response = auth_client.post(reverse("contacts:person_create"), person_data(tags_text="新しいタグ, golf"))
    assert response.status_code == 302
    person = Person.objects.get()
    assert sorted(t.name for t in person.tags.all()) == ["golf", "新しいタグ"]
    assert Tag.objects.filter(owner=user).count() == 2


def test_clean_card_keeps_a_tag_over_the_limit_in_the_notes_instead_of_cutting_it(user):
    long_tag = "t" * 70
    card = clean_card(Card(line=1, family_name="山田", tags=["golf", long_tag]))
    assert not card.errors
    assert card.tags == ["golf"]
    assert long_tag in card.values["notes"]
    assert card.warnings


def test_clean_card_keeps_tags_beyond_the_limit_in_the_notes(user):
    tags = [f"tag{i}" for i in range(25)]
    card = clean_card(Card(line=1, family_name="山田", tags=tags))
    assert not card.errors
    assert card.tags == tags[: rules.MAX_TAGS]
    assert all(tag in card.values["notes"] for tag in tags[rules.MAX_TAGS :])


def test_clean_card_measures_tags_after_nfkc_like_the_form(user):
    card = clean_card(Card(line=1, family_name="山田", tags=[EXPANDING * 20]))
    assert card.tags == []
    form = PersonForm(person_data(tags_text=EXPANDING * 20), owner=user)
    assert not form.is_valid()


# --- Imports: one bad field never drops the row ------------------------------------------


def test_an_imported_company_over_its_limit_keeps_the_row_and_the_text(user):
    company = "株式会社" + "長" * 250
    job, rows = import_vcard(user, vcard(org=company))
    assert rows[0][0] == "new"
    assert [w["code"] for w in rows[0][1]["warnings"]] == ["too_long_kept"]
    person = Person.objects.get(owner=user)
    assert person.company == ""
    assert company in person.notes
    assert job.created_count == 1


def test_the_preview_shows_what_was_moved_to_the_notes(auth_client, user):
    job = transfer_services.start_import(owner=user, filename="a.vcf", data=vcard(org="長" * 250))
    response = auth_client.get(job.get_absolute_url())
    assert 'id="import-warnings"' in response.text
    assert "kept in full in the notes" in response.text or "メモ" in response.text


def test_imported_notes_over_the_limit_keep_the_row(user):
    job, rows = import_vcard(user, vcard(note="n" * (NOTES_MAX_LENGTH + 1)))
    assert rows[0][0] == "new" and [w["code"] for w in rows[0][1]["warnings"]] == ["too_long"]
    assert Person.objects.get(owner=user).family_name == "山田"


# --- One merge rule ---------------------------------------------------------------------


def test_merging_people_whose_notes_together_are_too_long_is_refused(auth_client, user):
    keep = make_person(owner=user, notes="k" * 6000)
    other = make_person(owner=user, family_name="山本", notes="o" * 6000)
    response = auth_client.post(reverse("contacts:person_merge", args=[keep.pk]), {"other": other.pk})
    assert response.status_code == 200
    assert "form-errors" in response.text
    keep.refresh_from_db()
    assert keep.notes == "k" * 6000
    assert Person.objects.filter(pk=other.pk).exists()


def test_merged_notes_that_fit_are_joined(user):
    keep = make_person(owner=user, notes="first")
    other = make_person(owner=user, family_name="山本", notes="second")
    keep = services.merge_people(keep=keep, other=other)
    assert keep.notes == "first\n\nsecond"


def test_an_import_merge_follows_the_person_merge_rule(user):
    person = make_person(owner=user, company="ACME", first_met_on=datetime.date(2024, 5, 1))
    data = vcard(org="ACME", note="met at the fair").replace(b"END:VCARD", b"BDAY:2000-01-02\r\nEND:VCARD")
    import_vcard(user, data)
    person.refresh_from_db()
    assert person.notes == "met at the fair"
    assert person.birthday == datetime.date(2000, 1, 2)
    assert Person.objects.filter(owner=user).count() == 1


def test_an_import_merge_never_cuts_notes(user):
    person = make_person(owner=user, company="ACME", notes="k" * 9000)
    job, rows = import_vcard(user, vcard(org="ACME", note="o" * 2000))
    assert rows[0][0] == "duplicate"
    assert [w["code"] for w in rows[0][1]["warnings"]] == ["notes_not_merged"]  # the preview warned
    person.refresh_from_db()
    assert person.notes == "k" * 9000  # left out, not cut
    assert len(person.notes) <= NOTES_MAX_LENGTH


def test_merge_card_takes_the_earlier_first_meeting_for_both_kinds_of_merge(user):
    keep = Person(first_met_on=datetime.date(2025, 1, 1), notes="")
    rules.merge_card(keep, {"first_met_on": datetime.date(2024, 1, 1)})
    assert keep.first_met_on == datetime.date(2024, 1, 1)


def test_import_rows_keep_their_warnings_for_the_preview(user):
    job = transfer_services.start_import(owner=user, filename="a.vcf", data=vcard(org="長" * 250))
    row = ImportRow.objects.get(job=job)
    assert row.kind == "new" and row.warnings


def test_every_form_that_writes_a_meeting_summary_shares_its_limit(user):
    from followups.forms import DoneForm

    assert DoneForm().fields["summary"].max_length == rules.limit(Meeting, "summary")


def test_the_profile_form_carries_its_limits_without_a_cutting_maxlength(auth_client):
    from insights.forms import ProfileForm

    html = auth_client.get(reverse("insights:goals")).text
    assert 'data-maxlength="500"' in html
    assert not [tag for tag in form_inputs(html, ProfileForm) if " maxlength=" in tag]
