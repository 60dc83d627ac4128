"""Duplicates in the preview: a choice per row (merge, skip, create), a default for the rest,
and people who appear twice in the same file."""

import re

import pytest
from django.urls import reverse

from contacts.models import ContactPoint, Person
from tests.factories import make_person
from tests.transfer.helpers import fixture, import_file
from transfer import services
from transfer.models import ImportJob, ImportStatus, RowKind

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def _rows(job) -> dict[int, object]:
    return {row.line: row for row in job.rows.select_related("match_row")}


# --- the same person twice in one file ---


def test_repeats_in_a_vcard_file_point_at_their_first_line(user):
    job = services.start_import(owner=user, filename="r.vcf", data=fixture("repeats_3.0.vcf"))
    rows = _rows(job)
    assert {line: row.kind for line, row in rows.items()} == {
        1: "new", 11: "new", 20: "duplicate", 30: "new", 36: "duplicate", 45: "duplicate",
    }  # fmt: skip
    assert (rows[20].match_row.line, rows[20].match_reason) == (1, "email")
    assert (rows[36].match_row.line, rows[36].match_reason) == (30, "name")
    # Its mobile number is the one line 20 brought in: the same person as line 1.
    assert (rows[45].match_row.line, rows[45].match_reason) == (1, "phone")
    assert all(row.match_id is None for row in rows.values())


def test_colleagues_sharing_an_office_phone_and_fax_are_not_repeats(user):
    job = services.start_import(owner=user, filename="e.csv", data=fixture("eight_repeats.csv"))
    rows = sorted(job.rows.all(), key=lambda row: row.line)
    assert [(row.values["family_name"], row.kind) for row in rows] == [
        ("木村", "new"), ("中村", "new"), ("木村", "duplicate"),
    ]  # fmt: skip
    assert rows[2].match_row_id == rows[0].pk and rows[2].match_reason == "email"


def test_repeats_are_merged_into_one_person_by_default(user):
    job = import_file(user, "repeats_3.0.vcf")
    assert (job.status, job.created_count, job.merged_count, job.skipped_count) == ("done", 3, 3, 0)
    assert Person.objects.filter(owner=user).count() == 3
    yamada = Person.objects.get(owner=user, family_name="山田")
    assert (yamada.title, yamada.family_reading, yamada.notes) == ("課長", "やまだ", "二度目の名刺交換。")
    points = sorted(yamada.contact_points.values_list("kind", "normalized"))
    assert points == [("email", "taro@sample.example.jp"), ("mobile", "+819011112222"), ("phone", "+81312345678")]
    suzuki = Person.objects.get(owner=user, family_name="鈴木")
    assert suzuki.family_reading == "すずき" and suzuki.contact_points.get().value == "ichiro@suzuki.example.jp"


def test_eight_repeat_keeps_the_first_exchange_and_adds_the_new_mobile(user):
    import_file(user, "eight_repeats.csv")
    kimura = Person.objects.get(owner=user, family_name="木村")
    assert kimura.company == "株式会社テスト" and str(kimura.first_met_on) == "2023-04-01"
    assert ("mobile", "+818022223333") in set(kimura.contact_points.values_list("kind", "normalized"))
    assert Person.objects.filter(owner=user).count() == 2


def test_a_repeat_of_someone_already_here_is_a_duplicate_of_that_person(user):
    taro = make_person(owner=user, family_name="山田", given_name="太郎", company="株式会社サンプル")
    job = services.start_import(owner=user, filename="r.vcf", data=fixture("repeats_3.0.vcf"))
    rows = _rows(job)
    assert (rows[1].kind, rows[1].match_id) == ("duplicate", taro.pk)
    assert (rows[20].match_id, rows[20].match_row_id, rows[20].match_reason) == (taro.pk, None, "name")
    assert rows[45].match_id == taro.pk
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    assert Person.objects.filter(owner=user, family_name="山田").count() == 1


def test_a_repeat_can_be_created_as_a_new_person_or_skipped(user):
    job = services.start_import(owner=user, filename="r.vcf", data=fixture("repeats_3.0.vcf"))
    rows = _rows(job)
    assert services.set_row_action(row=rows[36], action="create")
    assert services.set_row_action(row=rows[45], action="skip")
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    job.refresh_from_db()
    assert (job.created_count, job.merged_count, job.skipped_count) == (4, 1, 1)
    assert Person.objects.filter(owner=user, family_name="鈴木").count() == 2
    assert not Person.objects.filter(owner=user, family_name="Yamada").exists()


def test_the_preview_shows_repeats_with_the_line_they_repeat(auth_client, user):
    job = services.start_import(owner=user, filename="r.vcf", data=fixture("repeats_3.0.vcf"))
    page = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'id="import-duplicates"' in page
    assert "line 1 of this file" in page and "line 30 of this file" in page
    assert "3 of them repeat an earlier line of this file" in page


# --- a choice per duplicate row ---


def _three_duplicates(user):
    for family in ("伊藤", "渡辺"):
        make_person(owner=user, family_name=family, given_name="")
    data = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{family};{given};;;\r\nEMAIL:{i}@example.jp\r\nEND:VCARD\r\n"
        for i, (family, given) in enumerate([("伊藤", ""), ("渡辺", ""), ("新人", "一"), ("鈴木", "")])
    ).encode()
    make_person(owner=user, family_name="鈴木", given_name="")
    job = services.start_import(owner=user, filename="d.vcf", data=data)
    return job, {row.values["family_name"]: row for row in job.rows.filter(kind=RowKind.DUPLICATE)}


