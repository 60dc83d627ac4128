"""The job machinery moved from `followups` to the `jobs` app without losing a row.

Seeds runs, chunks, heartbeats, test jobs and content types at the migration
before the move (followups 0003), migrates forward, and finds every row again
through the new models. Runs on the database in use: SQLite in `make test`,
PostgreSQL in `make test-postgres`.
"""

import datetime

import pytest
from django.utils import timezone

from tests.migrating import at_latest, migrate

BEFORE = [("followups", "0003_recomputed_on"), ("jobs", None)]

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_job_row_is_found_after_the_move_to_the_jobs_app():
    with at_latest() as leaves:
        old = migrate(BEFORE)
        User = old.get_model("accounts", "User")
        JobRun = old.get_model("followups", "JobRun")
        JobChunk = old.get_model("followups", "JobChunk")
        JobCheck = old.get_model("followups", "JobCheck")
        WorkerHeartbeat = old.get_model("followups", "WorkerHeartbeat")
        ContentType = old.get_model("contenttypes", "ContentType")

        owner = User.objects.create(username="before-the-jobs-move", password="!")
        now = timezone.now()
        run = JobRun.objects.create(kind="nightly-followups", day=datetime.date(2026, 11, 20), finished_at=now)
        open_run = JobRun.objects.create(kind="nightly-followups", day=datetime.date(2026, 11, 21))
        chunks = [
            JobChunk.objects.create(run=run, owner_id=owner.pk, first_id=1, last_id=500, people=500, sent_at=now,
                                    started_at=now, finished_at=now, attempts=1),
            JobChunk.objects.create(run=open_run, owner_id=owner.pk, first_id=501, last_id=900, people=400,
                                    sent_at=now, attempts=3),
        ]  # fmt: skip
        JobCheck.objects.create(owner=owner, completed_at=now, worker="celery@box")
        WorkerHeartbeat.objects.create(hostname="celery@box", last_seen=now)
        ContentType.objects.filter(app_label="jobs").delete()
        content_types = {
            model: ContentType.objects.get_or_create(app_label="followups", model=model)[0].pk
            for model in ("workerheartbeat", "jobcheck", "jobrun", "jobchunk")
        }
        seeded_chunks = sorted(
            JobChunk.objects.values_list("pk", "run_id", "first_id", "last_id", "people", "attempts", "finished_at")
        )
        assert len(seeded_chunks) == len(chunks)

        migrate(leaves)

        from django.contrib.contenttypes.models import ContentType as NewContentType

        from jobs import models

        assert (
            sorted(
                models.JobChunk.objects.values_list(
                    "pk", "run_id", "first_id", "last_id", "people", "attempts", "finished_at"
                )
            )
            == seeded_chunks
        )
        assert sorted(models.JobRun.objects.values_list("pk", "day")) == [
            (run.pk, datetime.date(2026, 11, 20)),
            (open_run.pk, datetime.date(2026, 11, 21)),
        ]
        assert models.JobRun.objects.get(pk=open_run.pk).chunks.get().attempts == 3
        assert models.JobCheck.objects.get(owner_id=owner.pk).worker == "celery@box"
        assert models.WorkerHeartbeat.objects.get().hostname == "celery@box"
        for model, pk in content_types.items():
            moved = NewContentType.objects.get(pk=pk)
            assert (moved.app_label, moved.model) == ("jobs", model)
            assert moved.model_class()._meta.app_label == "jobs"
