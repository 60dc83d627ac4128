"""Load and fault test for `make loadtest`: the production topology under a steady mix, with faults.

    python scripts/loadtest.py            # 100,000 people, ramp, 5 minutes steady with faults
    python scripts/loadtest.py --quick    # 10,000 people, short ramp, 60 s steady, short faults

What it starts, all on 127.0.0.1 and all stopped again at exit (Ctrl-C too):

- a PostgreSQL cluster of its own (initdb'd once under var/loadtest/, then
  reused with its seeded database), so restarting "PostgreSQL" disturbs no
  one else's database on a shared machine; `--system-postgres` uses the
  machine's cluster on 127.0.0.1:5432 instead and restarts it with
  pg_ctlcluster (a database of its own there, jinmyaku_load_<people>);
- a redis-server of its own on a free port (append-only, as in
  docker-compose.yml), so stopping Redis for 30 s stops no one else's;
- gunicorn with production settings (DEBUG off, a generated SECRET_KEY),
  one Celery worker and beat.

The load is open-loop: requests are sent at a fixed rate whatever the server
does, and each latency is measured from the moment the request was due, so a
stalled server shows up in the figures instead of slowing the client down. A
short ramp steps the rate up until p99 reaches 250 ms; the steady phase runs
at 70 % (--headroom) of the highest rate that stayed under it (when even the
lowest rate misses 250 ms, because some page is that slow on its own, the ramp
stops where p99 grows 50 % over the lowest rate's instead, and the report says
so), and the faults happen during it, each in a labelled phase. Afterwards the database is checked: every save the
client saw succeed exists exactly once (by its marker), no failed save is
half there, no person has two open follow-ups of one reason, and the
recomputes queued while Redis was down were done.

Nothing is sent anywhere but 127.0.0.1, and every loop is bounded: at most
--max-requests requests, each with a 10 s timeout, and a hard deadline for the
whole run.
"""

import argparse
import contextlib
import datetime
import glob
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"  # the only address this script ever sends to
LOAD_USER = "load"
OTHER_USER = "load-other-1"
PASSWORD = "demo-jinmyaku"  # seed_demo's password for the accounts it creates  # nosec B105
P99_TARGET_MS = 250.0
REQUEST_TIMEOUT = 10.0
CLIENT_THREADS = 64
# Sync workers, 2 x cores: a request is Python and PostgreSQL work on the same
# two cores, so two workers run Python while two wait for the database; more
# only add context switches, fewer leave a core idle during database waits,
# and with one killed three still serve.
GUNICORN_WORKERS = 4

MIX = {"list": 40, "person": 40, "save": 15, "probe": 5}


# Bookkeeping (pure, tested in tests/test_loadtest.py)


@dataclass
class Result:
    """One request: when it was due, when it ran, what came back."""

    category: str
    name: str
    due: float  # seconds since the run's clock started
    started: float
    ended: float
    status: int = 0
    error: str = ""  # "" when the request got the expected answer
    save: tuple[str, str] | None = None  # (kind, marker) for saves
    target: int = 0  # the person a save was about

    @property
    def latency_ms(self) -> float:
        return (self.ended - self.due) * 1000

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class Phase:
    name: str
    start: float
    end: float


@dataclass
class PhaseStats:
    name: str
    seconds: float
    requests: int
    throughput: float
    p50: float
    p95: float
    p99: float
    errors: dict[str, int] = field(default_factory=dict)
    errors_pg_down: int = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100)
    return ordered[int(min(rank, len(ordered))) - 1]


def overlaps(start: float, end: float, windows: list[tuple[float, float]]) -> bool:
    return any(start <= w_end and end >= w_start for w_start, w_end in windows)


def phase_stats(results: list[Result], phase: Phase, down: list[tuple[float, float]]) -> PhaseStats:
    """Figures for the requests due within the phase; errors overlapping a down window counted apart."""
    mine = [r for r in results if phase.start <= r.due < phase.end]
    latencies = [r.latency_ms for r in mine]
    errors: dict[str, int] = {}
    during_down = 0
    for r in mine:
        if r.ok:
            continue
        if overlaps(r.started, r.ended, down):
            during_down += 1
            continue
        errors[r.error] = errors.get(r.error, 0) + 1
    seconds = phase.end - phase.start
    return PhaseStats(
        name=phase.name, seconds=seconds, requests=len(mine), throughput=len(mine) / seconds if seconds else 0.0,
        p50=percentile(latencies, 50), p95=percentile(latencies, 95), p99=percentile(latencies, 99),
        errors=errors, errors_pg_down=during_down,
    )  # fmt: skip


def down_windows(polls: list[tuple[float, bool]]) -> list[tuple[float, bool]]:
    """Turn (time, up) polls into [(from, to)] windows: from the last poll that saw the server up
    before a failing one, to the first poll that saw it up again (or the last poll)."""
    windows = []
    last_up = None
    down_since = None
    for at, up in polls:
        if up:
            if down_since is not None:
                windows.append((down_since, at))
                down_since = None
            last_up = at
        elif down_since is None:
            down_since = last_up if last_up is not None else at
    if down_since is not None and polls:
        windows.append((down_since, polls[-1][0]))
    return windows


def ramp_ceiling(first_p99: float) -> float:
    """The p99 a ramp step may reach: the target; or, when even the lowest rate misses it (some page is
    slower than the target on its own), 50 % over the lowest rate's p99, where queueing starts to add to it."""
    return P99_TARGET_MS if first_p99 < P99_TARGET_MS else first_p99 * 1.5


def error_text(errors: dict[str, int]) -> str:
    return ", ".join(f"{kind} × {n}" for kind, n in sorted(errors.items())) or "–"


# Processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


