"""Jobs that recover (issue #16, findings 5, 6, 7): a broker outage never answers 500 and the
work is sent later; jobs whose worker or request died come back to a state the user can act
on; a big restore runs on the worker with progress, on a queue of its own."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts.models import Person
from followups import tasks as followup_tasks
from insights import tasks as insight_tasks
from jobs import enqueue
from jobs import services as jobs_services
from jobs import tasks as jobs_tasks
from jobs.models import JobCheck
from tests.factories import make_meeting, make_person
from transfer import backup, progress, services, tasks
from transfer.models import ImportFormat, ImportJob, ImportStatus, ImportUpload

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _vcards(n: int) -> bytes:
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:回復{i};太郎;;;\r\nEMAIL:r{i}@example.jp\r\nEND:VCARD\r\n" for i in range(n)
    ).encode()


@pytest.fixture
def broker_down(monkeypatch):
    """Every send to the broker fails as with Redis refusing connections."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    for task in (
        tasks.read_import_task,
        tasks.run_import_task,
        tasks.run_restore_task,
        jobs_tasks.complete_job_check,
        followup_tasks.recompute_pending,
        insight_tasks.refresh_suggestions,
    ):
        monkeypatch.setattr(task, "apply_async", refuse)


# Finding 6: a broker outage never answers 500


def test_with_the_broker_down_a_big_upload_is_kept_and_sent_by_the_reaper_later(
    auth_client, user, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "READ_HERE_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(
            reverse("transfer:import_upload"), {"file": SimpleUploadedFile("big.vcf", _vcards(3))}, **ENGLISH
        )
    job = ImportJob.objects.get(owner=user)
    assert response.status_code == 302 and job.status == ImportStatus.READING
    assert ImportUpload.objects.filter(job=job).exists()

    monkeypatch.undo()
    enqueue.reset()  # the broker is back after the pause that follows a failure
    sent = []
    monkeypatch.setattr(tasks.read_import_task, "apply_async", lambda args, **kw: sent.append(tuple(args)))
    assert services.reap(now=timezone.now() + datetime.timedelta(minutes=1))["resent"] == 0
    services.reap(now=timezone.now() + services.LOST_AFTER + datetime.timedelta(seconds=1))
    assert sent == [(job.pk,)]


def test_with_the_broker_down_confirm_test_job_and_refresh_answer_without_an_error(
    auth_client, user, broker_down, django_capture_on_commit_callbacks
):
    job = ImportJob.objects.create(owner=user, filename="x.vcf", format="vcard", status=ImportStatus.PREVIEW, total=600)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = auth_client.post(reverse("transfer:import_confirm", args=[job.pk]), {"duplicates": "merge"})
        checked = auth_client.post(reverse("jobs:jobcheck_create"), HTTP_HX_REQUEST="true")
        refreshed = auth_client.post("/key-persons/refresh/")
        saved = auth_client.post(
            reverse("contacts:person_create"),
            {"family_name": "山田", "tier": "acquaintance", "i_want_to_meet_again": "unknown",
             "they_want_to_meet_again": "unknown"},
        )  # fmt: skip
    assert [r.status_code for r in (confirmed, checked, refreshed, saved)] == [302, 200, 302, 302]
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.sent_at is not None
    assert JobCheck.objects.filter(owner=user).exists()
    assert Person.objects.filter(owner=user, family_name="山田").exists()


def test_a_hung_broker_costs_a_send_a_couple_of_seconds_at_most(progress_in_memory):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("the embedded broker is a folder: nothing can hang")
    assert options["socket_timeout"] <= 3 and options["socket_connect_timeout"] <= 3
    # The progress store as configured (this folder's tests swap in a memory one).
    assert progress_in_memory["OPTIONS"]["socket_timeout"] <= 3


# Finding 5: jobs whose worker or request died


def _stale(**fields) -> dict:
    return {"started_at": timezone.now() - datetime.timedelta(seconds=settings.TRANSFER_TIME_LIMIT + 120)} | fields


