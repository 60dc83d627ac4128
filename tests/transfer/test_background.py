"""Big files: read and checked by the worker, saved in batches, with progress the page can show."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from contacts.models import ContactPoint, Person
from transfer import progress, services, tasks
from transfer.models import ImportJob, ImportStatus, ImportUpload

pytestmark = pytest.mark.django_db

PROGRESS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "import-progress", "HTTP_ACCEPT_LANGUAGE": "en"}


def _vcards(n: int) -> bytes:
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:背景{i};太郎;;;\r\nEMAIL:b{i}@example.jp\r\nEND:VCARD\r\n" for i in range(n)
    ).encode()


@pytest.fixture
def read_later(monkeypatch):
    """Every upload counts as big: stored, then read by the worker."""
    monkeypatch.setattr(services, "READ_HERE_BYTES", 10)
    sent = []
    monkeypatch.setattr(tasks.read_import_task, "apply_async", lambda args, **kwargs: sent.append(tuple(args)))
    return sent


def _upload(client, name, data):
    return client.post(
        reverse("transfer:import_upload"), {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_a_big_upload_is_stored_and_read_by_the_worker(
    auth_client, user, read_later, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(auth_client, "big.vcf", _vcards(5))
    job = ImportJob.objects.get(owner=user)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert read_later == [(job.pk,)]
    assert job.status == ImportStatus.READING and not job.rows.exists()
    assert ImportUpload.objects.filter(job=job).exists()
    page = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'id="import-progress"' in page and "hx-get" in page and "Reading the file" in page

    tasks.read_import_task.run(job.pk)
    tasks.read_import_task.run(job.pk)  # delivered twice: the second finds the job taken
    job.refresh_from_db()
    assert (job.status, job.total, job.format) == (ImportStatus.PREVIEW, 5, "vcard")
    assert job.rows.count() == 5 and not ImportUpload.objects.exists()
    # The polling fragment sends the browser to the whole preview page.
    polled = auth_client.get(job.get_absolute_url(), **PROGRESS)
    assert polled["HX-Redirect"] == job.get_absolute_url()
    assert 'id="import-preview"' in auth_client.get(job.get_absolute_url()).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "not a text file"),
        (b"BEGIN:VCARD\r\n" + b"x" * 100, "more than"),
        ("氏名,会社\n".encode(), "header row but no people"),
    ],
)
def test_a_big_file_the_worker_cannot_read_fails_with_a_message_and_no_rows(
    auth_client, user, read_later, monkeypatch, data, message
):
    if message == "more than":
        monkeypatch.setattr(services, "MAX_IMPORT_ROWS", 0)
    _upload(auth_client, "bad.vcf", data)
    job = ImportJob.objects.get(owner=user)
    services.read_upload(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and message in job.message
    assert not job.rows.exists() and not ImportUpload.objects.exists()
    assert message in auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text


def test_reading_reports_progress_as_it_checks_the_cards(user, read_later, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    reports = []
    monkeypatch.setattr(progress, "report", lambda job_id, **kw: reports.append(kw))
    job = services.start_import(owner=user, filename="big.vcf", data=_vcards(5))
    services.read_upload(job_id=job.pk)
    assert [(r["phase"], r["done"], r["total"]) for r in reports] == [("reading", 2, 5), ("reading", 4, 5)]


def test_saving_reports_progress_per_batch_from_inside_the_transaction(user, monkeypatch):
    job = services.start_import(owner=user, filename="a.vcf", data=_vcards(5))
    monkeypatch.setattr(services, "BATCH", 2)
    seen = []

    def report(job_id, **kw):
        # What the page would read while the transaction is still open.
        progress.report.__wrapped__(job_id, **kw)
        seen.append((kw["phase"], kw["done"], connection.in_atomic_block, progress.read(job_id).percent))

    report.__wrapped__ = progress.report
    monkeypatch.setattr(progress, "report", report)
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    saving = [(done, atomic, percent) for phase, done, atomic, percent in seen if phase == "saving"]
    assert saving == [(0, True, 0), (2, True, 40), (4, True, 80), (5, True, 100)]
    assert progress.read(job.pk) is None  # cleared once done
    assert Person.objects.filter(owner=user).count() == 5


def test_a_failure_after_some_batches_saves_nothing(user, monkeypatch):
    job = services.start_import(owner=user, filename="a.vcf", data=_vcards(5))
    monkeypatch.setattr(services, "BATCH", 2)
    real = ContactPoint.objects.bulk_create
    calls = []

    def failing(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(ContactPoint.objects, "bulk_create", failing)
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "nothing was saved" in job.message
    assert Person.objects.count() == 0 and ContactPoint.objects.count() == 0
    assert job.rows.count() == 5  # the preview's rows are still there


def test_the_progress_fragment_shows_the_workers_progress(auth_client, user):
    job = ImportJob.objects.create(owner=user, filename="a.vcf", format="vcard", status=ImportStatus.RUNNING)
    progress.report(job.pk, phase="saving", done=3000, total=10_000)
    response = auth_client.get(job.get_absolute_url(), **PROGRESS)
    assert 'id="import-progress"' in response.text and "<html" not in response.text
    assert 'max="10000" value="3000"' in response.text and "Saving" in response.text
    assert "3,000 of 10,000 (30%)" in response.text
    assert "hx-get" in response.text


def test_the_configured_progress_store_round_trips(settings, progress_in_memory):
    """The store the settings name (a folder, or Redis beside a Redis broker), not the tests' memory one."""
    settings.CACHES = settings.CACHES | {"progress": progress_in_memory}
    job_id = 2_000_000_000
    progress.report(job_id, phase="saving", done=7, total=9)
    assert progress.read(job_id) == progress.Progress("saving", 7, 9)
    progress.clear(job_id)
    assert progress.read(job_id) is None


def test_a_progress_store_that_is_down_does_not_fail_the_import(user, settings):
    settings.CACHES = settings.CACHES | {
        "progress": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    job = services.start_import(owner=user, filename="a.vcf", data=_vcards(3))
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Person.objects.count() == 3