class Processes:
    """Every process this run started, each in its own session, to be stopped at exit."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(
            argv, env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        """Send `sig` to the process and its children (its process group), and reap it."""
        process = self.running.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Postgres:
    """A PostgreSQL server: this run's own cluster (default) or the machine's (--system-postgres)."""

    def __init__(self, *, system: bool, state: Path, logs: Path):
        self.system = system
        self.bindir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.version = self.bindir.parent.name
        if system:
            self.port = 5432
        else:
            self.data = state / f"pg{self.version}"
            self.port = free_port()
            self.logfile = logs / "postgresql.log"

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def ready(self) -> bool:
        out = subprocess.run([str(self.bindir / "pg_isready"), "-h", HOST, "-p", str(self.port), "-t", "1"],
                             capture_output=True)  # fmt: skip
        return out.returncode == 0

    def start(self) -> None:
        if self.system:
            if not self.ready():
                self._system_ctl("start")
            return
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.data, "postgres", "postgres")
            self.data.chmod(0o700)
            subprocess.run(self._as_owner([str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                                           "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                           check=True, capture_output=True)  # fmt: skip
        if os.geteuid() == 0:
            self.logfile.touch()
            shutil.chown(self.logfile, "postgres", "postgres")
        if (self.data / "postmaster.pid").exists():
            # Left running by a run that was killed outright: it is this script's own cluster.
            with contextlib.suppress(subprocess.CalledProcessError):
                self._ctl("stop")
        self._ctl("start")

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses={HOST} -c unix_socket_directories='' -c shared_buffers=256MB"
        argv = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60"]
        if action == "start":
            argv += ["-o", options, "start"]
        elif action == "restart":
            argv += ["-o", options, "-m", "fast", "restart"]
        else:
            argv += ["-m", "fast", "stop"]
        subprocess.run(self._as_owner(argv), check=True, capture_output=True)

    def _system_ctl(self, action: str) -> None:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action], check=True)

    def restart(self) -> None:
        if self.system:
            self._system_ctl("restart")
        else:
            self._ctl("restart")

    def finish(self) -> None:
        """Stop this run's own cluster; make sure the machine's is running again."""
        if self.system:
            if not self.ready():
                self._system_ctl("start")
        elif (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._ctl("stop")

    def query(self, database: str, statement, params: dict | None = None) -> list[tuple]:
        """Run one statement (parameters bound by psycopg) outside a transaction; return its rows."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


class Redis:
    """A redis-server of this run's own on a free loopback port, append-only like production."""

    def __init__(self, processes: Processes, work: Path):
        self.processes = processes
        self.port = free_port()
        self.dir = work / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "yes",
                "--dir", str(self.dir)]  # fmt: skip
        self.processes.start("redis", argv, os.environ.copy())
        wait_for(lambda: port_open(self.port), 20, "redis-server")

    def stop(self) -> None:
        self.processes.kill("redis", signal.SIGTERM)


# The stack


def stack_environment(database_url: str, broker_url: str, work: Path) -> dict:
    env = os.environ.copy()
    env |= {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_HOST": HOST,
        "STATIC_ROOT": str(work / "static"),
        "JINMYAKU_VAR_DIR": str(work / "var"),
        "LOG_LEVEL": "WARNING",
    }
    (work / "var").mkdir(parents=True, exist_ok=True)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], env=env, cwd=BASE_DIR, check=True)


