"""Drive a running Jinmyaku over HTTP: log in, send a test job, wait for the worker.

Usage: smoke_client.py BASE_URL USERNAME PASSWORD
Exits 0 when the worker completed the job the request enqueued. The requests
claim to come through a TLS proxy (X-Forwarded-Proto), as in production.
"""

import http.client
import re
import sys
import time
from urllib.parse import urlencode, urlsplit


class Client:
    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
    ):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = {
            "X-Forwarded-Proto": "https",
            "Host": f"{self.host}:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            all_headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), text


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token on the page")
    return match.group(1)


def main() -> int:
    base_url, username, password = sys.argv[1:4]
    client = Client(base_url)

    status, _, html = client.request("GET", "/accounts/login/")
    assert status == 200, f"login page answered {status}"
    status, headers, _ = client.request(
        "POST",
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": csrf_token(html),
            "username": username,
            "password": password,
        },
    )
    assert status == 302, f"login answered {status}"
    print("[smoke] logged in through gunicorn")

    status, headers, html = client.request("GET", "/jobs/")
    assert status == 200, f"jobs page answered {status}"
    assert "Content-Security-Policy" in headers, "no CSP header"
    token = csrf_token(html)
    status, _, fragment = client.request(
        "POST",
        "/jobs/checks/",
        {"csrfmiddlewaretoken": token},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert status == 200, f"sending the test job answered {status}"
    check_id = re.search(r'id="jobcheck-(\d+)"', fragment).group(1)
    print(f"[smoke] request enqueued job check {check_id}")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _, fragment = client.request("GET", f"/jobs/checks/{check_id}/")
        assert status == 200, f"job check answered {status}"
        if "status--ok" in fragment:
            print(f"[smoke] the worker completed job check {check_id}")
            return 0
        time.sleep(0.5)
    print("[smoke] the worker did not complete the job within 60 s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
