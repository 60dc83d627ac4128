"""The follow-up jobs against real worker processes and a real broker (not eager mode).

On the default settings the broker is the embedded file-system one; in CI's
second pass it is Redis and PostgreSQL. The Redis-outage test starts a
Redis server of its own, so it never stops the shared one.
"""

import datetime
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from contacts.models import Person, Status
from followups import services
from followups.models import DigestDelivery, DigestState, FollowUp, PendingRecompute, Reason, State
from jobs import services as jobs_services
from jobs.models import JobRun
from networking.demo import seed_network as seed_contacts
from tests.factories import make_followup, make_person, make_user
from tests.test_worker_roundtrip import _database_url_for_worker, _wait_for

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith(("file:", ":memory:")):
        pytest.skip("worker processes cannot see an in-memory test database")


def _env(**extra) -> dict:
    return (
        os.environ
        | {
            "DATABASE_URL": _database_url_for_worker(),
            "DJANGO_SETTINGS_MODULE": "networking.settings",
            "FOLLOWUPS_CHUNK_PEOPLE": "40",
        }
        | extra
    )


class Worker:
    """A real Celery worker process on one queue, whose log is read as it runs.

    At INFO level the worker logs a line for each task that finished
    ("Task followups.send_digest[…] succeeded in …"), so a test can wait for a
    message delivered twice to have run twice instead of sleeping.
    """

    def __init__(self, queue: str, **env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "networking", "worker", "-Q", queue, "--pool", "solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=BASE_DIR, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace"))

    def finished(self, task: str) -> int:
        """Count the runs of `task` that returned or raised."""
        pattern = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] (succeeded|raised)")
        return sum(1 for line in list(self.lines) if pattern.search(line))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=10)
        return "".join(self.lines)


def _on_queue(monkeypatch, queue: str) -> None:
    """Send the services' messages to this test's own queue (no other worker takes them)."""
    monkeypatch.setattr(services, "_send", lambda task, *args: task.apply_async(args, queue=queue) or True)
    monkeypatch.setattr(jobs_services, "send", lambda task, *args: task.apply_async(args, queue=queue) or True)


def _duplicates() -> int:
    return (
        FollowUp.objects.filter(state=State.OPEN)
        .values("person_id", "reason")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )


def test_a_worker_killed_in_the_middle_of_the_nightly_job_leaves_every_follow_up_exactly_once(monkeypatch, settings):
    settings.FOLLOWUPS_CHUNK_PEOPLE = 40
    rng = random.Random(5)
    for i in range(3):
        seed_contacts(owner=make_user(username=f"u{i}"), people=400, rng=rng)
    queue = f"test-{uuid.uuid4().hex[:12]}"
    _on_queue(monkeypatch, queue)
    run = services.start_nightly(day=datetime.date.today())
    chunks = run.chunks.count()
    assert chunks >= 30
    worker = Worker(queue)
    try:
        started = _wait_for(lambda: run.chunks.filter(finished_at__isnull=False).count() >= 3, 120)
        worker.kill()
        left = run.chunks.filter(finished_at__isnull=True).count()
        assert started and 0 < left < chunks, (left, chunks)
        worker = Worker(queue)
        jobs_services.reap(stale_after=datetime.timedelta(0))  # what beat's reaper does after FOLLOWUPS_STALE_AFTER
        assert _wait_for(lambda: JobRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(), 180)
    finally:
        output = worker.stop()
    active = Person.objects.filter(status=Status.ACTIVE).count()
    assert FollowUp.objects.filter(reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).count() == active, output
    assert _duplicates() == 0