def _row_url(job, row):
    return reverse("transfer:import_row_action", args=[job.pk, row.pk])


def test_each_duplicate_can_be_merged_skipped_or_created(auth_client, user):
    job, rows = _three_duplicates(user)
    response = auth_client.post(_row_url(job, rows["渡辺"]), {"action": "skip"}, **HTMX)
    assert response.status_code == 200
    assert f'id="import-row-{rows["渡辺"].pk}"' in response.text and "<html" not in response.text
    assert 'value="skip" checked' in response.text and "own choice" in response.text
    auth_client.post(_row_url(job, rows["鈴木"]), {"action": "create"}, **HTMX)
    auth_client.post(reverse("transfer:import_confirm", args=[job.pk]), {"duplicates": "merge"})
    job.refresh_from_db()
    assert (job.created_count, job.merged_count, job.skipped_count) == (2, 1, 1)
    assert Person.objects.filter(owner=user, family_name="鈴木").count() == 2
    assert ContactPoint.objects.filter(person__family_name="伊藤").count() == 1  # merged
    assert not ContactPoint.objects.filter(person__family_name="渡辺").exists()  # skipped


def test_the_choices_survive_leaving_and_coming_back(auth_client, user):
    job, rows = _three_duplicates(user)
    auth_client.post(_row_url(job, rows["渡辺"]), {"action": "create"}, **HTMX)
    auth_client.post(reverse("transfer:import_duplicates", args=[job.pk]), {"duplicates": "skip"}, **HTMX)
    page = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    row_html = page.split(f'id="import-row-{rows["渡辺"].pk}"')[1].split("</li>")[0]
    assert 'value="create" checked' in row_html
    other_html = page.split(f'id="import-row-{rows["伊藤"].pk}"')[1].split("</li>")[0]
    assert 'value="skip" checked' in other_html  # follows the new default
    default = page.split('id="import-duplicates"')[0]
    assert re.search(r'name="duplicates" value="skip"[^>]*checked', default)  # the default itself


def test_apply_to_all_drops_the_rows_own_choices(auth_client, user):
    job, rows = _three_duplicates(user)
    auth_client.post(_row_url(job, rows["渡辺"]), {"action": "create"}, **HTMX)
    response = auth_client.post(
        reverse("transfer:import_duplicates", args=[job.pk]), {"duplicates": "skip", "apply_to_all": "on"}, **HTMX
    )
    assert response.status_code == 200 and 'id="import-duplicates"' in response.text
    assert set(job.rows.filter(kind=RowKind.DUPLICATE).values_list("action", flat=True)) == {""}
    job.refresh_from_db()
    assert job.duplicate_action == "skip"
    services.confirm_import(job=job, duplicate_action=job.duplicate_action, background=False)
    job.refresh_from_db()
    assert (job.created_count, job.skipped_count) == (1, 3)


def test_without_htmx_the_choices_redirect_back_to_the_preview(auth_client, user):
    job, rows = _three_duplicates(user)
    response = auth_client.post(_row_url(job, rows["伊藤"]), {"action": "skip"})
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    rows["伊藤"].refresh_from_db()
    assert rows["伊藤"].action == "skip"


def test_a_forged_row_is_a_404_and_nothing_is_saved(auth_client, user, other_user):
    job, rows = _three_duplicates(user)
    mine_other_job, my_other_rows = _three_duplicates(user)
    theirs, their_rows = _three_duplicates(other_user)
    # A row of another of my imports, under this import's address.
    assert auth_client.post(_row_url(job, my_other_rows["伊藤"]), {"action": "skip"}).status_code == 404
    # Another user's row, under my import and under theirs.
    assert auth_client.post(_row_url(job, their_rows["伊藤"]), {"action": "skip"}).status_code == 404
    assert auth_client.post(_row_url(theirs, their_rows["伊藤"]), {"action": "skip"}).status_code == 404
    # A row that is not a duplicate.
    new_row = job.rows.get(kind=RowKind.NEW)
    assert auth_client.post(_row_url(job, new_row), {"action": "skip"}).status_code == 404
    # Another user's default.
    url = reverse("transfer:import_duplicates", args=[theirs.pk])
    assert auth_client.post(url, {"duplicates": "skip", "apply_to_all": "on"}).status_code == 404
    assert set(ImportJob.objects.values_list("duplicate_action", flat=True)) == {"merge"}
    assert set(ImportJob.objects.values_list("rows__action", flat=True)) == {""}


def test_an_unknown_choice_is_refused_and_changes_nothing(auth_client, user):
    job, rows = _three_duplicates(user)
    response = auth_client.post(_row_url(job, rows["伊藤"]), {"action": "delete"}, **HTMX)
    assert response.status_code == 400
    response = auth_client.post(reverse("transfer:import_duplicates", args=[job.pk]), {"duplicates": "x"}, **HTMX)
    assert response.status_code == 400
    job.refresh_from_db()
    assert job.duplicate_action == "merge" and not job.rows.exclude(action="").exists()


def test_a_choice_after_the_import_started_changes_nothing(auth_client, user):
    job, rows = _three_duplicates(user)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    response = auth_client.post(_row_url(job, rows["伊藤"]), {"action": "skip"}, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == job.get_absolute_url()
    response = auth_client.post(reverse("transfer:import_duplicates", args=[job.pk]), {"duplicates": "skip"}, **HTMX)
    assert response["HX-Redirect"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.duplicate_action == "merge" and not job.rows.exclude(action="").exists()
