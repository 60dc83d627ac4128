"""Boot the docker-compose services' commands with the compose file's production environment, and run each
service's own health probe against them (issue #16, finding 10: `web` never became healthy).

No Docker engine runs here: docker-compose.yml is parsed, its variables filled
in as a .env would, and only what a container provides is replaced: the
database and Redis are the local ones the suite uses (a database of this test's
own), files under /app/var go to a temporary folder, ports are free ones, and
the worker is named after $HOSTNAME as a container's would be. Needs
PostgreSQL and Redis (`make test-postgres`).
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOTENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "jinmyaku.example.com",
    "SITE_URL": "https://jinmyaku.example.com",
    "POSTGRES_PASSWORD": "unused-here",
}

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    or not settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="needs PostgreSQL and Redis (make test-postgres)",
)


def interpolate(value: str, env: dict) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, and $$ for a literal $."""

    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg or ""

    value = re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}", one, str(value))
    return value.replace("$$", "$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def probe(service: str, replace: dict, env: dict) -> subprocess.CompletedProcess:
    test = SERVICES[service]["healthcheck"]["test"]
    kind, rest = test[0], [interpolate(part, {}) for part in test[1:]]
    argv = ["sh", "-c", rest[0]] if kind == "CMD-SHELL" else rest
    argv = [_replace(part, replace) for part in argv]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)


def _replace(text: str, replace: dict) -> str:
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def wait_healthy(
    service: str, replace: dict, env: dict, timeout: float, processes: dict
) -> subprocess.CompletedProcess:
    deadline = time.monotonic() + timeout
    while True:
        result = probe(service, replace, env)
        if result.returncode == 0 or time.monotonic() > deadline:
            return result
        for name, process in processes.items():
            assert process.poll() is None, f"{name} exited:\n{Path(process.args_log).read_text()[-3000:]}"
        time.sleep(1)


@pytest.fixture
def compose_database():
    """A database of this test's own on the suite's PostgreSQL server, as the `db` service would be."""
    import psycopg

    params = connection.settings_dict
    name = f"compose_boot_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=params["HOST"] or "localhost", port=params["PORT"] or 5432, user=params["USER"],
        password=params["PASSWORD"], dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    yield f"postgres://{auth}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_each_service_boots_with_the_compose_environment_and_passes_its_health_probe(tmp_path, compose_database):
    base_env = {name: interpolate(value, DOTENV) for name, value in SERVICES["web"]["environment"].items()}
    assert base_env["DEBUG"] == "false" and base_env["SITE_URL"] == DOTENV["SITE_URL"]
    for service in ("worker", "beat"):
        assert SERVICES[service]["environment"] == SERVICES["web"]["environment"]
    var = tmp_path / "var"
    var.mkdir()
    web_port = free_port()
    hostname = f"compose-test-{uuid.uuid4().hex[:8]}"
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE", "CELERY", "PYTEST"))}
        | base_env
        | {
            # What the container provides: its database, broker, files, PATH and host name.
            "DATABASE_URL": compose_database,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "JINMYAKU_VAR_DIR": str(var),  # the Dockerfile's /app/var
            "STATIC_ROOT": str(tmp_path / "static"),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOSTNAME": hostname,
        }
    )
    replace = {"0.0.0.0:8000": f"127.0.0.1:{web_port}", "127.0.0.1:8000": f"127.0.0.1:{web_port}", "/app/var": str(var)}
    # The image runs collectstatic when it is built.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
    )

    processes: dict[str, subprocess.Popen] = {}
    try:
        for service in ("web", "worker", "beat"):
            command = [_replace(interpolate(part, {}), replace) for part in SERVICES[service]["command"]]
            if service == "worker":
                command += ["--hostname", f"celery@{hostname}"]  # a container's host name
            log = tmp_path / f"{service}.log"
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
            )
            process.args_log = str(log)
            processes[service] = process

        for service, timeout in (("web", 120), ("worker", 90), ("beat", 60)):
            result = wait_healthy(service, replace, env, timeout, processes)
            assert result.returncode == 0, (
                f"{service} probe failed: {result.stdout}{result.stderr}\n"
                + Path(processes[service].args_log).read_text()[-3000:]
            )
        for service in ("db", "redis"):
            result = probe(service, {}, env)
            assert result.returncode == 0, f"{service} probe failed: {result.stdout}{result.stderr}"

        # Behind the TLS proxy the same gunicorn serves pages under the production settings.
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{web_port}/accounts/login/",
            headers={"Host": "jinmyaku.example.com", "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            assert "Strict-Transport-Security" in response.headers
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
