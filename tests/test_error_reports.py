"""Knowing when it breaks: Sentry when SENTRY_DSN is set, ADMINS e-mail otherwise, JSON logs on request.

Each case runs a fresh interpreter with production settings, since logging and
Sentry are set up once, when the settings load.
"""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.test_settings import PRODUCTION_ENV, run_manage

# A request whose view raises: the path every unhandled error takes.
FAIL_A_REQUEST = """
from unittest import mock
from django.conf import settings
from django.test import Client, override_settings
# The error page names static files; no collectstatic has run here.
plain = settings.STORAGES | {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain), mock.patch("networking.views.healthz", side_effect=RuntimeError("the marker 7f3a")):
    response = Client(raise_request_exception=False).get("/healthz", HTTP_HOST="jinmyaku.example.com", secure=True)
print("status", response.status_code)
import sentry_sdk
sentry_sdk.flush(timeout=5)
"""


def _env(tmp_path, **extra):
    # SQLite in a folder of the test's own: the failing view never reaches a database.
    env = PRODUCTION_ENV | {"JINMYAKU_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": "filesystem://"} | extra
    env.pop("DATABASE_URL")
    env.pop("EMAIL_HOST")  # mail is printed to the console, where the test reads it
    return env


@pytest.fixture
def sentry_server():
    """A stand-in for Sentry's ingest endpoint that keeps what it receives."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def test_errors_go_to_sentry_when_a_dsn_is_set(tmp_path, sentry_server):
    port, received = sentry_server
    env = _env(tmp_path, SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42", ADMINS="ops@example.com")
    result = run_manage("shell", "-c", FAIL_A_REQUEST, **env)
    assert "status 500" in result.stdout, result.stderr
    events = b"".join(received).decode(errors="replace")
    assert "the marker 7f3a" in events and "RuntimeError" in events
    # No request body, cookies or user details are sent.
    assert '"cookies"' not in events or '"cookies": {}' in events
    assert "To: ops@example.com" not in result.stdout  # Sentry instead of mail


def test_errors_are_mailed_to_admins_without_sentry(tmp_path):
    env = _env(tmp_path, ADMINS="Ops <ops@example.com>, oncall@example.com")
    result = run_manage("shell", "-c", FAIL_A_REQUEST, **env)
    assert "status 500" in result.stdout, result.stderr
    assert "To: Ops <ops@example.com>, oncall@example.com" in result.stdout
    assert "the marker 7f3a" in result.stdout


def test_logs_can_be_json_one_object_per_line(tmp_path):
    result = run_manage("shell", "-c", FAIL_A_REQUEST, **_env(tmp_path, LOG_FORMAT="json"))
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["level"] == "ERROR"
    assert "RuntimeError: the marker 7f3a" in error["exception"]
    assert error["status_code"] == 500
    assert {"time", "message", "process"} <= error.keys()


def test_logs_are_text_by_default(tmp_path):
    result = run_manage("shell", "-c", FAIL_A_REQUEST, **_env(tmp_path))
    line = next(line for line in result.stderr.splitlines() if "django.request" in line)
    assert " ERROR django.request " in line and not line.startswith("{")


def test_a_bad_log_format_or_level_is_refused(tmp_path):
    result = run_manage("check", **_env(tmp_path, LOG_FORMAT="xml"))
    assert result.returncode != 0 and "LOG_FORMAT must be text or json" in result.stderr
    result = run_manage("check", **_env(tmp_path, LOG_LEVEL="loud"))
    assert result.returncode != 0 and "LOG_LEVEL must be" in result.stderr
