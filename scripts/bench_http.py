"""HTTP benchmark for `make bench`: each page as a browser gets it, as a ratio to a floor view.

    python scripts/bench_http.py                                   # SQLite, 1,000 people
    python scripts/bench_http.py --reuse --pages week              # the floor and the pages whose name has "week"
    DATABASE_URL=postgres://... python scripts/bench_http.py --backend postgres --people 100000 --reuse

gunicorn serves the app with production settings (DEBUG off, a generated
SECRET_KEY) on 127.0.0.1, with `networking.bench_settings`, which adds one
view: the *floor*, 50 of the user's people read with `values()` through the
same middleware. A client signs in through the login form, then asks for each
page in turn, round after round (interleaved, so a slow moment of the machine
touches every page alike), and reports each page's p50/p95 and its ratio to the
floor's in the same run. Targets: every page at most 2x the floor; the person
page's first response no slower than the people list.

The database is seeded once with `seed_demo --user bench` (follow-ups
computed), plus one person with 500 meetings; with --reuse a seeded database
(PostgreSQL: <name>_bench_http<N>; SQLite: var/bench-http/<N>/) is kept and used
again.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))

from bench import percentile, prepare_environment  # noqa: E402
from loadtest import HOST, PY, Client, Processes, children, free_port, port_open, stack_environment, wait_for  # noqa: E402

USER = "bench"
PASSWORD = "demo-jinmyaku"  # seed_demo's password for the accounts it creates  # nosec B105
WARM_UP_ROUNDS = 3
FLOOR = "floor (50 rows, values())"


def setup_database(people: int) -> dict:
    """Inside a prepared process: migrate, seed when needed, and return the ids the pages need."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")
    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from accounts.models import User
    from contacts import services
    from contacts.models import Meeting, Person

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username=USER).exists():
        call_command("seed_demo", user=USER, people=people, others=1, others_people=min(people, 1000), verbosity=0)
    owner = User.objects.get(username=USER)
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
        meetings = Meeting.objects.bulk_create(
            Meeting(
                owner=owner, date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i), kind="coffee", summary=f"#{i}"
            )
            for i in range(500)
        )
        Meeting.people.through.objects.bulk_create(
            Meeting.people.through(meeting_id=m.pk, person_id=busy.pk) for m in meetings
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # A typical person: a few meetings, as most people in a notebook have.
    typical = (
        Person.objects.filter(owner=owner)
        .exclude(pk=busy.pk)
        .annotate(n=Count("meetings"))
        .filter(n__gte=2, n__lte=5)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return {"busy": busy.pk, "typical": typical or busy.pk, "people": Person.objects.filter(owner=owner).count()}


def pages(ids: dict) -> list[tuple[str, str]]:
    return [
        (FLOOR, "/bench/floor/"),
        ("people list", "/people/"),
        ("search 「山田」", "/people/?q=%E5%B1%B1%E7%94%B0"),
        ("search 'yamada'", "/people/?q=yamada"),
        ("person page, typical", f"/people/{ids['typical']}/"),
        ("person page, 500 meetings", f"/people/{ids['busy']}/"),
        ("This week", "/week/"),
    ]


def cpu_ms(pids: list[int]) -> float:
    """Milliseconds the processes have run on a CPU so far (/proc/<pid>/schedstat, in ns)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e6


def chosen(ids: dict, only: list[str]) -> list[tuple[str, str]]:
    """The floor and the pages whose name contains one of `only` (all pages without it)."""
    return [
        (name, path)
        for name, path in pages(ids)
        if name == FLOOR or not only or any(word.lower() in name.lower() for word in only)
    ]


def measure(
    port: int, ids: dict, rounds: int, workers: list[int], only: list[str]
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, int]]:
    """Each page's wall times, the server's CPU time per request (the one request in flight) and its size."""
    client = Client(port)
    client.login(USER, PASSWORD)
    times: dict[str, list[float]] = {name: [] for name, _ in chosen(ids, only)}
    cpu: dict[str, list[float]] = {name: [] for name, _ in chosen(ids, only)}
    sizes: dict[str, int] = {}
    for round_ in range(WARM_UP_ROUNDS + rounds):
        for name, path in chosen(ids, only):
            cpu_before = cpu_ms(workers)
            started = time.perf_counter()
            status, _, body = client.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"{name} ({path}) answered {status}")
            sizes[name] = len(body.encode())
            if round_ >= WARM_UP_ROUNDS:
                times[name].append(elapsed)
                cpu[name].append(cpu_ms(workers) - cpu_before)
    return times, cpu, sizes


def report(
    times: dict[str, list[float]],
    cpu: dict[str, list[float]],
    sizes: dict[str, int],
    backend: str,
    people: int,
    rounds: int,
) -> None:
    floor_p50 = statistics.median(times[FLOOR])
    floor_p95 = percentile(times[FLOOR], 95)
    print()
    print(
        f"HTTP benchmark, {backend}, {people:,} people: gunicorn (production settings) on {HOST}, "
        f"{rounds} interleaved rounds; times in ms, ratios to the floor view in the same run; "
        "server CPU: the gunicorn workers' CPU time per request (p50)."
    )
    print("| page | p50 | p95 | p50 / floor | p95 / floor | server CPU | KB | target ≤ 2× |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    ok = True
    for name, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 95)
        ratio50, ratio95 = p50 / floor_p50, p95 / floor_p95
        met = name == FLOOR or ratio50 <= 2
        ok = ok and met
        verdict = "–" if name == FLOOR else "met" if met else "NOT MET"
        cpu50 = statistics.median(cpu[name])
        print(
            f"| {name} | {p50:.1f} | {p95:.1f} | {ratio50:.2f}× | {ratio95:.2f}× | {cpu50:.1f} | "
            f"{sizes[name] / 1000:.0f} | {verdict} |"
        )
    if "person page, typical" not in times or "people list" not in times:
        print("All measured pages met the target." if ok else "Some targets NOT MET.")
        return
    person = statistics.median(times["person page, typical"])
    listing = statistics.median(times["people list"])
    print(
        f"Person page's first response (typical) {person:.1f} ms vs people list {listing:.1f} ms (p50): "
        + ("met" if person <= listing else "NOT MET")
    )
    print("All targets met." if ok and person <= listing else "Some targets NOT MET.")


def prepare(backend: str, people: int, reuse: bool) -> dict:
    if backend == "postgres":
        return prepare_environment("postgres", reuse=f"http{people}" if reuse else "")
    env = os.environ.copy()
    var = BASE_DIR / "var" / "bench-http" / str(people)
    if not reuse:
        shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True, exist_ok=True)
    env |= {"DEBUG": "true", "JINMYAKU_VAR_DIR": str(var), "ALLOWED_HOSTS": "testserver"}
    env.pop("DATABASE_URL", None)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=0, help="default: 100,000 on PostgreSQL, 1,000 on SQLite")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database and use it again")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument(
        "--pages", nargs="*", default=[], metavar="WORD", help="only the pages whose name has a WORD (and the floor)"
    )
    parser.add_argument("--setup", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.setup:
        print(json.dumps(setup_database(args.setup)))
        return 0

    people = args.people or (100_000 if args.backend == "postgres" else 1_000)
    env = prepare(args.backend, people, args.reuse)
    print(
        f"[bench-http] {args.backend}: preparing {people:,} people (seeding when new; 100,000 take minutes)…",
        flush=True,
    )
    setup = subprocess.run(
        [PY, __file__, "--setup", str(people)], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    if setup.returncode != 0:
        print(setup.stdout[-3000:], setup.stderr[-3000:], file=sys.stderr)
        return 1
    ids = json.loads(setup.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory(prefix="jinmyaku-bench-http-") as tmp:
        work = Path(tmp)
        server_env = stack_environment(env.get("DATABASE_URL", ""), env.get("CELERY_BROKER_URL", "filesystem://"), work)
        server_env |= {"DJANGO_SETTINGS_MODULE": "networking.bench_settings", "LOG_LEVEL": "WARNING"}
        if args.backend == "sqlite":
            server_env.pop("DATABASE_URL", None)
            server_env["JINMYAKU_VAR_DIR"] = env["JINMYAKU_VAR_DIR"]
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=server_env, cwd=BASE_DIR, check=True
        )
        processes = Processes(work)
        port = args.port or free_port()
        try:
            server = processes.start(
                "gunicorn",
                [PY, "-m", "gunicorn", "networking.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", "2"],
                server_env,
            )
            wait_for(lambda: port_open(port), 60, "gunicorn")
            wait_for(lambda: len(children(server.pid)) == 2, 60, "gunicorn's workers")
            times, cpu, sizes = measure(port, ids, args.rounds, children(server.pid), args.pages)
        finally:
            processes.stop_all()
    report(times, cpu, sizes, args.backend, ids["people"], args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
