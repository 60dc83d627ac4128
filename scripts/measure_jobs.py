"""Measure the background work of issue #16 on this machine (numbers for the notes, not a test).

    fairness   User A imports the largest file the page allows (20,000 vCards) while
               user B sends test jobs: B's round trip, with the two workers `make run`
               starts (-Q celery and -Q transfer) and, for comparison, with one worker
               serving both queues.
    restore    Restore a generated backup of N people (default 20,000 and 40,000) on
               the worker's code path (transfer.services.run_restore), timed.
    hung       Save a person while the broker is a TCP listener that accepts and never
               answers (a hung Redis): the request's latency and status.

Run against PostgreSQL and Redis of your own, for example:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_jobs CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python scripts/measure_jobs.py fairness
Everything it starts listens on 127.0.0.1 and is stopped before it exits.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _user(name: str):
    from accounts.models import User

    User.objects.filter(username=name).delete()
    return User.objects.create_user(username=name, password=None)  # measuring only: no one signs in


def _worker(queues: str, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "networking", "worker", "-Q", queues, "-n", f"{name}@%h",
         "--concurrency", "1", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _vcards(n: int) -> bytes:
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:測定{i};太郎;;;\r\nFN:測定{i} 太郎\r\nORG:株式会社測定{i % 97}\r\n"
        f"EMAIL:m{i}@example.jp\r\nTEL;TYPE=CELL:090-{1000 + i // 10000:04d}-{i % 10000:04d}\r\n"
        f"NOTE:{'メモ' * 20}\r\nEND:VCARD\r\n"
        for i in range(n)
    ).encode()


def _round_trip(user, timeout: float = 900) -> float:
    from followups import services
    from followups.models import JobCheck

    check = services.request_job_check(user=user)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if JobCheck.objects.filter(pk=check.pk, completed_at__isnull=False).exists():
            return time.monotonic() - started
        time.sleep(0.1)
    return float("inf")


def _wait_status(job, statuses, timeout: float = 1800) -> float:
    from transfer.models import ImportJob

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if ImportJob.objects.filter(pk=job.pk, status__in=statuses).exists():
            return time.monotonic() - started
        time.sleep(0.2)
    raise TimeoutError(job.pk)


def fairness(args) -> None:
    _setup()
    from transfer import services
    from transfer.models import ImportStatus

    data = _vcards(args.cards)
    print(f"file: {len(data) / 1e6:.1f} MB, {args.cards} vCards")
    for layout, workers in (
        ("two workers (-Q celery, -Q transfer)", [("celery", "main"), ("transfer", "transfer")]),
        ("one worker serving both queues", [("celery,transfer", "both")]),
    ):
        a, b = _user("measure-a"), _user("measure-b")
        procs = [_worker(q, n) for q, n in workers]
        try:
            _round_trip(b)  # waits for the workers to start
            print(f"\n{layout}: idle round trip {_round_trip(b):.2f} s")
            job = services.start_import(owner=a, filename="big.vcf", data=data, read_here=False)
            time.sleep(1.0)
            during_read = [_round_trip(b) for _ in range(3)]
            read = _wait_status(job, [ImportStatus.PREVIEW, ImportStatus.FAILED])
            services.confirm_import(job=job, duplicate_action="merge", background=True)
            time.sleep(1.0)
            during_save = [_round_trip(b) for _ in range(3)]
            saved = _wait_status(job, [ImportStatus.DONE, ImportStatus.FAILED])
            print(f"  A's import: read {read:.1f} s, saved {saved:.1f} s after confirm")
            print(f"  B's test job while A's file is read:  {', '.join(f'{t:.2f} s' for t in during_read)}")
            print(f"  B's test job while A's rows are saved: {', '.join(f'{t:.2f} s' for t in during_save)}")
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)


def restore(args) -> None:
    _setup()
    import datetime
    import random

    from contacts.demo import seed_contacts
    from transfer import backup, services
    from transfer.models import ImportStatus

    for people in args.people:
        source = _user(f"measure-source-{people}")
        started = time.monotonic()
        if args.light:
            _light_people(source, people)
        else:
            seed_contacts(owner=source, people=people, rng=random.Random(people), today=datetime.date(2026, 11, 16))
        _analyze()  # fresh statistics after the bulk load, as autovacuum would give
        data = backup.backup_text(source).encode()
        print(f"\n{people} people: backup {len(data) / 1e6:.1f} MB (made in {time.monotonic() - started:.0f} s)")
        target = _user(f"measure-target-{people}")
        job = services.start_restore(owner=target, filename="b.json", data=data, here=False)
        started, cpu = time.monotonic(), time.process_time()
        services.run_restore(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE, job.message
        print(
            f"  restored {job.created_count} people on the worker path in {time.monotonic() - started:.1f} s "
            f"({time.process_time() - cpu:.1f} s of CPU in this process; load average {os.getloadavg()[0]:.1f})"
        )
        source.delete()
        target.delete()


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _light_people(owner, people: int) -> None:
    """People with a card, an e-mail, a note and a meeting each, written in bulk (about 1 KB each
    in the backup, like the 39.5 MB for 40,000 people of issue #16)."""
    import datetime

    from contacts.models import ContactPoint, Meeting, Person
    from contacts.services import refresh_search

    for start in range(0, people, 2000):
        batch = Person.objects.bulk_create(
            Person(owner=owner, family_name=f"測定{n}", given_name="太郎", family_reading="そくてい",
                   given_reading="たろう", company=f"株式会社測定{n % 97}", title="部長",
                   notes="展示会で名刺交換。" * 20, first_met_on=datetime.date(2025, 1, 1 + n % 28))
            for n in range(start, min(people, start + 2000))
        )  # fmt: skip
        ContactPoint.objects.bulk_create(
            ContactPoint(person=p, kind="email", value=f"m{p.pk}@example.jp", normalized=f"m{p.pk}@example.jp")
            for p in batch
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(owner=owner, date=datetime.date(2026, 1, 5), kind="coffee", summary="近況") for _ in batch
        )
        Meeting.people.through.objects.bulk_create(
            Meeting.people.through(meeting_id=m.pk, person_id=p.pk) for m, p in zip(meetings, batch, strict=True)
        )
        refresh_search([p.pk for p in batch])


def _hung_listener() -> tuple[socket.socket, int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def hung(args) -> None:
    server, port = _hung_listener()
    os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
    _setup()
    from django.test import Client

    user = _user("measure-hung")
    client = Client()
    client.force_login(user)
    form = {"family_name": "山田", "given_name": "太郎", "tier": "acquaintance",
            "i_want_to_meet_again": "unknown", "they_want_to_meet_again": "unknown"}  # fmt: skip
    for n in range(args.saves):
        started = time.monotonic()
        response = client.post("/people/new/", form | {"given_name": f"太郎{n}"}, HTTP_HOST="127.0.0.1")
        print(f"save {n + 1}: HTTP {response.status_code} in {time.monotonic() - started:.2f} s")
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True)
    p = sub.add_parser("fairness")
    p.add_argument("--cards", type=int, default=20_000)
    p.set_defaults(run=fairness)
    p = sub.add_parser("restore")
    p.add_argument("--people", type=int, nargs="+", default=[20_000, 40_000])
    p.add_argument("--light", action="store_true", help="bulk-made people (fast) instead of the demo generator")
    p.set_defaults(run=restore)
    p = sub.add_parser("hung")
    p.add_argument("--saves", type=int, default=3)
    p.set_defaults(run=hung)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