def prepare_database(pg: Postgres, *, people: int, others_people: int, reseed: bool, env: dict, log) -> str:
    """Return the name of a migrated database seeded with `people` people, seeding it when needed.

    It is seeded under a temporary name and renamed when complete, so an interrupted seed is never reused.
    """
    name = f"jinmyaku_load_{people}"
    exists = pg.query("postgres", "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}) != []
    if exists and not reseed:
        log(f"reusing the seeded database {name}")
        manage(env | {"DATABASE_URL": pg.url(name)}, "migrate", "--noinput", "-v", "0")
        return name
    seeding = name + "_seeding"
    for db in (seeding, name):
        pg.query("postgres", sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
    pg.query("postgres", sql.SQL("CREATE DATABASE {}").format(sql.Identifier(seeding)))
    seed_env = env | {"DATABASE_URL": pg.url(seeding)}
    manage(seed_env, "migrate", "--noinput", "-v", "0")
    log(f"seeding {people:,} people for {LOAD_USER!r} (and {others_people:,} for {OTHER_USER!r}); this takes a while")
    started = time.monotonic()
    manage(seed_env, "seed_demo", "--user", LOAD_USER, "--people", str(people), "--others", "1",
           "--others-people", str(others_people))  # fmt: skip
    pg.query(seeding, "VACUUM ANALYZE")
    pg.query(
        "postgres", sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(seeding), sql.Identifier(name))
    )
    log(f"seeded in {time.monotonic() - started:.0f} s")
    return name


class Stack:
    """gunicorn, one Celery worker and beat, against the given database and broker."""

    def __init__(self, processes: Processes, env: dict, work: Path):
        self.processes = processes
        self.env = env
        self.work = work
        self.port = free_port()

    def start(self) -> None:
        self.processes.start("gunicorn", [PY, "-m", "gunicorn", "networking.wsgi:application", "--bind",
                                          f"{HOST}:{self.port}", "--workers", str(GUNICORN_WORKERS),
                                          "--timeout", "30"], self.env)  # fmt: skip
        self.start_worker()
        self.processes.start("beat", [PY, "-m", "celery", "-A", "networking", "beat", "--loglevel", "INFO",
                                      "--schedule", str(self.work / "var" / "celerybeat-schedule")], self.env)  # fmt: skip
        wait_for(self.healthy, 60, "gunicorn")
        wait_for(lambda: len(self.gunicorn_workers()) == GUNICORN_WORKERS, 30, "gunicorn's workers")

    def start_worker(self) -> None:
        self.processes.start("worker", [PY, "-m", "celery", "-A", "networking", "worker", "--loglevel", "INFO",
                                        "--concurrency", "1", "--without-gossip", "--without-mingle"], self.env)  # fmt: skip

    def healthy(self) -> bool:
        try:
            conn = HTTPConnection(HOST, self.port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            return conn.getresponse().status == 200
        except OSError:
            return False

    def gunicorn_workers(self) -> list[int]:
        master = self.processes.running.get("gunicorn")
        return children(master.pid) if master else []

    def kill_gunicorn_worker(self) -> int:
        pid = random.choice(self.gunicorn_workers())
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_worker(self) -> None:
        self.processes.kill("worker", signal.SIGKILL)


# The client


class Client:
    """A signed-in browser, as far as the server can tell: session cookie, CSRF token, htmx headers."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.retried = 0  # GETs sent again after a reset
        self.lock = threading.Lock()

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None,
                keep_cookies: bool = False) -> tuple[int, dict, str]:  # fmt: skip
        """Send one request. A GET whose connection is reset before any answer (its gunicorn
        worker was killed) is sent once more, as browsers do for idempotent requests
        (RFC 9110, 9.2.2); a POST never is. Retries are counted in `self.retried`."""
        try:
            return self._send(method, path, form, headers, keep_cookies)
        except ConnectionResetError:  # includes http.client.RemoteDisconnected
            if method != "GET":
                raise
        with self.lock:
            self.retried += 1
        return self._send(method, path, form, headers, keep_cookies)

    def _send(self, method, path, form, headers, keep_cookies) -> tuple[int, dict, str]:
        conn = HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            all_headers = {
                "X-Forwarded-Proto": "https",
                "Host": f"{HOST}:{self.port}",
                "Connection": "close",
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **(headers or {}),
            }
            body = None
            if form is not None:
                body = urlencode({"csrfmiddlewaretoken": self.csrf, **form}, doseq=True)
                all_headers |= {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + path,
                }
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            if keep_cookies:
                for header, value in response.getheaders():
                    if header.lower() == "set-cookie":
                        name, _, rest = value.partition("=")
                        self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), text
        finally:
            conn.close()

    def login(self, username: str, password: str) -> None:
        status, _, html = self.request("GET", "/accounts/login/", keep_cookies=True)
        if status != 200:
            raise RuntimeError(f"the login page answered {status}")
        self.csrf = csrf_token(html)
        status, headers, _ = self.request(
            "POST", "/accounts/login/", {"username": username, "password": password}, keep_cookies=True
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username} answered {status}")
        status, _, html = self.request("GET", "/people/", keep_cookies=True)
        if status != 200:
            raise RuntimeError(f"the people list answered {status} after signing in")
        self.csrf = csrf_token(html)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken"\s*:\s*"([^"]+)"', html.replace("&quot;", '"')
    )
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


@dataclass
class Ids:
    """What the mix picks from: the load user's people, fields, events; the other user's people and meetings."""

    people: list[int]
    fields: list[int]
    events: list[int]
    foreign_people: list[int]
    foreign_meetings: list[int]
    owner: int

    @classmethod
    def load(cls, pg: Postgres, database: str) -> "Ids":
        def ints(statement: str, **params) -> list[int]:
            return [row[0] for row in pg.query(database, statement, params)]

        user = "SELECT id FROM accounts_user WHERE username = %(name)s"
        owner, other = ints(user, name=LOAD_USER)[0], ints(user, name=OTHER_USER)[0]
        # Active people with no open next-step follow-up, so a meeting's next step must make one.
        people = ints(
            "SELECT p.id FROM contacts_person p WHERE p.owner_id = %(owner)s AND p.status = 'active' AND NOT EXISTS "
            "(SELECT 1 FROM followups_followup f WHERE f.person_id = p.id AND f.reason = 'next_step' AND f.state = 'open')",
            owner=owner,
        )
        return cls(
            people=people,
            fields=ints("SELECT id FROM contacts_field WHERE owner_id = %(o)s", o=owner),
            events=[],  # today's, made through the capture page once signed in
            foreign_people=ints("SELECT id FROM contacts_person WHERE owner_id = %(o)s", o=other),
            foreign_meetings=ints("SELECT id FROM contacts_meeting WHERE owner_id = %(o)s LIMIT 1000", o=other),
            owner=owner,
        )


HX = {"HX-Request": "true"}
SEARCHES = ["山田", "やまだ", "佐藤", "たなか", "yamada", "sato", "株式会社", "鈴木 一", "すずき", "takahashi"]


class Mix:
    """Build the next request: (category, name, method, path, form, headers, expected status, save)."""

    def __init__(self, ids: Ids, run_id: str, seed: int):
        self.ids = ids
        self.run_id = run_id
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.seq = 0
        self.today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
        self.categories = list(MIX)
        self.weights = list(MIX.values())

    def next(self):
        with self.lock:
            rng = self.rng
            category = rng.choices(self.categories, self.weights)[0]
            self.seq += 1
            return getattr(self, f"_{category}")(rng, self.seq)

    def _list(self, rng, seq):
        pages = max(2, len(self.ids.people) // 50)
        choices = [
            ("people list", "/people/", {}),
            ("people list, deep page", f"/people/?page={rng.randint(2, pages)}", {}),
            ("search", "/people/?" + urlencode({"q": rng.choice(SEARCHES)}), {}),
            (
                "search (htmx)",
                "/people/?" + urlencode({"q": rng.choice(SEARCHES)}),
                HX | {"HX-Target": "people-results"},
            ),
            ("filter", f"/people/?tier=network&sort=last_contact&field={rng.choice(self.ids.fields or [''])}", {}),
            ("ledger overview", rng.choice(["/ledger/", "/ledger/?flag=taker", "/ledger/?flag=money&period=all"]), {}),
            ("this week", "/week/", {}),
            ("due count (htmx)", "/week/count/", HX | {"HX-Target": "due-count"}),
        ]
        name, path, headers = rng.choice(choices)
        return "list", name, "GET", path, None, headers, 200, None, 0

    def _person(self, rng, seq):
        pk = rng.choice(self.ids.people)
        choices = [
            ("person page", f"/people/{pk}/", {}),
            ("person page", f"/people/{pk}/", {}),
            ("timeline (htmx)", f"/people/{pk}/?page=2", HX | {"HX-Target": "timeline-more"}),
            ("ledger panel (htmx)", f"/people/{pk}/ledger/panel/", HX),
            ("follow-up panel (htmx)", f"/people/{pk}/followups/panel/", HX),
            ("key-role panel (htmx)", f"/people/{pk}/key-roles/", HX),
            ("ledger form (htmx)", f"/people/{pk}/ledger/", HX | {"HX-Target": "ledger-form"}),
            ("meeting form (htmx)", f"/meetings/new/?person={pk}", HX | {"HX-Target": "meeting-form"}),
            (
                "meeting picker (htmx)",
                f"/meetings/new/?person={pk}&people_q=%E5%B1%B1",
                HX | {"HX-Target": "people-choices"},
            ),
            ("edit form", f"/people/{pk}/edit/", {}),
        ]
        name, path, headers = rng.choice(choices)
        return "person", name, "GET", path, None, headers, 200, None, 0

    def _save(self, rng, seq):
        marker = f"LT{self.run_id}-{seq:07d}"
        kind = rng.choice(["meeting", "ledger", "capture"])
        pk = rng.choice(self.ids.people)
        if kind == "meeting":
            form = {"date": self.today.isoformat(), "kind": "coffee", "people": pk, "event": "", "summary": marker,
                    "next_step": marker, "next_step_on": (self.today + datetime.timedelta(days=7)).isoformat()}  # fmt: skip
            return "save", "save meeting", "POST", f"/meetings/new/?person={pk}", form, {}, 302, (kind, marker), pk
        if kind == "ledger":
            form = {"direction": "gave", "kind": "information", "weight": "1", "date": self.today.isoformat(),
                    "description": marker, "amount": "", "currency": "", "meeting": "", "introduced_person": ""}  # fmt: skip
            return "save", "save ledger entry", "POST", f"/people/{pk}/ledger/", form, {}, 302, (kind, marker), pk
        event = rng.choice(self.ids.events)
        form = {"name": f"負荷 {marker}", "reading": "ふか てすと", "company": "株式会社ロード", "memo": marker}
        return "save", "save capture row", "POST", f"/capture/{event}/rows/", form, {}, 302, (kind, marker), 0

    def _probe(self, rng, seq):
        pk = rng.choice(self.ids.foreign_people)
        choices = [
            ("foreign person", f"/people/{pk}/", {}),
            ("foreign person (htmx)", f"/people/{pk}/ledger/panel/", HX),
            ("foreign ledger form", f"/people/{pk}/ledger/", {}),
            ("foreign meeting form (htmx)", f"/meetings/new/?person={pk}", HX | {"HX-Target": "meeting-form"}),
        ]
        if self.ids.foreign_meetings:
            choices.append(("foreign meeting", f"/meetings/{rng.choice(self.ids.foreign_meetings)}/edit/", {}))
        name, path, headers = rng.choice(choices)
        return "probe", name, "GET", path, None, headers, 404, None, 0


def classify(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    return f"connection error ({type(error).__name__})"


class LoadRunner:
    """Open-loop: one thread sends requests at their due times to a pool of client threads."""

    def __init__(self, client: Client, mix: Mix, clock0: float, budget: "Budget"):
        self.client = client
        self.mix = mix
        self.clock0 = clock0
        self.budget = budget
        self.results: list[Result] = []

    def now(self) -> float:
        return time.monotonic() - self.clock0

    def _one(self, due: float, spec) -> None:
        category, name, method, path, form, headers, expected, save, target = spec
        started = self.now()
        status, error = 0, ""
        try:
            status, _, _ = self.client.request(method, path, form, headers)
            if status != expected:
                error = f"HTTP {status}" + (" on a foreign id" if category == "probe" and status < 400 else "")
        except (OSError, Exception) as exc:  # noqa: BLE001 - every failure is a data point
            error = classify(exc)
        self.results.append(Result(category, name, due, started, self.now(), status, error, save, target))

    def run(self, rate: float, seconds: float) -> list[Result]:
        """Send `rate` requests a second for `seconds`; return this stretch's results."""
        first = len(self.results)
        jobs: queue.Queue = queue.Queue()

        def work():
            while (job := jobs.get()) is not None:
                self._one(*job)

        threads = [threading.Thread(target=work, daemon=True) for _ in range(CLIENT_THREADS)]
        for t in threads:
            t.start()
        start = self.now()
        count = self.budget.take(int(rate * seconds))
        for i in range(count):
            due = start + i / rate
            delay = due - self.now()
            if delay > 0:
                time.sleep(delay)
            jobs.put((due, self.mix.next()))
        for _ in threads:
            jobs.put(None)
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT * (1 + jobs.qsize() / CLIENT_THREADS) + 5)
        return self.results[first:]


class Budget:
    """The hard caps: requests in all, and a deadline for the whole run."""

    def __init__(self, max_requests: int, deadline: float):
        self.left = max_requests
        self.deadline = deadline

    def take(self, n: int) -> int:
        if time.monotonic() > self.deadline:
            raise RuntimeError("the run's deadline passed")
        n = min(n, self.left)
        self.left -= n
        return n


# Faults


class PgPoller:
    """Poll pg_isready in the background; the polls give the windows PostgreSQL was actually down."""

    def __init__(self, pg: Postgres, clock, interval: float = 0.05):
        self.pg, self.clock, self.interval = pg, clock, interval
        self.polls: list[tuple[float, bool]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            self.polls.append((self.clock(), self.pg.ready()))
            self.stop.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


@dataclass
class Schedule:
    steady: float
    kill_gunicorn: float
    redis_stop: float
    redis_down: float
    pg_restart: float
    celery_kill: float
    celery_down: float
    calm: float  # when the last phase (after the faults) starts

    @classmethod
    def full(cls):
        return cls(steady=300, kill_gunicorn=45, redis_stop=80, redis_down=30, pg_restart=150, celery_kill=200,
                   celery_down=5, calm=240)  # fmt: skip

    @classmethod
    def quick(cls):
        return cls(steady=60, kill_gunicorn=8, redis_stop=16, redis_down=10, pg_restart=32, celery_kill=42,
                   celery_down=3, calm=50)  # fmt: skip

    def phases(self, offset: float) -> list[Phase]:
        marks = [
            ("baseline", 0),
            ("gunicorn worker SIGKILLed", self.kill_gunicorn),
            (f"Redis stopped ({self.redis_down:.0f} s)", self.redis_stop),
            ("Redis back", self.redis_stop + self.redis_down),
            ("PostgreSQL restarted", self.pg_restart),
            ("Celery worker SIGKILLed, new one started", self.celery_kill),
            ("after the faults", self.calm),
        ]
        ends = [m[1] for m in marks[1:]] + [self.steady]
        return [Phase(name, offset + start, offset + end) for (name, start), end in zip(marks, ends, strict=True)]


def run_faults(schedule: Schedule, start: float, clock, stack: Stack, redis: Redis, pg: Postgres, events: list,
               stop: threading.Event, log) -> None:  # fmt: skip
    """Do the faults at their times (seconds after `start` on `clock`); note what was done when."""

    def at(offset: float) -> bool:
        delay = start + offset - clock()
        return not (delay > 0 and stop.wait(delay))

    def note(text: str) -> None:
        events.append((clock(), text))
        log(text)

    steps = [
        (schedule.kill_gunicorn, lambda: note(f"SIGKILL gunicorn worker {stack.kill_gunicorn_worker()}")),
        (schedule.redis_stop, lambda: (redis.stop(), note("redis-server stopped"))),
        (schedule.redis_stop + schedule.redis_down, lambda: (redis.start(), note("redis-server started again"))),
        (schedule.pg_restart, lambda: (note("PostgreSQL restart begins"), pg.restart(), note("PostgreSQL restarted"))),
        (schedule.celery_kill, lambda: (stack.kill_worker(), note("Celery worker SIGKILLed"))),
        (schedule.celery_kill + schedule.celery_down, lambda: (stack.start_worker(), note("new Celery worker started"))),
    ]  # fmt: skip
    for offset, action in steps:
        if not at(offset):
            return
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - report it and go on with the next fault
            note(f"fault step failed: {exc!r}")


# Verification


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def verify(pg: Postgres, database: str, results: list[Result], ids: Ids, run_id: str, redis_window, env, log):
    """Compare the saves the client saw with the database; check follow-ups and the catch-up."""

    def rows(statement: str) -> list[tuple]:
        return pg.query(database, statement, {"owner": ids.owner, "prefix": f"LT{run_id}-%"})

    checks: list[Check] = []
    counts: dict[tuple[str, str], int] = {}
    broken: dict[str, str] = {}  # marker: what is missing
    for marker, n, linked in rows(
        "SELECT m.summary, count(*), min((SELECT count(*) FROM contacts_meeting_people mp WHERE mp.meeting_id = m.id)) "
        "FROM contacts_meeting m WHERE m.owner_id = %(owner)s AND m.summary LIKE %(prefix)s "
        "AND m.kind = 'coffee' GROUP BY m.summary"
    ):
        counts[("meeting", marker)] = n
        if linked != 1:
            broken[marker] = f"meeting with {linked} people"
    for marker, n in rows(
        "SELECT description, count(*) FROM contacts_ledgerentry WHERE owner_id = %(owner)s "
        "AND description LIKE %(prefix)s GROUP BY description"
    ):
        counts[("ledger", marker)] = n
    # A captured row is whole when its person exists with one first meeting at the event carrying the memo.
    for marker, people, meetings in rows(
        "SELECT p.given_name, count(DISTINCT p.id), count(DISTINCT m.id) FROM contacts_person p "
        "LEFT JOIN contacts_meeting_people mp ON mp.person_id = p.id "
        "LEFT JOIN contacts_meeting m ON m.id = mp.meeting_id AND m.summary = p.given_name "
        "WHERE p.owner_id = %(owner)s AND p.given_name LIKE %(prefix)s GROUP BY p.given_name"
    ):
        counts[("capture", marker)] = people
        if meetings != people:
            broken[marker] = f"{people} captured people, {meetings} meetings"
    for (marker,) in rows(
        "SELECT m.summary FROM contacts_meeting m WHERE m.owner_id = %(owner)s AND m.kind = 'first_at_event' "
        "AND m.summary LIKE %(prefix)s AND NOT EXISTS "
        "(SELECT 1 FROM contacts_person p WHERE p.owner_id = %(owner)s AND p.given_name = m.summary)"
    ):
        broken[marker] = "captured meeting without its person"

    saves = [r for r in results if r.save]
    seen_ok = [r for r in saves if r.ok]
    seen_failed = [r for r in saves if not r.ok]
    lost = [r.save[1] for r in seen_ok if counts.get(r.save, 0) == 0]
    doubled = [m for (kind, m), n in counts.items() if n > 1]
    failed_but_there = [r.save[1] for r in seen_failed if counts.get(r.save, 0) == 1]
    unknown = set(counts) - {r.save for r in saves}
    checks.append(Check("every save the client saw succeed exists", not lost,
                        f"{len(seen_ok)} saves seen to succeed, {len(lost)} missing" + (f": {lost[:5]}" if lost else "")))  # fmt: skip
    checks.append(Check("no save exists twice", not doubled, f"{len(doubled)} duplicated" + (f": {doubled[:5]}" if doubled else "")))  # fmt: skip
    checks.append(Check("no save is half there", not broken, f"{len(broken)} partial" + (f": {list(broken.items())[:5]}" if broken else "")))  # fmt: skip
    checks.append(Check("no save appears that the client never sent", not unknown, f"{len(unknown)} unexpected"))
    failed_broken = [r.save[1] for r in seen_failed if r.save[1] in broken or counts.get(r.save, 0) > 1]
    checks.append(Check(
        "saves seen to fail are whole or absent", not failed_broken,
        f"{len(seen_failed)} saves seen to fail: {len(failed_but_there)} committed whole (the answer was lost, "
        f"not the save), {len(seen_failed) - len(failed_but_there) - len(failed_broken)} absent, "
        f"{len(failed_broken)} partial or doubled",
    ))  # fmt: skip

    dupes = rows(
        "SELECT person_id, reason, count(*) FROM followups_followup WHERE state = 'open' "
        "GROUP BY person_id, reason HAVING count(*) > 1"
    )
    checks.append(Check("no duplicated open follow-ups (person + reason)", not dupes,
                        f"{len(dupes)} duplicated" + (f": {dupes[:5]}" if dupes else "")))  # fmt: skip

    # The catch-up: the recomputes noted while Redis was down (or the worker dead) must be done.
    def pending() -> int:
        return rows("SELECT count(*) FROM followups_pendingrecompute WHERE owner_id = %(owner)s")[0][0]

    how = "by the worker on its own (later saves re-send the owner's recompute)"
    deadline = time.monotonic() + 60
    while pending() and time.monotonic() < deadline:
        time.sleep(1)
    if pending():
        log("pending recomputes remain after 60 s; running `manage.py reap --stale-after 0`")
        manage(env, "reap", "--stale-after", "0")
        how = "after `manage.py reap --stale-after 0` (the beat task's catch-up, run by hand)"
        deadline = time.monotonic() + 60
        while pending() and time.monotonic() < deadline:
            time.sleep(1)
    left = pending()
    checks.append(Check("no recompute left pending", left == 0, f"{left} notes left; drained {how}"))

    # Each meeting's next step makes a next-step follow-up; each captured person (met for the first
    # time, just now) gets a thank-you one. Both are made by the worker, after the save.
    with_step = {p for (p,) in rows(
        "SELECT DISTINCT person_id FROM followups_followup WHERE owner_id = %(owner)s "
        "AND reason = 'next_step' AND state = 'open'"
    )}  # fmt: skip
    thanked = {m for (m,) in rows(
        "SELECT p.given_name FROM contacts_person p JOIN followups_followup f ON f.person_id = p.id "
        "WHERE p.owner_id = %(owner)s AND p.given_name LIKE %(prefix)s AND f.reason = 'thank_you'"
    )}  # fmt: skip

    def followed_up(r: Result) -> bool:
        return r.target in with_step if r.save[0] == "meeting" else r.save[1] in thanked

    watched = [r for r in seen_ok if r.save[0] in ("meeting", "capture")]
    missing = [r.save[1] for r in watched if not followed_up(r)]
    checks.append(Check("every meeting saved gave a next-step follow-up, every captured person a thank-you one",
                        not missing, f"{len(watched)} saves, {len(missing)} without one" + (f": {missing[:5]}" if missing else "")))  # fmt: skip
    in_outage = [r for r in watched if redis_window[0] <= r.started <= redis_window[1]]
    missing_outage = [r.save[1] for r in in_outage if not followed_up(r)]
    checks.append(Check("…including those saved while Redis was down", bool(in_outage) and not missing_outage,
                        f"{len(in_outage)} such saves during the outage, {len(missing_outage)} without a follow-up"))  # fmt: skip
    return checks, {
        "saves_ok": len(seen_ok),
        "saves_failed": len(seen_failed),
        "failed_but_committed": len(failed_but_there),
    }


# Report


def stats_table(stats: list[PhaseStats], *, with_down: bool = True) -> list[str]:
    lines = ["| phase | s | requests | req/s | p50 ms | p95 ms | p99 ms | errors | errors while PostgreSQL down |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]  # fmt: skip
    for s in stats:
        lines.append(
            f"| {s.name} | {s.seconds:.0f} | {s.requests:,} | {s.throughput:.1f} | {s.p50:.0f} | {s.p95:.0f} | "
            f"{s.p99:.0f} | {error_text(s.errors)} | {s.errors_pg_down if with_down else '–'} |"
        )
    return lines


def category_rows(results: list[Result]) -> list[tuple[str, int, float, float, float, int]]:
    """(category: name, n, p50, p95, p99, errors) per kind of request."""
    rows = []
    for category, name in sorted({(r.category, r.name) for r in results}):
        mine = [r for r in results if r.name == name]
        lat = [r.latency_ms for r in mine]
        rows.append((f"{category}: {name}", len(mine), percentile(lat, 50), percentile(lat, 95), percentile(lat, 99),
                     sum(not r.ok for r in mine)))  # fmt: skip
    return rows


def category_table(results: list[Result]) -> list[str]:
    lines = ["| request | n | p50 ms | p95 ms | p99 ms | errors |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, n, p50, p95, p99, errors in category_rows(results):
        lines.append(f"| {name} | {n} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {errors} |")
    return lines


def main() -> int:  # noqa: C901 - one script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 people, short ramp, 60 s steady, short faults")
    parser.add_argument("--people", type=int, help="people for the load user (default 100,000; 10,000 with --quick)")
    parser.add_argument("--reseed", action="store_true", help="seed a fresh database even when one is there")
    parser.add_argument("--seed-only", action="store_true", help="prepare the seeded database, then stop")
    parser.add_argument("--rate", type=float, help="skip the ramp and run the steady phase at this many requests/s")
    parser.add_argument("--ramp-start", type=float, default=4.0, help="the ramp's first rate (requests/s)")
    parser.add_argument("--ramp-factor", type=float, default=1.3, help="each ramp step's rate over the last")
    parser.add_argument("--headroom", type=float, default=0.7,
                        help="the steady rate as a share of the highest ramp step that met the target")  # fmt: skip
    parser.add_argument("--max-requests", type=int, default=200_000, help="hard cap on requests in all")
    parser.add_argument("--deadline", type=float, default=45, help="hard cap on the run, in minutes (seeding excluded)")
    parser.add_argument("--system-postgres", action="store_true",
                        help="use (and restart) the machine's PostgreSQL on 127.0.0.1:5432 instead of a cluster of its own")  # fmt: skip
    parser.add_argument("--report", help="where to write the report (default artifacts/loadtest-report.md, "
                        "artifacts/loadtest-report-quick.md with --quick)")  # fmt: skip
    args = parser.parse_args()

    people = args.people or (10_000 if args.quick else 100_000)
    args.report = args.report or str(BASE_DIR / "artifacts" / f"loadtest-report{'-quick' if args.quick else ''}.md")
    schedule = Schedule.quick() if args.quick else Schedule.full()
    ramp_step = 8.0 if args.quick else 20.0
    run_id = secrets.token_hex(3)
    state = BASE_DIR / "var" / "loadtest"
    work = state / f"run-{run_id}"
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    def log(text: str) -> None:
        print(f"[loadtest {time.strftime('%H:%M:%S')}] {text}", flush=True)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    processes = Processes(logs)
    pg = Postgres(system=args.system_postgres, state=state, logs=logs)
    checks: list[Check] = []
    try:
        log(f"run {run_id}; logs in {logs}")
        pg.start()
        redis = Redis(processes, work)
        redis.start()
        base_env = stack_environment(pg.url("postgres"), redis.url, work)
        database = prepare_database(pg, people=people, others_people=min(people, 1000), reseed=args.reseed,
                                    env=base_env, log=log)  # fmt: skip
        env = base_env | {"DATABASE_URL": pg.url(database)}
        if args.seed_only:
            return 0
        manage(env, "collectstatic", "--noinput", "-v", "0")
        ids = Ids.load(pg, database)
        log(f"{len(ids.people):,} people to pick from, {len(ids.foreign_people):,} foreign people")
        stack = Stack(processes, env, work)
        stack.start()
        log(
            f"gunicorn on {HOST}:{stack.port} ({GUNICORN_WORKERS} workers), Celery worker and beat, Redis on {redis.port}, PostgreSQL on {pg.port}"
        )

        client = Client(stack.port)
        client.login(LOAD_USER, PASSWORD)
        # Rows are captured at today's event, through the form a person would use, so each
        # captured person's first meeting is recent enough for a thank-you follow-up.
        event_name = f"負荷テスト {run_id}"
        today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date().isoformat()
        status, _, _ = client.request("POST", "/capture/events/new/", {"name": event_name, "kind": "mixer", "date": today,
                                                                        "place": "", "goal": "", "notes": ""})  # fmt: skip
        found = pg.query(database, "SELECT id FROM contacts_event WHERE name = %(name)s", {"name": event_name})
        if status != 302 or not found:
            raise RuntimeError(f"creating today's event answered {status}")
        ids.events = [found[0][0]]
        clock0 = time.monotonic()
        budget = Budget(args.max_requests, clock0 + args.deadline * 60)
        runner = LoadRunner(client, Mix(ids, run_id, seed=int(run_id, 16)), clock0, budget)

        # Warm-up: each list page once (the first ledger overview of a day rebuilds every tally,
        # as the nightly job would have), then a few seconds of the mix; then the ramp.
        for path in ("/people/", "/ledger/", "/week/", f"/people/{ids.people[0]}/"):
            client.request("GET", path)
        runner.run(4, 5)
        load_before = os.getloadavg()
        ramp: list[tuple[float, PhaseStats]] = []
        ramp_results: list[list[Result]] = []
        ceiling = None
        rate = args.rate
        if rate is None:
            step_rate, best, ceiling = args.ramp_start, None, None
            missed = 0
            for _ in range(16):
                start = runner.now()
                results = runner.run(step_rate, ramp_step)
                ramp_results.append(results)
                label = f"ramp {step_rate:.1f}/s" + (" (again)" if missed else "")
                s = phase_stats(results, Phase(label, start, start + ramp_step), [])
                ramp.append((step_rate, s))
                ceiling = ceiling or ramp_ceiling(s.p99)
                log(f"{label}: p50 {s.p50:.0f} ms, p99 {s.p99:.0f} ms, errors {s.error_count}")
                if s.p99 >= ceiling or s.error_count:
                    # A step's p99 is its one or two slowest requests: a step that misses runs
                    # once more before the ramp stops, so one unlucky request does not end it.
                    missed += 1
                    if missed == 2:
                        break
                    continue
                missed = 0
                best = step_rate
                step_rate = round(step_rate * args.ramp_factor, 1)
            # An 8-second step shows what the stack answers before a queue builds; a minute at
            # that rate, with a gunicorn worker killed and PostgreSQL restarted, leaves no room
            # to catch up. The steady phase runs with headroom, as a service is sized.
            rate = max(args.ramp_start, round((best or args.ramp_start) * args.headroom, 1))
            log(f"steady rate: {rate:.1f} requests/s")
            time.sleep(3)  # let a backlog from the last step drain

        # The steady phase, with the faults.
        start = runner.now()
        phases = schedule.phases(start)
        events: list[tuple[float, str]] = []
        stop = threading.Event()
        faults = threading.Thread(
            target=run_faults, args=(schedule, start, runner.now, stack, redis, pg, events, stop, log), daemon=True
        )
        pg_phase = next(p for p in phases if p.name.startswith("PostgreSQL"))
        poller = PgPoller(pg, runner.now)
        faults.start()

        def poll_during_restart():
            if stop.wait(max(0, pg_phase.start - 2 - runner.now())):
                return
            with poller:
                stop.wait(max(0, pg_phase.end - runner.now()))

        poll_thread = threading.Thread(target=poll_during_restart, daemon=True)
        poll_thread.start()
        try:
            steady = runner.run(rate, schedule.steady)
        finally:
            stop.set()
            faults.join(timeout=120)
            poll_thread.join(timeout=10)
        down = down_windows(poller.polls)
        stats = [phase_stats(steady, p, down) for p in phases]
        whole = phase_stats(steady, Phase("whole steady phase", start, start + schedule.steady), down)
        log(f"steady: {whole.requests} requests, p99 {whole.p99:.0f} ms, errors {whole.error_count} "
            f"(+{whole.errors_pg_down} while PostgreSQL was down)")  # fmt: skip

        # Everything must be back before checking.
        if "worker" not in processes.running:
            stack.start_worker()
        if "redis" not in processes.running:
            redis.start()
        if args.system_postgres:
            pg.start()
        wait_for(pg.ready, 60, "PostgreSQL")
        redis_phase = next(p for p in phases if p.name.startswith("Redis stopped"))
        checks, counts = verify(
            pg, database, runner.results, ids, run_id, (redis_phase.start, redis_phase.end), env, log
        )

        load_after = os.getloadavg()

        # Targets.
        errors_outside = sum(s.error_count for s in stats)
        targets = [
            Check("steady phase p99 < 250 ms (whole phase, faults included)", whole.p99 < P99_TARGET_MS, f"p99 {whole.p99:.0f} ms"),
            Check("baseline p99 < 250 ms", stats[0].p99 < P99_TARGET_MS, f"p99 {stats[0].p99:.0f} ms"),
            Check("zero errors outside the seconds PostgreSQL was down", errors_outside == 0,
                  f"{errors_outside} errors outside; {whole.errors_pg_down} while it was down"),
        ]  # fmt: skip
        all_checks = targets + checks

        lines = [
            f"# Load test {run_id}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            "",
            f"{people:,} people for the load user; gunicorn ({GUNICORN_WORKERS} sync workers), one Celery worker "
            f"(concurrency 1) and beat, PostgreSQL {pg.version} ({'the machine’s' if pg.system else 'a cluster of the run’s own'}), "
            "Redis (its own, append-only); all on 127.0.0.1, on this 2-core machine, with the load generator beside them.",
            f"Machine load average (1 min) before the ramp {load_before[0]:.1f}, after the steady phase "
            f"{load_after[0]:.1f}: whatever else runs on the machine competes for the same {os.cpu_count()} cores.",
            "Open-loop at a fixed rate; latency from the moment each request was due. Mix: "
            + ", ".join(f"{k} {v} %" for k, v in MIX.items()) + ".",
            "",
        ]  # fmt: skip
        if ramp:
            share = f"{args.headroom:.0%} of the highest step"
            if ceiling == P99_TARGET_MS:
                why = f"{share} with p99 < 250 ms and no errors (a step that misses runs once more)"
            else:
                slowest = sorted(category_rows(ramp_results[0]), key=lambda row: -row[2])[:3]
                why = (f"p99 < 250 ms is out of reach at any rate: at the lowest step p99 was {ramp[0][1].p99:.0f} ms, "
                       "set by the slowest requests on their own (" + ", ".join(f"{name} p50 {p50:.0f} ms" for name, _, p50, *_ in slowest)
                       + f"); so {share} with p99 under {ceiling:.0f} ms (50 % over the lowest step's, before "
                       "queueing adds to it) and no errors")  # fmt: skip
            lines += ["## Ramp", "", *stats_table([s for _, s in ramp], with_down=False), "",
                      f"Steady rate chosen: **{rate:.1f} requests/s**: {why}.", ""]  # fmt: skip
        lines += ["## Steady phase with faults", "", *stats_table([*stats, whole]), ""]
        lines += ["Fault events (seconds into the steady phase):", ""]
        lines += [f"- {at - start:6.1f} s: {text}" for at, text in events]
        lines += ["- PostgreSQL down (pg_isready): " + (", ".join(f"{a - start:.1f}–{b - start:.1f} s ({b - a:.1f} s)" for a, b in down) or "never seen down"), ""]  # fmt: skip
        lines += ["## By request (steady phase)", "", *category_table(steady), ""]
        lines += ["## Results", "", "| check | result | detail |", "| --- | --- | --- |"]
        lines += [f"| {c.name} | {'PASS' if c.passed else '**FAIL**'} | {c.detail} |" for c in all_checks]
        failed = [c for c in all_checks if not c.passed]
        lines += ["", f"Saves: {counts['saves_ok']} seen to succeed, {counts['saves_failed']} seen to fail.",
                  "", f"GETs sent once more after their connection was reset before any answer (a killed gunicorn "
                      f"worker; browsers retry idempotent requests the same way, POSTs are never retried): {client.retried}.",
                  "", f"**{'PASS' if not failed else 'FAIL'}** ({len(all_checks) - len(failed)}/{len(all_checks)} checks passed)"]  # fmt: skip
        report = "\n".join(lines) + "\n"
        print()
        print(report)
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(report)
        log(f"report written to {args.report}")
        return 1 if failed else 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        processes.stop_all()
        pg.finish()
        log("stopped everything this run started")


if __name__ == "__main__":
    sys.exit(main())
