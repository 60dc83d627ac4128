"""Playwright in Debian's headless Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD, make_user

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {
    "phone": {"width": 375, "height": 812},
    "desktop": {"width": 1280, "height": 860},
}

# Collects Content-Security-Policy violations; injected by the browser driver,
# so the page's own CSP does not apply to it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # made by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run scripts/ensure-chromium (make test-browser does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class PageWatch:
    """A page plus what went wrong on it: console errors, CSP violations, failed requests."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.console_errors.append(msg.text),
        )
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        # A request the browser itself abandons (ERR_ABORTED: the page moved on
        # before it finished) is not a failure of the app.
        page.on(
            "requestfailed",
            lambda req: req.failure != "net::ERR_ABORTED" and self.failed_requests.append(f"{req.url} {req.failure}"),
        )
        page.add_init_script(CSP_LISTENER)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self):
        assert self.console_errors == [], self.console_errors
        assert self.csp_violations() == []
        assert self.failed_requests == [], self.failed_requests

    def screenshot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # caret="initial": Playwright otherwise hides the caret with a style=""
        # attribute that a later htmx swap copies, which the strict CSP reports.
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def watched(browser, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield PageWatch(page)
    context.close()


@pytest.fixture
def eager_celery():
    """Run enqueued tasks inline in the live server (no worker in browser tests)."""
    from networking.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def browser_user(transactional_db):
    return make_user(username="hanako", first_name="花子", last_name="佐藤")


def log_in(watched: PageWatch, live_server, username: str):
    page = watched.page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")


def switch_language(page, code: str):
    """Press the header's language button (unless it is the current language)."""
    button = page.locator(f".lang-switch button[value={code}]")
    if button.is_enabled():
        button.click()
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == code
