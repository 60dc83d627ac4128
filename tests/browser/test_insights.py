"""Key persons and insights in Chromium: tag from a suggestion, dismiss one, every chart drawn, in ja and en."""

import datetime
import random

import pytest

from contacts.models import KeyPerson
from insights import services
from insights.models import Dismissal, Suggestion
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_field, make_meeting, make_person

pytestmark = pytest.mark.browser

CHARTS = ["chart-breadth", "chart-events", "chart-balance", "chart-health", "chart-connectors"]


def _candidate(owner, field, family_name):
    """Someone met three times lately, both wanting to meet again: a strong candidate for `field`."""
    person = make_person(
        owner=owner,
        family_name=family_name,
        fields=[field],
        i_want_to_meet_again="yes",
        they_want_to_meet_again="yes",
        company="株式会社宇宙開発",
    )
    today = datetime.date.today()
    for days, kind in [(20, "coffee"), (60, "joint_work"), (100, "drinks")]:
        make_meeting(owner=owner, people=[person], date=today - datetime.timedelta(days=days), kind=kind)
    return person


@pytest.mark.parametrize("language", ["ja", "en"])
def test_tag_a_key_person_from_a_suggestion_and_see_the_field_covered(
    watched, live_server, browser_user, viewport, language
):
    page = watched.page
    space = make_field(owner=browser_user, name="宇宙")
    person = _candidate(browser_user, space, "星野")
    services.refresh_suggestions(owner_id=browser_user.pk)
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/key-persons/")
    page.evaluate("window.__marker = 'same page'")
    block = page.locator(f"#field-{space.pk}")
    assert block.locator(".kp-field__state--none").is_visible()
    why = block.locator(".kp-candidate__why").inner_text()
    assert ("3回会った" if language == "ja" else "met 3 times") in why
    watched.screenshot(f"{viewport}-{language}-key-persons-before")

    block.locator(".kp-accept").click()
    # The swapped-in block: covered, no longer marked (the old one may linger while htmx settles).
    block = page.locator(f"#field-{space.pk}:not(.kp-field--uncovered):not(.htmx-swapping)")
    block.locator(".kp-field__state--covered").wait_for()
    assert "星野" in block.locator(".kp-keys").inner_text()
    assert page.locator(".kp-field--uncovered").count() == 0
    assert page.evaluate("window.__marker") == "same page"  # swapped in place, no reload
    assert KeyPerson.objects.filter(person=person, field=space).exists()
    watched.screenshot(f"{viewport}-{language}-key-persons-covered")

    # The person page shows the tag and untags it in place.
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    roles = page.locator("#key-roles")
    assert "宇宙" in roles.locator(".key-roles__list").inner_text()
    watched.screenshot(f"{viewport}-{language}-person-key-roles")
    roles.locator(".key-roles__untag").click()
    page.locator("#key-roles .key-roles__list").wait_for(state="detached")
    assert not KeyPerson.objects.exists()
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_dismiss_a_suggestion(watched, live_server, browser_user, viewport, language):
    page = watched.page
    space = make_field(owner=browser_user, name="宇宙")
    _candidate(browser_user, space, "星野")
    _candidate(browser_user, space, "月岡")
    services.refresh_suggestions(owner_id=browser_user.pk)
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/key-persons/")
    block = page.locator(f"#field-{space.pk}")
    assert block.locator(".kp-candidate").count() == 2
    first = Suggestion.objects.get(owner=browser_user, rank=1)
    block.locator(f"#suggestion-{first.pk} .kp-dismiss").click()
    page.locator(f"#suggestion-{first.pk}").wait_for(state="detached")
    assert page.locator(f"#field-{space.pk} .kp-candidate").count() == 1
    assert page.locator(f"#field-{space.pk} .toast").is_visible()
    until = Dismissal.objects.get(owner=browser_user).until
    assert until == datetime.date.today() + datetime.timedelta(days=182)
    # Still hidden after the job runs again.
    services.refresh_suggestions(owner_id=browser_user.pk)
    page.reload()
    assert page.locator(f"#field-{space.pk} .kp-candidate").count() == 1
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_insights_page_draws_every_chart(watched, live_server, browser_user, viewport, language):
    from followups import rules
    from insights.demo import seed_insights
    from networking.demo import seed_network as seed_contacts

    seed_contacts(owner=browser_user, people=80, rng=random.Random(7))
    seed_insights(owner=browser_user, rng=random.Random(7))
    rules.recompute(browser_user.people.all(), today=datetime.date.today())
    page = watched.page
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/insights/")
    page.wait_for_load_state("networkidle")
    for chart in CHARTS:
        canvas = page.locator(f"#{chart}")
        canvas.wait_for()
        assert canvas.get_attribute("data-drawn") == "true", chart
        box = canvas.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, (chart, box)
        # Something was painted: the canvas is not blank.
        painted = page.evaluate(
            """(id) => {
                const c = document.getElementById(id);
                const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
                return n;
            }""",
            chart,
        )
        assert painted > 1000, (chart, painted)
    watched.screenshot(f"{viewport}-{language}-insights")
    # The text fallback: the figures of each chart as a table.
    page.locator(".chart__table summary").first.click()
    assert page.locator(".chart__table table").first.is_visible()
    watched.assert_clean()
