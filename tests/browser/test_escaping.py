"""HTML and script typed into any field is shown as text everywhere: no script runs, no CSP violation."""

import datetime

import pytest

from contacts import services
from followups import services as followup_services
from tests.browser.conftest import log_in
from tests.factories import make_event, make_field, make_ledger_entry, make_meeting, make_person, make_tag

pytestmark = pytest.mark.browser

# Each payload sets window.__xss if it ever runs as script or markup.
SCRIPT = "<script>window.__xss='script'</script>"
IMG = '"><img src=x onerror="window.__xss=\'img\'">'
SVG = "<svg onload=\"window.__xss='svg'\"></svg>"
PAYLOAD = f"{SCRIPT}{IMG}{SVG}"


def _hostile_notebook(owner):
    field = make_field(owner=owner, name=f"分野{SVG}")
    tag = make_tag(owner=owner, name=f"タグ{IMG}")
    event = make_event(owner=owner, name=f"交流会{SCRIPT}", place=IMG, goal=SVG, notes=PAYLOAD)
    introducer = make_person(owner=owner, family_name=f"紹介{IMG}", given_name="者")
    person = make_person(
        owner=owner,
        family_name=f"山田{SCRIPT}",
        given_name=f"太郎{IMG}",
        company=f"株式会社{SVG}",
        department=PAYLOAD,
        title=PAYLOAD,
        what_they_do=PAYLOAD,
        what_they_want=PAYLOAD,
        notes=PAYLOAD,
        address=PAYLOAD,
        line=IMG,
        introduced_by=introducer,
        fields=[field],
        tags=[tag],
    )
    today = datetime.date.today()
    make_meeting(
        owner=owner, people=[person], date=today, kind="first_at_event", event=event, summary=PAYLOAD,
        next_step=PAYLOAD, next_step_on=today,
    )  # fmt: skip
    make_ledger_entry(owner=owner, person=person, description=PAYLOAD, date=today)
    followup_services.add_manual(owner=owner, person=person, due_on=today, note=PAYLOAD)
    services.refresh_search([person.pk, introducer.pk])
    return person, event


def test_hostile_text_everywhere_stays_text(watched, live_server, browser_user, eager_celery):
    person, event = _hostile_notebook(browser_user)
    log_in(watched, live_server, "hanako")
    page = watched.page
    pages = [
        "/people/",
        f"/people/?q={SCRIPT}",
        f"/people/{person.pk}/",
        f"/people/{person.pk}/edit/",
        "/events/",
        f"/events/{event.pk}/",
        "/capture/",
        "/ledger/",
        "/week/",
        "/fields/",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, path
    # The text itself is there, as text.
    page.goto(f"{live_server.url}/people/{person.pk}/")
    assert "<script>window.__xss='script'</script>" in page.inner_text("body")

    # Typed into the search box: the live results partial escapes it too.
    page.goto(f"{live_server.url}/people/")
    page.fill("input[name=q]", SCRIPT)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)
    assert page.evaluate("window.__xss") is None

    # Typed into the person form and saved.
    page.goto(f"{live_server.url}/people/new/")
    page.fill("input[name=family_name]", f"新規{IMG}")
    page.fill("input[name=given_name]", SVG)
    page.fill("textarea[name=notes]", PAYLOAD)
    page.click("form button[type=submit].button--primary")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss") is None
    assert "新規" in page.inner_text("h1")
    watched.assert_clean()
