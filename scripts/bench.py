"""Benchmarks for `make bench`: page timings and SQL query counts at several sizes.

    python scripts/bench.py                       # SQLite, 1,000 and 100,000 people
    DATABASE_URL=postgres://... python scripts/bench.py --backend postgres

Import and export are measured too: importing 10,000 vCards (parse, preview,
save) into an empty account, and exporting every seeded person as vCard, CSV
and the JSON backup through the streamed download; each with its time, its
peak Python memory (tracemalloc, a second run) and its SQL query count.

Each (backend, size) runs in a fresh process against a database of its own
(var/bench/ for SQLite, <name>_bench for PostgreSQL), seeded with
`seed_demo --user bench --people N --others 2` (about three ledger entries per
person, so 300,000 at 100,000 people). Requests go through Django's
test client (middleware, view, templates and SQL; no network), are repeated
and reported as p50/p95 with the SQL query count of one request.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def bench_database_url(url: str) -> tuple[str, str, str]:
    """Return (bench URL, admin URL, bench database name) for a postgres URL."""
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "jinmyaku") + "_bench"
    return urlunsplit(parts._replace(path="/" + name)), urlunsplit(parts._replace(path="/postgres")), name


def prepare_environment(backend: str, reuse: str = "") -> dict:
    """A fresh database for one measuring process; with `reuse`, the one named by it is kept as
    it is when it exists (PostgreSQL only: seeding 100,000 people again takes minutes)."""
    env = os.environ.copy()
    env["DEBUG"] = "true"
    env["ALLOWED_HOSTS"] = "testserver"
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    if backend == "sqlite":
        var = BASE_DIR / "var" / "bench"
        shutil.rmtree(var, ignore_errors=True)
        var.mkdir(parents=True)
        env["JINMYAKU_VAR_DIR"] = str(var)
        env.pop("DATABASE_URL", None)
    else:
        if not os.environ.get("DATABASE_URL"):
            raise SystemExit("Set DATABASE_URL to a PostgreSQL server for --backend postgres.")
        url, admin, name = bench_database_url(os.environ["DATABASE_URL"])
        if reuse:
            name = f"{name}_{reuse}"
            url = urlunsplit(urlsplit(url)._replace(path="/" + name))
            # The name comes from DATABASE_URL, which the person running the bench wrote.
            query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # nosec B608
            exists = subprocess.run(
                ["psql", admin, "-Atc", query],
                check=True, capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip
            env["BENCH_REUSED"] = exists
        if not env.get("BENCH_REUSED"):
            subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
            subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
        env["DATABASE_URL"] = url
    return env


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def send(client, method: str, url: str, data: dict | None):
    if method == "get":
        return client.get(url)
    return client.post(url, data, HTTP_HX_REQUEST="true")


IMPORT_CARDS = 10_000


def _vcards(n: int) -> bytes:
    """n cards as a phone writes them: readings, company, e-mail, mobile, a note."""
    families = [("山田", "やまだ"), ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか")]
    givens = [("太郎", "たろう"), ("花子", "はなこ"), ("一郎", "いちろう"), ("美咲", "みさき")]
    cards = []
    for i in range(n):
        family, family_reading = families[i % len(families)]
        given, given_reading = givens[i % len(givens)]
        cards.append(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"N:{family}{i};{given};;;\r\nFN:{family}{i} {given}\r\n"
            f"X-PHONETIC-LAST-NAME:{family_reading}\r\nX-PHONETIC-FIRST-NAME:{given_reading}\r\n"
            f"ORG:株式会社ベンチ{i % 300};営業部\r\nTITLE:課長\r\n"
            f"EMAIL;TYPE=INTERNET:bench{i}@example.jp\r\nTEL;TYPE=CELL:090-{1000 + i // 10000:04d}-{i % 10000:04d}\r\n"
            f"NOTE:名刺交換会で会った{i}人目。\r\nEND:VCARD\r\n"
        )
    return "".join(cards).encode()


def _measured(action) -> tuple[float, float, int]:
    """(seconds, peak MB of Python allocations, SQL queries) of `action`; memory from a second run."""
    import tracemalloc

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # With DEBUG on, every query is logged, at most 9,000; the import before
    # fills the log, and a full log would count no new queries.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
    tracemalloc.start()
    action()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1024 / 1024, len(queries)


def _soft_broken_vcard(breaks: int) -> bytes:
    """One Android-style 2.1 card whose quoted-printable note is folded over `breaks` soft line breaks."""
    note = "=\r\n".join(["=E3=81=82"] * breaks)  # あ per line
    return ("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Q;P;;;\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:"
            + note + "\r\nEND:VCARD\r\n").encode()  # fmt: skip


def run_reader_scaling(sizes=(250_000, 1_000_000)) -> list[dict]:
    """Time the vCard reader on one value folded over more and more soft line breaks (issue #16,
    finding 4: it was quadratic). Linear means the time per break stays flat as the size grows."""
    from transfer.vcard import read_vcards

    rows = []
    for breaks in sizes:
        data = _soft_broken_vcard(breaks)
        started = time.perf_counter()
        (card,) = read_vcards(data, max_cards=10)
        seconds = time.perf_counter() - started
        assert len(card.notes) == breaks, len(card.notes)
        rows.append({"scenario": f"read one vCard, {breaks:,} soft line breaks ({len(data) / 1e6:.1f} MB): "
                                 f"{seconds / breaks * 1e6:.2f} µs per break",
                     "seconds": seconds, "peak_mb": 0.0, "queries": 0})  # fmt: skip
    return rows


def run_transfer(owner, client) -> list[dict]:
    """Import 10,000 vCards into empty accounts the way the worker does (read the stored
    upload into a preview, then save it); export everything `owner` has, streamed."""
    from unittest import mock

    from django.urls import reverse

    from accounts.models import User
    from contacts.models import Person
    from transfer import progress, services, tasks

    data = _vcards(IMPORT_CARDS)
    accounts = iter(User.objects.create(username=f"import-{i}") for i in range(2))
    previewed, reports = [], []
    report = progress.report

    def counted(job_id, **kw):
        reports.append(kw)
        report(job_id, **kw)

    def read_cards():
        # The upload is stored and the worker reads it (no broker here: the task is called directly).
        with mock.patch.object(tasks.read_import_task, "delay"):
            job = services.start_import(owner=next(accounts), filename="bench.vcf", data=data)
        assert job.status == "reading", job.status
        services.read_upload(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == "preview" and job.total == IMPORT_CARDS, (job.status, job.message)
        previewed.append(job)

    def save_cards():
        job = previewed.pop(0)
        reports.clear()
        services.confirm_import(job=job, duplicate_action="merge", background=False)
        job.refresh_from_db()
        assert job.created_count == IMPORT_CARDS, (job.status, job.message, job.rows.filter(kind="invalid").first())

    rows = []
    size_mb = len(data) / 1024 / 1024
    seconds, peak, queries = _measured(read_cards)
    rows.append({"scenario": f"import {IMPORT_CARDS:,} vCards ({size_mb:.1f} MB): read and preview, on the worker",
                 "seconds": seconds, "peak_mb": peak, "queries": queries})  # fmt: skip
    with mock.patch.object(progress, "report", counted):
        seconds, peak, queries = _measured(save_cards)
    saving = sum(1 for r in reports if r["phase"] == "saving")
    rows.append({"scenario": f"import {IMPORT_CARDS:,} vCards: save in one transaction ({saving} progress reports while saving)",
                 "seconds": seconds, "peak_mb": peak, "queries": queries})  # fmt: skip
    rows += run_reader_scaling()
    people = Person.objects.filter(owner=owner).count()
    for fmt in ("vcard3", "vcard4", "csv", "json"):
        size = []

        def export(fmt=fmt, size=size):
            response = client.get(reverse("transfer:export_download", args=[fmt]))
            assert response.status_code == 200, (fmt, response.status_code)
            size.append(sum(len(chunk) for chunk in response.streaming_content))

        seconds, peak, queries = _measured(export)
        rows.append({"scenario": f"export {people:,} people as {fmt} ({size[0] / 1024 / 1024:.0f} MB)",
                     "seconds": seconds, "peak_mb": peak, "queries": queries})  # fmt: skip
    return rows


def run_insights(owner, client, repeat: int) -> list[dict]:
    """The key-person scoring job (full, then unchanged), the key-person page and the insights page.

    A key person is tagged in the first five fields (the top candidate), so
    the pages show keys, candidates and uncovered fields at every size.
    """
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from contacts.models import KeyPerson, Person
    from insights import services as insights_services
    from insights.models import Suggestion

    today = datetime.date.today()
    people = Person.objects.filter(owner=owner).count()
    rows = []
    for label in ("key-person scoring job, full run", "key-person scoring job, unchanged re-run"):
        if label.endswith("full run"):
            Suggestion.objects.filter(owner=owner).delete()
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            insights_services.refresh_suggestions(owner_id=owner.pk, today=today)
            ms = (time.perf_counter() - t0) * 1000
        rows.append(
            {"scenario": label, "p50": ms, "p95": ms, "queries": len(queries), "people_all": people, "job": True}
        )
    top = Suggestion.objects.filter(owner=owner, rank=1).order_by("field__position")[:5]
    KeyPerson.objects.bulk_create(
        [KeyPerson(owner=owner, person_id=s.person_id, field_id=s.field_id, tagged_on=today) for s in top],
        ignore_conflicts=True,
    )
    # What a worker does a few seconds after a change (and the page itself
    # when opened before that): recompute the insights figures.
    from insights import figures

    times = []
    for _ in range(3):
        figures.mark_stale(owner.pk)
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            figures.current(owner.pk)
            times.append((time.perf_counter() - t0) * 1000)
    rows.append({"scenario": "insights figures, recomputed after a change (worker)", "p50": statistics.median(times),
                 "p95": max(times), "queries": len(queries), "people_all": people, "job": True})  # fmt: skip
    for name, url in (
        ("key persons page", reverse("insights:keyperson_list")),
        ("insights page", reverse("insights:overview")),
        ("insights page, all time", reverse("insights:overview") + "?period=all"),
    ):
        times = []
        for i in range(repeat + 3):
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code >= 400:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            if i >= 3:  # warm-up
                times.append(elapsed)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        rows.append({"scenario": name, "p50": statistics.median(times), "p95": percentile(times, 95),
                     "queries": len(queries)})  # fmt: skip
    return rows


def run_one(size: int, repeat: int) -> list[dict]:
    """Inside a prepared process: migrate, seed, measure. Returns result rows."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")
    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from contacts import services
    from contacts.models import Event, Field, Meeting, Person
    from ledger.models import LedgerEntry

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    reused = os.environ.get("BENCH_REUSED") and User.objects.filter(username="bench").exists()
    if not reused:
        call_command(
            "seed_demo", user="bench", people=size, others=2, others_people=min(size, 1000), followups=False,
            verbosity=0,
        )  # fmt: skip
    seed_seconds = time.monotonic() - started
    owner = User.objects.get(username="bench")

    # Someone with 500 meetings, for the person page.
    busy = Person.objects.filter(owner=owner, family_name="多忙").first()
    if busy is None:
        busy = services.create_person(
            owner=owner,
            values={
                "family_name": "多忙",
                "given_name": "一郎",
                "family_reading": "たぼう",
                "given_reading": "いちろう",
            },
        )
    meetings = (
        []
        if reused
        else Meeting.objects.bulk_create(
            [
                Meeting(
                    owner=owner,
                    date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
                    kind="coffee",
                    summary=f"#{i}",
                )
                for i in range(500)
            ]
        )
    )
    Meeting.people.through.objects.bulk_create(
        [Meeting.people.through(meeting_id=m.pk, person_id=busy.pk) for m in meetings]
    )
    # Steady state: what autovacuum (PostgreSQL) and PRAGMA optimize (SQLite)
    # leave behind on a database that has been in use for a while.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    # The nightly follow-up job for everyone (this user and the two others),
    # then at once again with nothing changed.
    from followups.models import FollowUp

    day = datetime.date.today()
    only = os.environ.get("BENCH_ONLY", "")
    job_times = {} if only else time_nightly(day)
    # "This week" with 1,000 items due.
    FollowUp.objects.filter(owner=owner).update(show_on=day + datetime.timedelta(days=60))
    due = list(FollowUp.objects.filter(owner=owner).order_by("pk").values_list("pk", flat=True)[:1000])
    FollowUp.objects.filter(pk__in=due).update(show_on=day, overdue_on=day, snoozed=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    client = Client()
    client.force_login(owner)
    field = Field.objects.filter(owner=owner, name="IT").first()
    event = Event.objects.filter(owner=owner).first()
    people_count = Person.objects.filter(owner=owner).count()
    deep_page = max(1, int(people_count / 50 * 0.8))

    scenarios = [
        ("people list, first page", "get", reverse("contacts:person_list"), None),
        (f"people list, page {deep_page}", "get", reverse("contacts:person_list") + f"?page={deep_page}", None),
        ("search 2 chars 「山田」", "get", reverse("contacts:person_list") + "?q=山田", None),
        ("search 4 chars 「やまだた」", "get", reverse("contacts:person_list") + "?q=やまだた", None),
        ("search romaji 'yamada'", "get", reverse("contacts:person_list") + "?q=yamada", None),
        (
            "filtered: IT + network, by last contact",
            "get",
            reverse("contacts:person_list") + f"?field={field.pk}&tier=network&sort=last_contact",
            None,
        ),
    ]
    scenarios += [
        ("ledger overview", "get", reverse("ledger:overview"), None),
        ("ledger overview, flag only taking", "get", reverse("ledger:overview") + "?flag=taker", None),
        (
            "ledger overview, money outstanding, all time",
            "get",
            reverse("ledger:overview") + "?flag=money&period=all",
            None,
        ),
        ("This week, 1,000 items due", "get", reverse("followups:week"), None),
        ("person page, 500 meetings", "get", reverse("contacts:person_detail", args=[busy.pk]), None),
        # Its panels load by htmx; their plain pages (panel and form) time the same reads.
        ("person page's give-and-take panel", "get", reverse("ledger:person_panel", args=[busy.pk]), None),
        ("person page's follow-up panel", "get", reverse("followups:person_panel", args=[busy.pk]), None),
    ]
    # Capture (issue #15): suggestions ranked by evidence, and the save with its duplicate guard.
    known = Person.objects.filter(owner=owner, company="株式会社ネクストメディア").exclude(family_reading="").first()
    serial = iter(range(10**9))

    def new_row(n: int) -> dict:
        # A new e-mail address and mobile each time too: a repeated one would be held by the guard.
        return {
            "name": f"計測{n} 太郎",
            "reading": "けいそく たろう",
            "company": known.company,
            "email": f"bench{n}@example.jp",
            "phone": f"090-{n // 10000 % 10000:04d}-{n % 10000:04d}",
            "want_again": "yes",
        }

    scenarios += [
        (
            "capture suggestions: name, reading and company",
            "get",
            reverse("contacts:capture_matches", args=[event.pk])
            + "?"
            + urlencode(
                {"name": f"{known.family_name} {known.given_name}", "reading": known.reading, "company": known.company}
            ),
            None,
        ),
        (
            "capture suggestions: a company of many (colleagues)",
            "get",
            reverse("contacts:capture_matches", args=[event.pk]) + "?" + urlencode({"company": known.company}),
            None,
        ),
        (
            "capture save, new person (guard checked)",
            "post",
            reverse("contacts:capture_row", args=[event.pk]),
            # A new name each time, a common reading and a company of many: every clue runs.
            lambda: new_row(next(serial)),
        ),
        (
            "capture save held by the guard (same name and reading)",
            "post",
            reverse("contacts:capture_row", args=[event.pk]),
            {"name": f"{known.family_name} {known.given_name}", "reading": known.reading},
        ),
    ]
    if only:
        scenarios = [scenario for scenario in scenarios if only in scenario[0]]

    rows = []
    for name, method, url, data in scenarios:
        times = []
        for i in range(repeat + 3):
            payload = data() if callable(data) else data
            t0 = time.perf_counter()
            response = send(client, method, url, payload)
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code >= 400:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            if i >= 3:  # warm-up
                times.append(elapsed)
        with CaptureQueriesContext(connection) as queries:
            send(client, method, url, data() if callable(data) else data)
        rows.append(
            {
                "scenario": name,
                "size": size,
                "p50": statistics.median(times),
                "p95": percentile(times, 95),
                "queries": len(queries),
                "seed_s": seed_seconds,
                "entries": LedgerEntry.objects.filter(owner=owner).count(),
            }
        )
    people_all = Person.objects.count()
    for label, (ms, queries) in job_times.items():
        rows.append(
            {"scenario": label, "size": size, "p50": ms, "p95": ms, "people_all": people_all,
             "queries": queries, "seed_s": seed_seconds, "entries": rows[0]["entries"], "job": True}
        )  # fmt: skip
    if only:
        return rows
    rows += [
        row | {"size": size, "seed_s": seed_seconds, "entries": rows[0]["entries"]}
        for row in run_insights(owner, client, repeat)
    ]
    if not os.environ.get("BENCH_SKIP_TRANSFER"):
        for row in run_transfer(owner, client):
            rows.append(row | {"size": size, "transfer": True})
    return rows


def time_nightly(day) -> dict[str, tuple[float, int]]:
    """Run the nightly follow-up job for everyone in this process, then at once again with nothing
    changed. Returns {label: (milliseconds, SQL queries)}."""
    from django.db import connection

    from followups import services as followup_services
    from followups.models import FollowUp, FollowUpSettings
    from jobs.models import JobRun
    from ledger.models import LedgerSettings

    count = [0]

    def counting(execute, sql, params, many, context):
        # Not CaptureQueriesContext: its log keeps only the last 9,000 queries.
        count[0] += 1
        return execute(sql, params, many, context)

    # From scratch, as on a fresh database: no follow-ups, tallies of another day.
    FollowUp.objects.all().delete()
    FollowUpSettings.objects.update(recomputed_on=None)
    LedgerSettings.objects.update(tallied_on=None)
    times = {}
    for label in ("nightly job, full run", "nightly job, unchanged re-run"):
        JobRun.objects.all().delete()
        count[0] = 0
        with connection.execute_wrapper(counting):
            t0 = time.perf_counter()
            followup_services.run_nightly_here(day=day)
            times[label] = ((time.perf_counter() - t0) * 1000, count[0])
    return times


def run_fleet(users: int, people: int) -> list[dict]:
    """Inside a prepared process: `users` users with `people` people each, then the nightly job."""
    import datetime

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from contacts.models import Person
    from followups.models import FollowUp
    from ledger.models import LedgerEntry

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command(
        "seed_demo", user="fleet-1", people=people, others=users - 1, others_people=people, followups=False,
        verbosity=0,
    )  # fmt: skip
    seed_seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    rows = []
    for label, (ms, queries) in time_nightly(datetime.date.today()).items():
        rows.append(
            {"scenario": f"{label}, {users:,} users × {people} people", "people_all": Person.objects.count(),
             "entries": LedgerEntry.objects.count(), "followups": FollowUp.objects.count(), "ms": ms,
             "queries": queries, "seed_s": seed_seconds}
        )  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--fleet", default="1000x200", help="USERSxPEOPLE for the many-users nightly job; 0 to leave it out."
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep one database per size (<name>_bench_<size>) and reuse it when it exists.",
    )
    parser.add_argument("--skip-transfer", action="store_true", help="leave out the import and export timings")
    parser.add_argument(
        "--reader", action="store_true", help="only the vCard reader's scaling on soft line breaks (no database)"
    )
    parser.add_argument(
        "--only", default="", help="measure only the pages whose name contains this (e.g. capture); no jobs or fleet"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-fleet", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.reader:
        sys.path.insert(0, str(BASE_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")
        import django

        django.setup()
        for row in run_reader_scaling((250_000, 500_000, 1_000_000, 2_000_000)):
            print(f"{row['scenario']}: {row['seconds']:.2f} s")
        return 0
    if args.child:
        print(json.dumps(run_one(args.child, args.repeat), ensure_ascii=False))
        return 0
    if args.child_fleet:
        users, people = (int(n) for n in args.child_fleet.split("x"))
        print(json.dumps(run_fleet(users, people), ensure_ascii=False))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    transfers = []
    for size in sizes:
        env = prepare_environment(args.backend, reuse=str(size) if args.reuse else "")
        if args.skip_transfer:
            env["BENCH_SKIP_TRANSFER"] = "1"
        if args.only:
            env["BENCH_ONLY"] = args.only
        seeding = "reusing" if env.get("BENCH_REUSED") else "seeding"
        print(f"[bench] {args.backend}: {seeding} {size:,} people and measuring…", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--repeat", str(args.repeat)],
            env=env, cwd=BASE_DIR, capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
            return 1
        for row in json.loads(out.stdout.strip().splitlines()[-1]):
            if row.get("transfer"):
                transfers.append(row)
                continue
            results.setdefault(
                row["scenario"].split(", page")[0]
                if "page " in row["scenario"] and "list" in row["scenario"]
                else row["scenario"],
                {},
            )[size] = row

    print()
    print(
        f"Backend: {args.backend}. Times in ms (p50 / p95), server side through Django's test client; q = SQL queries per request."
    )
    header = "| scenario | " + " | ".join(f"{s:,} people p50 / p95 (q)" for s in sizes) + " | p95 ratio |"
    print(header)
    print("|" + " --- |" * (len(sizes) + 2))
    ok = True
    for scenario, by_size in results.items():
        cells = []
        for size in sizes:
            row = by_size.get(size)
            cells.append(f"{row['p50']:.1f} / {row['p95']:.1f} ({row['queries']})" if row else "–")
        first, last = by_size.get(sizes[0]), by_size.get(sizes[-1])
        ratio = last["p95"] / first["p95"] if first and last and first["p95"] else 0
        same_queries = first and last and first["queries"] == last["queries"]
        flags = "" if same_queries else " queries grow!"
        if (first or last or {}).get("job"):
            # A job, not a page: one run, its cost linear in people (queries grow with the chunks).
            people = " / ".join(f"{by_size[s]['people_all']:,}" for s in sizes if s in by_size)
            print(f"| {scenario} ({people} people) | " + " | ".join(cells) + f" | {ratio:.2f}× |")
            continue
        if args.backend == "postgres" and (last and last["p95"] >= 100 or ratio >= 3):
            flags += " over target"
        ok = ok and not flags
        label = (
            f"{scenario} (deep page)"
            if "list" in scenario and "first" not in scenario and "filtered" not in scenario
            else scenario
        )
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio:.2f}×{flags} |")
    fleet = []
    if args.fleet and args.fleet != "0" and not args.only:
        env = prepare_environment(args.backend)
        print(f"[bench] {args.backend}: seeding {args.fleet} (users x people) and running the nightly job…", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child-fleet", args.fleet], env=env, cwd=BASE_DIR, capture_output=True,
            text=True,
        )  # fmt: skip
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
            return 1
        fleet = json.loads(out.stdout.strip().splitlines()[-1])
        for row in fleet:
            print(
                f"| {row['scenario']} ({row['people_all']:,} people, {row['entries']:,} ledger entries, "
                f"{row['followups']:,} follow-ups) | {row['ms']:.0f} ms ({row['queries']:,} q) |"
            )
        print(f"Seeding the users: {fleet[0]['seed_s']:.0f} s")
    jobs = [by_size for by_size in results.values() if next(iter(by_size.values())).get("job")]
    for row_set in (jobs, [{0: row} for row in fleet]):
        named = [(next(iter(r.values()))["scenario"], r) for r in row_set]
        full = next((r for name, r in named if name.startswith("nightly job, full")), None)
        again = next((r for name, r in named if name.startswith("nightly job, unchanged")), None)
        if full and again:
            for size in full:
                a, b = full[size], again[size]
                ms_a, ms_b = a.get("ms") or a["p95"], b.get("ms") or b["p95"]
                ratio = ms_b / ms_a if ms_a else 0
                where = f"{size:,} people" if size else args.fleet
                met = "met" if ratio < 0.25 else "NOT MET"
                print(f"Nightly re-run / full run at {where}: {ratio:.2f} (target < 0.25: {met})")
    capture_targets = {"capture suggestions": 30, "capture save": 50}
    for scenario, by_size in results.items():
        target = next((ms for prefix, ms in capture_targets.items() if scenario.startswith(prefix)), None)
        row = by_size.get(sizes[-1])
        if target and row:
            met = "met" if row["p95"] <= target else "NOT MET"
            print(f"{scenario} at {sizes[-1]:,} people: p95 {row['p95']:.1f} ms (target ≤ {target} ms: {met})")
    first = next(iter(results.values()))
    print()
    print(
        "Seeding time: "
        + ", ".join(
            f"{size:,} people ({first[size]['entries']:,} ledger entries) {first[size]['seed_s']:.0f} s"
            for size in sizes
        )
    )
    print(
        "Targets: same query count at every size; p95 at the largest size < 100 ms and < 3× the smallest."
        + ("" if ok else " NOT MET.")
    )
    print()
    print("Import and export (time of one run; peak Python memory from tracemalloc in a second run; q = SQL queries).")
    print("| seeded people | scenario | time | peak memory | q |")
    print("| --- | --- | --- | --- | --- |")
    for row in transfers:
        print(
            f"| {row['size']:,} | {row['scenario']} | {row['seconds']:.1f} s | {row['peak_mb']:.0f} MB | {row['queries']:,} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
