"""One real Celery worker process, on whatever broker the settings name.

On the default settings this is the embedded file-system broker that
`make run` uses; in CI's second pass it is Redis and PostgreSQL.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from jobs.models import JobCheck, WorkerHeartbeat
from jobs.tasks import complete_job_check, record_heartbeat
from tests.factories import make_user

BASE_DIR = Path(settings.BASE_DIR)


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_sent_through_the_configured_broker(tmp_path):
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith(("file:", ":memory:")):
        pytest.skip("the worker process cannot see an in-memory test database")
    user = make_user()
    check = JobCheck.objects.create(owner=user)
    queue = f"test-{uuid.uuid4().hex[:12]}"  # a queue of its own: no other worker takes these
    env = os.environ | {
        "DATABASE_URL": _database_url_for_worker(),
        "DJANGO_SETTINGS_MODULE": "networking.settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "networking", "worker", "-Q", queue, "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        complete_job_check.apply_async((check.pk,), queue=queue)
        record_heartbeat.apply_async((), queue=queue)
        done = _wait_for(
            lambda: JobCheck.objects.filter(pk=check.pk, completed_at__isnull=False).exists(),
            60,
        )
        beat = _wait_for(lambda: WorkerHeartbeat.objects.exists(), 10)
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode(errors="replace")
    assert done, f"the worker did not complete the check; its output:\n{output}"
    assert beat
    check.refresh_from_db()
    assert check.worker.startswith("celery@")
