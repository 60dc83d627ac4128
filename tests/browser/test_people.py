import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_field, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def people(browser_user):
    it = make_field(owner=browser_user, name="IT")
    make_person(owner=browser_user, company="株式会社サクラテック", title="エンジニア", fields=[it])
    make_person(
        owner=browser_user,
        family_name="佐藤",
        given_name="花子",
        family_reading="さとう",
        given_reading="はなこ",
        company="みらい会計事務所",
    )
    make_person(
        owner=browser_user,
        family_name="Smith",
        given_name="John",
        family_reading="",
        given_reading="",
        company="Bright Labs",
    )
    return browser_user


@pytest.mark.parametrize("query", ["ﾔﾏﾀﾞ", "yamada", "山田"])
def test_search_updates_results_as_you_type_and_keeps_the_query_in_the_url(
    watched, live_server, people, viewport, query
):
    page = watched.page
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/people/")
    assert page.locator(".person-row").count() == 3
    page.evaluate("window.__marker = 'same page'")
    with page.expect_response(lambda r: "/people/?" in r.url and r.status == 200):
        page.fill("#id_q", query)
    expect(page.locator(".person-row")).to_have_count(1)  # no eval: the CSP forbids it
    assert page.locator(".person-row__name").inner_text() == "山田 太郎"
    assert page.evaluate("window.__marker") == "same page"  # no reload: htmx swapped the results
    assert "q=" in page.url
    # The URL can be bookmarked: opening it shows the same results.
    page.goto(page.url)
    assert page.locator(".person-row").count() == 1
    assert page.locator("#id_q").input_value() == query
    watched.screenshot(f"{viewport}-ja-people-search")
    watched.assert_clean()


def test_people_list_in_english_shows_western_names_given_name_first(watched, live_server, people, viewport):
    page = watched.page
    log_in(watched, live_server, "hanako")
    page.locator(".lang-switch button[value=en]").click()
    page.goto(f"{live_server.url}/people/")
    names = page.locator(".person-row__name").all_inner_texts()
    assert "John Smith" in names
    assert names[-1] == "John Smith"  # A–Z names sort after the kana readings, as in Japanese address books
    assert page.locator("h1").inner_text() == "People"
    watched.screenshot(f"{viewport}-en-people")
    watched.assert_clean()


def test_the_filter_panel_loads_when_opened_and_filters_the_list(watched, live_server, people, viewport):
    page = watched.page
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/people/")
    assert page.locator(".person-row").count() == 3
    assert page.locator("#id_field").count() == 0  # not rendered until the panel opens
    with page.expect_response(lambda r: "/people/filters/" in r.url and r.status == 200):
        page.locator(".people-filters__more summary").click()
    expect(page.locator("#id_field")).to_be_visible()
    with page.expect_response(lambda r: "/people/?" in r.url and r.status == 200):
        page.select_option("#id_field", label="IT")
    expect(page.locator(".person-row")).to_have_count(1)
    assert "field=" in page.url
    # The filtered URL opens with the panel open and the field chosen.
    page.goto(page.url)
    expect(page.locator("#id_field")).to_be_visible()
    assert page.locator(".person-row").count() == 1
    watched.screenshot(f"{viewport}-ja-people-filters")
    watched.assert_clean()