def test_messages_delivered_twice_and_beat_started_twice_duplicate_nothing(monkeypatch, settings):
    rng = random.Random(6)
    owner = make_user(username="twice", email="twice@example.com")
    seed_contacts(owner=owner, people=60, rng=rng)
    make_followup(owner=owner, person=make_person(owner=owner, family_name="今週"), due_on=datetime.date.today())
    queue = f"test-{uuid.uuid4().hex[:12]}"
    _on_queue(monkeypatch, queue)
    from followups import tasks

    worker = Worker(queue)
    try:
        for _ in range(2):  # two beats
            tasks.start_nightly.apply_async((), queue=queue)
        # Both beats' messages have run: the second found the run claimed.
        assert _wait_for(lambda: worker.finished("followups.start_nightly") == 2, 60), worker.lines
        # The worker sent the chunks to the default queue; deliver each message twice on ours.
        chunk_ids = list(JobRun.objects.get().chunks.values_list("pk", flat=True))
        for _ in range(2):
            tasks.run_chunks.apply_async((chunk_ids,), queue=queue)
        assert _wait_for(lambda: JobRun.objects.filter(finished_at__isnull=False).exists(), 120)
        person = Person.objects.filter(owner=owner).first()
        PendingRecompute.objects.create(person=person, owner=owner, requested_at=datetime.datetime.now(datetime.UTC))
        for _ in range(2):
            tasks.recompute_pending.apply_async((owner.pk,), queue=queue)
        delivery = DigestDelivery.objects.create(
            owner=owner, week_start=datetime.date.today(), next_attempt_at=datetime.datetime.now(datetime.UTC)
        )
        for _ in range(2):
            tasks.send_digest.apply_async((delivery.pk,), queue=queue)
        assert _wait_for(
            lambda: (
                DigestDelivery.objects.filter(pk=delivery.pk, state=DigestState.SENT).exists()
                and not PendingRecompute.objects.exists()
            ),
            60,
        )
        # Every message delivered twice has run twice: the copies found their work claimed.
        copies = ("followups.run_chunks", "followups.recompute_pending", "followups.send_digest")
        assert _wait_for(lambda: all(worker.finished(task) == 2 for task in copies), 60), worker.lines
    finally:
        output = worker.stop()
    assert JobRun.objects.count() == 1
    assert _duplicates() == 0, output
    active = Person.objects.filter(owner=owner, status=Status.ACTIVE).count()
    assert FollowUp.objects.filter(reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).count() == active
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DigestState.SENT, 1)  # sent once, the copy found it claimed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis(port: int, folder: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert _wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10)
    return server


WEB_SIDE = """
import datetime, os, socket
from django.conf import settings
from django.db import transaction
# Count the tries to reach the broker's port.
broker_port = int(settings.CELERY_BROKER_URL.rsplit(":", 1)[1].split("/")[0])
tries = []
connect = socket.socket.connect
def counted(sock, address, *rest):
    if isinstance(address, tuple) and address[1] == broker_port:
        tries.append(address)
    return connect(sock, address, *rest)
socket.socket.connect = counted
from django.test import Client
from accounts.models import User
from contacts import services
from contacts.models import Person
owner = User.objects.get(username="outage")
person = Person.objects.get(owner=owner)
with transaction.atomic():
    services.log_meeting(owner=owner, people=[person], date=datetime.date.today(), kind="first_at_event")
print(f"broker tries: {len(tries)}")
client = Client()
client.force_login(owner)
assert client.get("/week/").status_code == 200
assert client.get(person.get_absolute_url()).status_code == 200
"""


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_with_redis_down_pages_and_saves_work_and_the_work_is_caught_up_when_it_returns(tmp_path):
    owner = make_user(username="outage")
    person = make_person(owner=owner)
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    # Redis is down: the save and the pages work, and the recompute waits in the database.
    web = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", WEB_SIDE], cwd=BASE_DIR, capture_output=True, text=True,
        env=_env(CELERY_BROKER_URL=url, ALLOWED_HOSTS="testserver"), timeout=120,
    )  # fmt: skip
    assert web.returncode == 0, web.stderr[-3000:]
    # One try, not kombu's retries (about 6 s): each try to reach a broker that is
    # down costs a web worker its connect timeout. Counted, not timed.
    assert re.search(r"broker tries: (\d+)", web.stdout).group(1) == "1", web.stdout
    assert PendingRecompute.objects.filter(person=person).exists()
    assert not FollowUp.objects.filter(person=person).exists()
    # Redis is back: the sweep (beat's reaper) sends the waiting work and a worker catches up.
    server = _redis(port, tmp_path)
    worker = None
    try:
        queue_env = {"CELERY_BROKER_URL": url}
        reap = subprocess.run(
            [sys.executable, "manage.py", "reap", "--stale-after", "0"], cwd=BASE_DIR, capture_output=True,
            text=True, env=_env(**queue_env), timeout=120,
        )  # fmt: skip
        assert reap.returncode == 0, reap.stderr[-3000:]
        worker = Worker("celery", **queue_env)
        caught_up = _wait_for(lambda: FollowUp.objects.filter(person=person, reason=Reason.THANK_YOU).exists(), 60)
    finally:
        output = worker.stop() if worker else ""
        server.terminate()
        server.wait(timeout=10)
    assert caught_up, output
    assert not PendingRecompute.objects.exists()
