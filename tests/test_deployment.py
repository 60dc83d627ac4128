"""docker-compose.yml and the Dockerfile point at entry points that exist.

No Docker engine runs on the CI machines, so the file is parsed and each
service's command is checked against the code.
"""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command_text(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def assert_wsgi_target_exists(target: str):
    module_name, attr = target.split(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attr))


def test_compose_has_the_production_topology():
    assert {"web", "worker", "beat", "db", "redis"} <= SERVICES.keys()
    for name in ("web", "worker", "beat", "db", "redis"):
        assert "healthcheck" in SERVICES[name], f"{name} has no health check"
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "pgdata" in COMPOSE["volumes"]


def test_web_runs_migrations_then_gunicorn_on_the_real_wsgi_app():
    text = command_text("web")
    assert "manage.py migrate" in text
    target = re.search(r"gunicorn (\S+)", text).group(1)
    assert_wsgi_target_exists(target)
    assert (BASE_DIR / "manage.py").exists()


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_use_the_project_celery_app(service, subcommand):
    command = SERVICES[service]["command"]
    assert command[:4] == ["celery", "-A", "networking", subcommand]
    module = importlib.import_module("networking")
    assert module.celery_app.main == "networking"


def test_app_services_use_postgresql_and_redis_with_debug_off():
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")


def test_web_health_check_url_exists():
    test = " ".join(SERVICES["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\S*?)'", test).group(1)
    assert resolve(path).url_name == "healthz"


def test_dockerfile_installs_the_lock_file_and_serves_the_wsgi_app():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    target = re.search(r'"gunicorn", "(\S+?)"', dockerfile).group(1)
    assert_wsgi_target_exists(target)


def test_lock_files_pin_every_dependency():
    for name in ("requirements.lock", "requirements-dev.lock"):
        lines = [
            line for line in (BASE_DIR / name).read_text().splitlines() if line and not line.startswith((" ", "#"))
        ]
        assert lines
        assert all("==" in line for line in lines), name


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"


# Issue #16, finding 10: a deployment that passes its own health check.


def _readme_variables() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_every_readme_variable_is_passed_through_by_compose():
    names = _readme_variables()
    assert {"SITE_URL", "EMAIL_PORT", "LOG_LEVEL", "LOGIN_FAILURES_PER_ADDRESS", "SENTRY_DSN"} <= names
    # The image sets where its files live; compose sets its own database and broker.
    for name in names - {"JINMYAKU_VAR_DIR"}:
        for service in ("web", "worker", "beat"):
            assert name in SERVICES[service]["environment"], f"{service} does not pass {name}"


def test_compose_requires_site_url():
    assert SERVICES["web"]["environment"]["SITE_URL"].startswith("${SITE_URL:?")


def test_healthz_answers_the_compose_probe_under_production_settings(client, db, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["jinmyaku.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The probe: plain HTTP to 127.0.0.1:8000, a host name the app does not serve.
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert "no-cache" in response["Cache-Control"]
    # Any other page still gets the host check and the HTTPS redirect.
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="jinmyaku.example.com").status_code == 301


def test_healthz_says_nothing_but_unavailable_when_the_database_is_down(client, db):
    from unittest import mock

    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=RuntimeError("pw=secret")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.text == "unavailable\n"