def test_an_import_whose_save_died_goes_back_to_the_preview_with_a_message(auth_client, user):
    job = ImportJob.objects.create(
        owner=user, filename="x.vcf", format="vcard", status=ImportStatus.RUNNING, total=5, **_stale()
    )
    fresh = ImportJob.objects.create(
        owner=user, filename="y.vcf", format="vcard", status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    assert services.reap()["import"] == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW and job.started_at is None
    assert fresh.status == ImportStatus.RUNNING
    page = auth_client.get(job.get_absolute_url(), **ENGLISH).text
    assert 'id="import-message"' in page and "nothing was saved" in page
    # It can be discarded (or confirmed again) now.
    auth_client.post(reverse("transfer:import_delete", args=[job.pk]))
    assert not ImportJob.objects.filter(pk=job.pk).exists()


def test_a_read_or_restore_whose_worker_died_fails_with_a_message_and_can_be_discarded(auth_client, user):
    read = ImportJob.objects.create(owner=user, filename="x.vcf", format="", status=ImportStatus.READING, **_stale())
    ImportUpload.objects.create(job=read, data=b"BEGIN:VCARD")
    restore = ImportJob.objects.create(
        owner=user, filename="b.json", format=ImportFormat.BACKUP, status=ImportStatus.RUNNING, **_stale()
    )
    counts = services.reap()
    assert (counts["read"], counts["restore"]) == (1, 1)
    for job in (read, restore):
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and "stopped before it finished" in job.message
    assert not ImportUpload.objects.exists()
    assert "stopped before it finished" in auth_client.get(restore.get_absolute_url(), **ENGLISH).text
    auth_client.post(reverse("transfer:import_delete", args=[restore.pk]))
    assert not ImportJob.objects.filter(pk=restore.pk).exists()


def test_imports_and_restores_run_on_a_queue_of_their_own_within_a_time_budget():
    from networking.celery import app

    router = app.amqp.router
    for name in ("transfer.run_import", "transfer.read_import", "transfer.run_restore"):
        assert router.route({}, name)["queue"].name == "transfer"
        assert settings.CELERY_TASK_ANNOTATIONS[name]["time_limit"] == settings.TRANSFER_TIME_LIMIT
    for name in ("followups.complete_job_check", "followups.run_chunks", "transfer.reap"):
        assert router.route({}, name)["queue"].name == "celery"


# Finding 7: restore on the worker, with progress


def _backup_of(owner, people: int) -> bytes:
    for n in range(people):
        person = make_person(owner=owner, family_name=f"復元{n}")
    make_meeting(owner=owner, people=[person], date=datetime.date(2026, 1, 5))
    return backup.backup_text(owner).encode()


def test_a_big_backup_is_restored_by_the_worker_with_progress(client, user, other_user, monkeypatch):
    data = _backup_of(user, 3)
    monkeypatch.setattr(services, "RESTORE_HERE_BYTES", 10)
    sent = []
    monkeypatch.setattr(tasks.run_restore_task, "apply_async", lambda args, **kw: sent.append(tuple(args)))
    client.force_login(other_user)
    response = client.post(
        reverse("transfer:restore_upload"), {"file": SimpleUploadedFile("backup.json", data)}, **ENGLISH
    )
    job = ImportJob.objects.get(owner=other_user)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.format, job.status) == (ImportFormat.BACKUP, ImportStatus.QUEUED)
    assert not Person.objects.filter(owner=other_user).exists()
    page = client.get(job.get_absolute_url(), **ENGLISH).text
    assert 'id="import-progress"' in page and "hx-get" in page
    # A second restore is refused while this one waits.
    index = client.get(reverse("transfer:index"), **ENGLISH).text
    assert 'action="/transfer/restore/"' not in index and reverse("transfer:restore_upload") not in index

    reports = []
    monkeypatch.setattr(progress, "report", lambda job_id, **kw: reports.append(kw))
    tasks.run_restore_task.run(job.pk)
    tasks.run_restore_task.run(job.pk)  # delivered twice: the second finds it taken
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 3)
    assert Person.objects.filter(owner=other_user).count() == 3
    assert {r["phase"] for r in reports} == {"restoring", "indexing"}
    assert reports[-2]["done"] == reports[-2]["total"]
    assert not ImportUpload.objects.exists()
    assert "3 people" in client.get(job.get_absolute_url(), **ENGLISH).text


def test_a_refused_backup_on_the_worker_fails_with_its_reason_and_restores_nothing(user, other_user, monkeypatch):
    document = json.loads(_backup_of(user, 2))
    document["data"]["people"][0]["notes"] = "長" * 150_000
    monkeypatch.setattr(services, "RESTORE_HERE_BYTES", 10)
    monkeypatch.setattr(tasks.run_restore_task, "apply_async", lambda args, **kw: None)
    job = services.start_restore(owner=other_user, filename="b.json", data=json.dumps(document).encode())
    services.run_restore(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "people" in job.message
    assert not Person.objects.filter(owner=other_user).exists()


def test_after_a_failed_send_the_next_sends_fail_at_once_and_the_reaper_catches_up(user, monkeypatch):
    from jobs import enqueue

    calls = []

    def hung(args, **kwargs):
        calls.append(args)
        raise TimeoutError("Timeout reading from socket")

    monkeypatch.setattr(jobs_tasks.complete_job_check, "apply_async", hung)
    assert not enqueue.send(jobs_tasks.complete_job_check, 1)
    assert not enqueue.send(jobs_tasks.complete_job_check, 2)
    assert len(calls) == 1  # the second did not wait for the broker again

    check = JobCheck.objects.create(owner=user)
    JobCheck.objects.filter(pk=check.pk).update(requested_at=timezone.now() - datetime.timedelta(minutes=2))
    enqueue.reset()
    sent = []
    monkeypatch.setattr(jobs_tasks.complete_job_check, "apply_async", lambda args, **kw: sent.append(tuple(args)))
    assert jobs_services.resend_job_checks() == 1 and sent == [(check.pk,)]
