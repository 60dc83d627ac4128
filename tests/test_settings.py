"""Settings read from the environment, checked in a fresh interpreter each time."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "jinmyaku.example.com",
    "SITE_URL": "https://jinmyaku.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "DATABASE_URL": "postgres://jin:pw@db.example.com:5432/jinmyaku",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
}


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=_clean_env() | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_setting(name, **env):
    """A setting as a fresh interpreter reads it from this environment: the settings module
    alone, as manage.py, gunicorn and Celery load it (a quarter of a second, where
    `manage.py shell` sets up every app first and takes a second)."""
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(repr(settings.{name}))"],
        cwd=settings.BASE_DIR,
        env=_clean_env() | {"DJANGO_SETTINGS_MODULE": "networking.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_default_secret_key():
    env = PRODUCTION_ENV | {"SECRET_KEY": ""}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL must start with postgres://"),
        ("DATABASE_URL", "postgres://x@y:5432/", "DATABASE_URL must name a database"),
        ("SIGNUP_ENABLED", "perhaps", "SIGNUP_ENABLED must be true or false"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(name, value, message):
    env = {name: value}
    if name == "EMAIL_PORT":
        env["EMAIL_HOST"] = "smtp.example.com"
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_defaults_are_sqlite_embedded_broker_and_console_email():
    assert "sqlite3" in read_setting("DATABASES['default']['ENGINE']")
    assert read_setting("CELERY_BROKER_URL") == "'filesystem://'"
    assert "console" in read_setting("MAILERS['default']['BACKEND']")
    assert read_setting("TIME_ZONE") == "'Asia/Tokyo'"
    assert read_setting("LANGUAGE_CODE") == "'ja'"


def test_database_url_switches_to_postgresql_with_health_checks():
    env = {"DATABASE_URL": "postgres://jin:p%40ss@db:6543/jinmyaku?sslmode=require"}
    db = read_setting("DATABASES['default']", **env)
    assert "'ENGINE': 'django.db.backends.postgresql'" in db
    assert "'PASSWORD': 'p@ss'" in db
    assert "'PORT': '6543'" in db
    assert "'CONN_HEALTH_CHECKS': True" in db
    assert "'sslmode': 'require'" in db


def test_prepared_statements_are_asked_for_only_and_can_be_turned_off():
    """psycopg prepares only what asks to be (contacts.sql.prepared_cursor); off for a pooler that loses them."""
    env = {"DATABASE_URL": "postgres://jin@db:5432/jinmyaku"}
    assert read_setting("DATABASES['default']['OPTIONS']", **env) == "{'prepare_threshold': 2147483647}"
    off = read_setting("DATABASES['default']['OPTIONS']", DATABASE_PREPARED_STATEMENTS="false", **env)
    assert off == "{}"


def test_email_host_switches_to_smtp():
    backend = read_setting("MAILERS['default']['BACKEND']", EMAIL_HOST="smtp.example.com")
    assert "smtp" in backend


def test_sessions_live_in_the_database_so_redis_outages_log_nobody_out():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_csp_is_strict():
    from django.utils.csp import CSP

    csp = settings.SECURE_CSP
    assert CSP.UNSAFE_INLINE not in csp["script-src"] + csp["style-src"]
    assert csp["object-src"] == [CSP.NONE]
    assert csp["base-uri"] == [CSP.NONE]
    assert csp["frame-ancestors"] == [CSP.NONE]


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_response_carries_the_security_headers(client, signed_in):
    from django.urls import reverse

    from tests.factories import make_user

    if signed_in:
        client.force_login(make_user(username="owner"))
    response = client.get(reverse("contacts:person_list" if signed_in else "accounts:login"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if signed_in:
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_production_requires_a_site_url():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_URL"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "Set SITE_URL" in result.stderr
    result = run_manage("check", **(PRODUCTION_ENV | {"SITE_URL": "jinmyaku.example.com"}))
    assert result.returncode != 0
    assert "SITE_URL must look like" in result.stderr
    assert read_setting("SITE_URL", **PRODUCTION_ENV) == "'https://jinmyaku.example.com'"


def test_sign_up_is_off_by_default_in_production():
    assert read_setting("SIGNUP_ENABLED", **PRODUCTION_ENV) == "False"
    assert read_setting("SIGNUP_ENABLED", **(PRODUCTION_ENV | {"SIGNUP_ENABLED": "true"})) == "True"
    assert read_setting("SIGNUP_ENABLED") == "True"  # local use, DEBUG on


def test_sqlite_connections_are_kept_between_requests_like_postgresqls():
    assert read_setting("DATABASES['default']['CONN_MAX_AGE']") == "60"
    assert read_setting("DATABASES['default']['CONN_MAX_AGE']", DATABASE_CONN_MAX_AGE="0") == "0"
