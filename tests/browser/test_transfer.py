"""Import and export in Chromium: upload a vCard, preview, confirm, see the people; map a CSV; a big file's progress; download."""

from pathlib import Path

import pytest

from contacts.models import Person
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_person
from tests.transfer.helpers import FIXTURES
from transfer import services

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["ja", "en"])
def test_upload_a_vcard_preview_confirm_and_see_the_people(watched, live_server, browser_user, viewport, language):
    page = watched.page
    make_person(owner=browser_user, family_name="伊藤", given_name="健太", company="伊藤税理士事務所")
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.locator(".site-nav a[href='/transfer/']").click()
    page.wait_for_load_state("networkidle")
    watched.screenshot(f"{viewport}-{language}-transfer-index")

    page.set_input_files("input[name=file]", str(FIXTURES / "iphone_3.0.vcf"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-preview").wait_for()
    assert page.locator(".import-counts__new strong").inner_text() == "2"
    assert page.locator(".import-counts__invalid strong").inner_text() == "1"
    assert page.locator("#import-invalid", has_text="takahashi@@example").count() == 1
    watched.screenshot(f"{viewport}-{language}-transfer-preview")
    assert Person.objects.filter(owner=browser_user).count() == 1  # nothing saved yet

    page.locator("#import-preview button.button--primary").click()
    page.locator("#import-progress .status--ok").wait_for()
    watched.screenshot(f"{viewport}-{language}-transfer-done")
    page.locator("#import-progress a.button--primary").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator(".person-row")
    assert rows.filter(has_text="山田").count() == 1 and rows.filter(has_text="John Smith").count() == 1
    watched.assert_clean()


def test_a_duplicate_is_merged_or_skipped_as_chosen(watched, live_server, browser_user, viewport):
    page = watched.page
    existing = make_person(owner=browser_user, family_name="伊藤", given_name="健太", company="伊藤税理士事務所")
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("input[name=file]", str(FIXTURES / "android_3.0.vcf"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-duplicates", has_text="伊藤").wait_for()
    page.locator("input[name=duplicates][value=skip]").check()
    page.locator("#import-preview button.button--primary").click()
    page.locator("#import-progress .status--ok").wait_for()
    assert Person.objects.filter(owner=browser_user).count() == 2
    existing.refresh_from_db()
    assert existing.version == 1
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_generic_csv_column_mapping(watched, live_server, browser_user, viewport, language):
    page = watched.page
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("input[name=file]", str(FIXTURES / "generic.csv"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-mapping").wait_for()
    assert page.locator("select[name=full_name]").input_value() == "0"
    watched.screenshot(f"{viewport}-{language}-transfer-mapping")
    page.locator("#import-mapping button[type=submit]").click()
    page.locator("#import-preview").wait_for()
    assert page.locator(".import-counts__new strong").inner_text() == "2"
    watched.assert_clean()


def test_a_big_import_shows_progress_and_finishes_without_a_reload(
    watched, live_server, browser_user, viewport, eager_celery, monkeypatch
):
    page = watched.page
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 1)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("input[name=file]", str(FIXTURES / "eight_sjis.csv"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-preview button.button--primary").click()
    page.locator("#import-progress .status--ok").wait_for()
    assert Person.objects.filter(owner=browser_user).count() == 2
    watched.assert_clean()


@pytest.mark.parametrize("fmt", ["vcard3", "csv", "json"])
def test_export_downloads_a_file(watched, live_server, browser_user, viewport, fmt):
    page = watched.page
    make_person(owner=browser_user)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    with page.expect_download() as info:
        page.locator(f"a[href='/transfer/export/{fmt}/']").click()
    download = info.value
    content = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert "山田" in content
    assert download.suggested_filename.endswith({"vcard3": ".vcf", "csv": ".csv", "json": ".json"}[fmt])
    watched.assert_clean()
