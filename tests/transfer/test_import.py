"""The import pages: upload, preview, duplicates, column mapping, confirm, background runs, bad files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import ContactPoint, Person
from tests.factories import make_person
from tests.transfer.helpers import fixture, import_file
from transfer import services
from transfer.models import ImportJob, ImportStatus, RowKind

pytestmark = pytest.mark.django_db


def _upload(client, name: str, data: bytes, language: str = "en"):
    return client.post(
        reverse("transfer:import_upload"), {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE=language
    )


def _vcards(n: int, start: int = 0) -> bytes:
    cards = [
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:試験{i};太郎;;;\r\nX-PHONETIC-LAST-NAME:しけん\r\n"
        f"EMAIL:t{i}@example.jp\r\nEND:VCARD\r\n"
        for i in range(start, start + n)
    ]
    return "".join(cards).encode()


def test_upload_shows_a_preview_and_saves_nothing_yet(auth_client, user):
    response = _upload(auth_client, "iphone_3.0.vcf", fixture("iphone_3.0.vcf"))
    job = ImportJob.objects.get(owner=user)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    page = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'id="import-preview"' in page
    assert "山田 太郎" in page and "John Smith" in page
    assert "Line 36" in page and "takahashi@@example" in page
    assert Person.objects.filter(owner=user).count() == 0


def test_confirm_creates_the_people_and_reports_counts(auth_client, user):
    _upload(auth_client, "android_3.0.vcf", fixture("android_3.0.vcf"))
    job = ImportJob.objects.get(owner=user)
    response = auth_client.post(reverse("transfer:import_confirm", args=[job.pk]), {"duplicates": "merge"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    assert sorted(Person.objects.filter(owner=user).values_list("family_name", flat=True)) == ["伊藤", "渡辺"]
    person = Person.objects.get(owner=user, family_name="伊藤")
    assert person.sort_key == "いとうけんた"
    assert "itokenta" in person.search_text
    page = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert "2 people added" in page


def test_confirming_twice_imports_once(auth_client, user):
    _upload(auth_client, "android_3.0.vcf", fixture("android_3.0.vcf"))
    job = ImportJob.objects.get(owner=user)
    url = reverse("transfer:import_confirm", args=[job.pk])
    auth_client.post(url, {"duplicates": "merge"})
    auth_client.post(url, {"duplicates": "merge"})
    assert Person.objects.filter(owner=user).count() == 2


def test_same_email_phone_or_name_and_company_is_a_duplicate(user):
    by_email = make_person(owner=user, family_name="別名", given_name="", family_reading="", given_reading="")
    ContactPoint.objects.create(
        person=by_email, kind="email", value="kenta.ito@example.co.jp", normalized="kenta.ito@example.co.jp"
    )
    by_name = make_person(owner=user, family_name="渡辺", given_name="美咲", company="")
    job = services.start_import(owner=user, filename="a.vcf", data=fixture("android_3.0.vcf"))
    rows = {row.values["family_name"]: row for row in job.rows.all()}
    assert (rows["伊藤"].kind, rows["伊藤"].match_id, rows["伊藤"].match_reason) == ("duplicate", by_email.pk, "email")
    assert (rows["渡辺"].kind, rows["渡辺"].match_id, rows["渡辺"].match_reason) == ("duplicate", by_name.pk, "name")


def test_merge_fills_blanks_adds_contacts_and_keeps_what_is_there(user):
    person = make_person(owner=user, family_name="伊藤", given_name="健太", company="", title="所長", notes="古いメモ")
    ContactPoint.objects.create(person=person, kind="mobile", value="070-1111-2222", normalized="+817011112222")
    job = import_file(user, "android_3.0.vcf", duplicates="merge")
    assert (job.created_count, job.merged_count) == (1, 1)
    person.refresh_from_db()
    assert person.company == "伊藤税理士事務所"  # blank filled
    assert person.title == "所長"  # kept
    assert person.version == 2
    assert sorted(person.contact_points.values_list("normalized", flat=True)) == [
        "+817011112222",
        "kenta.ito@example.co.jp",
    ]
    assert "伊藤税理士事務所" in person.search_text.replace(" ", "")
    assert Person.objects.filter(owner=user, family_name="伊藤").count() == 1


def test_skip_leaves_the_existing_person_alone(user):
    person = make_person(owner=user, family_name="伊藤", given_name="健太", company="")
    ContactPoint.objects.create(person=person, kind="mobile", value="070-1111-2222", normalized="+817011112222")
    job = import_file(user, "android_3.0.vcf", duplicates="skip")
    assert (job.created_count, job.merged_count, job.skipped_count) == (1, 0, 1)
    person.refresh_from_db()
    assert (person.company, person.version) == ("", 1)


def test_importing_the_same_file_again_finds_everyone_already_there(user):
    import_file(user, "eight_sjis.csv")
    job = services.start_import(owner=user, filename="again.csv", data=fixture("eight_sjis.csv"))
    assert set(job.rows.values_list("kind", flat=True)) == {RowKind.DUPLICATE}


def test_duplicates_are_only_looked_for_among_my_people(user, other_user):
    import_file(other_user, "android_3.0.vcf")
    job = services.start_import(owner=user, filename="a.vcf", data=fixture("android_3.0.vcf"))
    assert set(job.rows.values_list("kind", flat=True)) == {RowKind.NEW}


def test_new_import_announces_the_people(user, django_capture_on_commit_callbacks):
    from contacts.services import people_changed

    seen = []

    def listener(sender, owner_id, person_ids, **kwargs):
        seen.append((owner_id, person_ids))

    people_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_file(user, "android_3.0.vcf")
    finally:
        people_changed.disconnect(listener)
    assert seen == [(user.pk, sorted(Person.objects.filter(owner=user).values_list("pk", flat=True)))]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.vcf", b"", "empty"),
        ("blank.csv", b"  \r\n\r\n", "empty"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4, "not a text file"),
        ("junk.bin", bytes(range(128, 256)) * 40, "could not be read"),
        ("notes.txt", "ただのメモです。\n名刺ではありません。\n".encode(), "No header row"),
        ("header-only.csv", "氏名,会社名,e-mail\r\n".encode(), "no people"),
        ("backup.json", b'{"format": "jinmyaku-backup", "version": 1, "data": {}}', "backup"),
    ],
)
def test_a_file_that_cannot_be_imported_gets_a_clear_message_and_changes_nothing(
    auth_client, user, name, data, message
):
    response = _upload(auth_client, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0 and Person.objects.count() == 0


def test_the_message_is_in_the_users_language(auth_client, user):
    assert "ファイルが空です。" in _upload(auth_client, "blank.vcf", b" \r\n", language="ja").content.decode()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(auth_client, user, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 10)
    called = []
    monkeypatch.setattr(services, "decode", lambda data: called.append(data))
    response = _upload(auth_client, "big.vcf", _vcards(5))
    assert response.status_code == 200
    assert "MB" in response.content.decode()
    assert called == [] and ImportJob.objects.count() == 0


def test_a_request_larger_than_the_limit_is_refused_by_its_length(auth_client, user, monkeypatch):
    from transfer import views

    monkeypatch.setattr(views, "UPLOAD_OVERHEAD", 0)
    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 100)
    response = _upload(auth_client, "big.vcf", _vcards(20))
    assert response.status_code == 413
    assert ImportJob.objects.count() == 0


def test_more_cards_than_the_limit_are_refused(auth_client, user, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_ROWS", 3)
    response = _upload(auth_client, "many.vcf", _vcards(4))
    assert "more than 3 cards" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_generic_csv_asks_for_the_columns_then_previews(auth_client, user):
    _upload(auth_client, "generic.csv", fixture("generic.csv"))
    job = ImportJob.objects.get(owner=user)
    assert job.status == ImportStatus.MAPPING
    page = auth_client.get(job.get_absolute_url()).text
    assert 'id="import-mapping"' in page and "清水工務店" in page
    # The first guess, from the header words: お名前, ふりがな, 勤め先, メールアドレス, 電話番号, 備考.
    assert job.mapping == {"full_name": 0, "reading": 1, "company": 2, "email": 3, "phone": 4, "notes": 5}
    response = auth_client.post(
        reverse("transfer:import_mapping", args=[job.pk]),
        {"full_name": "0", "reading": "1", "company": "2", "email": "3", "phone": "4", "notes": "5"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW
    kinds = {row.line: row.kind for row in job.rows.exclude(kind=RowKind.RAW)}
    # A row without a name but with a company is kept, named after the company, with a warning.
    assert kinds == {2: "new", 3: "new", 4: "new"}
    assert [w["code"] for w in job.rows.get(line=4, kind=RowKind.NEW).data["warnings"]] == ["name_from"]
    auth_client.post(reverse("transfer:import_confirm", args=[job.pk]), {"duplicates": "merge"})
    naoto = Person.objects.get(owner=user, family_name="清水")
    assert (naoto.given_name, naoto.family_reading, naoto.given_reading, naoto.notes) == (
        "直人", "しみず", "なおと", "リフォームの相談",
    )  # fmt: skip
    assert Person.objects.get(owner=user, company="Lee & Co").display_name == "Sarah Lee"
    assert Person.objects.get(owner=user, company="名前のない会社").family_name == "名前のない会社"


def test_mapping_without_a_name_column_is_refused(auth_client, user):
    _upload(auth_client, "generic.csv", fixture("generic.csv"))
    job = ImportJob.objects.get(owner=user)
    response = auth_client.post(reverse("transfer:import_mapping", args=[job.pk]), {"company": "2"})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.text
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING


def test_changing_the_columns_goes_back_to_the_mapping(auth_client, user):
    _upload(auth_client, "generic.csv", fixture("generic.csv"))
    job = ImportJob.objects.get(owner=user)
    auth_client.post(reverse("transfer:import_mapping", args=[job.pk]), {"full_name": "0"})
    auth_client.post(reverse("transfer:import_remap", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING
    assert set(job.rows.values_list("kind", flat=True)) == {RowKind.RAW}


def test_a_big_file_is_saved_by_the_worker_after_commit(
    auth_client, user, monkeypatch, django_capture_on_commit_callbacks
):
    from transfer import tasks

    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 2)
    sent = []
    monkeypatch.setattr(tasks.run_import_task, "apply_async", lambda args, **kwargs: sent.append(tuple(args)))
    _upload(auth_client, "cards.vcf", _vcards(3))
    job = ImportJob.objects.get(owner=user)
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(reverse("transfer:import_confirm", args=[job.pk]), {"duplicates": "merge"})
    assert sent == [(job.pk,)]
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and Person.objects.count() == 0
    progress = auth_client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-progress")
    assert 'id="import-progress"' in progress.text and "hx-get" in progress.text and "<progress" in progress.text

    tasks.run_import_task.run(job.pk)
    tasks.run_import_task.run(job.pk)  # delivered twice: the second run finds the job taken
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 3)
    assert Person.objects.filter(owner=user).count() == 3
    assert not job.rows.exists()  # saved rows are not kept twice
    done = auth_client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-progress")
    assert "hx-get" not in done.text


def test_a_failure_while_saving_saves_nothing_and_says_so(user, monkeypatch):
    job = services.start_import(owner=user, filename="a.vcf", data=_vcards(5))

    def broken(owner, duplicates):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_merge_people", broken)
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "nothing was saved" in job.message
    assert Person.objects.count() == 0 and ContactPoint.objects.count() == 0


def test_discarding_a_preview_deletes_its_rows(auth_client, user):
    _upload(auth_client, "a.vcf", fixture("android_3.0.vcf"))
    job = ImportJob.objects.get(owner=user)
    auth_client.post(reverse("transfer:import_delete", args=[job.pk]))
    assert not ImportJob.objects.exists()
    assert Person.objects.count() == 0


def test_a_running_import_cannot_be_discarded(auth_client, user):
    job = ImportJob.objects.create(owner=user, filename="a.vcf", format="vcard", status=ImportStatus.RUNNING)
    auth_client.post(reverse("transfer:import_delete", args=[job.pk]))
    assert ImportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("url_name", ["transfer:import_detail", "transfer:index"])
def test_preview_and_index_run_a_fixed_number_of_queries(auth_client, user, url_name):
    counts = []
    for size in (3, 60):
        job = services.start_import(owner=user, filename=f"{size}.vcf", data=_vcards(size, start=1000 * size))
        for i in range(size):
            make_person(owner=user, family_name=f"既存{size}-{i}") if i < 3 else None
        url = reverse(url_name, args=[job.pk]) if url_name == "transfer:import_detail" else reverse(url_name)
        with CaptureQueriesContext(connection) as queries:
            assert auth_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_recent_imports_list_only_mine(auth_client, user, other_user):
    mine = services.start_import(owner=user, filename="mine.vcf", data=_vcards(1))
    services.start_import(owner=other_user, filename="theirs.vcf", data=_vcards(1))
    page = auth_client.get(reverse("transfer:index")).text
    assert mine.get_absolute_url() in page and "theirs.vcf" not in page


def test_import_command_imports_each_file_and_reports_invalid_lines(user, capsys, monkeypatch):
    from django.core.management import call_command

    from tests.transfer.helpers import FIXTURES

    # Files the web would leave to the worker: the command reads them itself.
    monkeypatch.setattr(services, "READ_HERE_BYTES", 10)

    call_command(
        "import_contacts", str(FIXTURES / "iphone_3.0.vcf"), str(FIXTURES / "eight_sjis.csv"), user=user.username
    )
    out, err = capsys.readouterr()
    assert "iphone_3.0.vcf: 3 created, 0 merged, 0 skipped, 0 refused" in out
    assert "e-mail left out: 1" in out
    assert "eight_sjis.csv: 2 created" in out
    assert "iphone_3.0.vcf:36:" in err and "takahashi@@example" in err
    assert Person.objects.filter(owner=user).count() == 5


def test_import_command_refuses_an_unknown_user_and_a_bad_file(user, tmp_path):
    from django.core.management import CommandError, call_command

    junk = tmp_path / "junk.vcf"
    junk.write_bytes(b"")
    with pytest.raises(CommandError, match="No user"):
        call_command("import_contacts", str(junk), user="nobody")
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_contacts", str(junk), user=user.username)
    assert Person.objects.count() == 0


def test_the_index_states_the_limits(auth_client):
    page = auth_client.get(reverse("transfer:index"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Up to 20 MB and 20,000 people per file" in page
