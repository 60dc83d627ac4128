"""Import and export in Chromium: upload a vCard, preview, confirm, see the people; map a CSV; a big file's progress; download."""

from pathlib import Path

import pytest

from contacts.models import Person
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_person
from tests.transfer.helpers import FIXTURES
from transfer import progress, services
from transfer.models import ImportJob, ImportStatus

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
    # The card with a bad e-mail is imported without it, and the preview says so.
    assert page.locator(".import-counts__new strong").inner_text() == "3"
    assert page.locator(".import-counts__invalid strong").inner_text() == "0"
    assert page.locator("#import-warnings", has_text="takahashi@@example").count() == 1
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


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_preview_lists_field_warnings_and_the_person_page_marks_unverified_numbers(
    watched, live_server, browser_user, viewport, language
):
    page = watched.page
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("input[name=file]", str(FIXTURES / "cause1_ios_foreign_phones.vcf"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-preview").wait_for()
    assert page.locator(".import-counts__new strong").inner_text() == "3"
    warnings = page.locator("#import-warnings")
    expected = (
        "電話番号「+1-800-MYFAX」は確認できないため"
        if language == "ja"
        else "Phone number “+1-800-MYFAX” could not be checked"
    )
    assert warnings.filter(has_text=expected).count() == 1
    assert warnings.locator(".import-row").count() == 2  # Johnny Appleseed and 中村 誠
    # Nothing runs past the edge of a 375-px screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    watched.screenshot(f"{viewport}-{language}-transfer-preview-warnings")

    page.locator("#import-preview button.button--primary").click()
    page.locator("#import-progress .status--ok").wait_for()
    person = Person.objects.get(owner=browser_user, family_name="中村")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    assert page.locator(".facts .chip", has_text="未確認" if language == "ja" else "unverified").count() == 3
    watched.screenshot(f"{viewport}-{language}-person-unverified-numbers")
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
    # The row with only a company is kept, named after it, and listed with a warning (issue #17).
    assert page.locator(".import-counts__new strong").inner_text() == "3"
    assert page.locator(".import-counts__warned strong").inner_text() == "1"
    assert "名前のない会社" in page.locator("#import-warnings").inner_text()
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_duplicate_gets_its_own_choice_without_a_reload(watched, live_server, browser_user, viewport, language):
    page = watched.page
    make_person(owner=browser_user, family_name="鈴木", given_name="一郎", company="鈴木商店")
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("input[name=file]", str(FIXTURES / "repeats_3.0.vcf"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-duplicates").wait_for()
    job = ImportJob.objects.get(owner=browser_user)
    rows = {row.line: row for row in job.rows.filter(kind="duplicate")}
    assert set(rows) == {20, 30, 36, 45}  # two already here (鈴木), two repeats of line 1
    page.evaluate("window.__stayed = true")

    page.locator(f"#import-row-{rows[30].pk} input[value=create]").check()
    page.locator(f"#import-row-{rows[30].pk} .chip--accent").wait_for()
    page.locator(f"#import-row-{rows[45].pk} input[value=skip]").check()
    page.locator(f"#import-row-{rows[45].pk} .chip--accent").wait_for()
    assert page.evaluate("window.__stayed") is True  # no reload
    watched.screenshot(f"{viewport}-{language}-transfer-duplicates")

    # The choices are kept: leave and come back.
    page.goto(f"{live_server.url}/transfer/")
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    assert page.locator(f"#import-row-{rows[30].pk} input[value=create]").is_checked()
    assert page.locator(f"#import-row-{rows[45].pk} input[value=skip]").is_checked()

    # A new default moves the rows without a choice of their own, then "apply to all" moves them all.
    page.locator("input[name=duplicates][value=skip]").check()
    page.locator(f"#import-row-{rows[36].pk} input[value=skip]:checked").wait_for()
    assert page.locator(f"#import-row-{rows[30].pk} input[value=create]").is_checked()
    page.locator("button[name=apply_to_all]").click()
    page.locator(f"#import-row-{rows[30].pk} input[value=skip]:checked").wait_for()
    assert page.locator("#import-duplicates .chip--accent").count() == 0

    page.locator("input[name=duplicates][value=merge]").check()
    page.locator(f"#import-row-{rows[36].pk} input[value=merge]:checked").wait_for()
    page.locator(f"#import-row-{rows[45].pk} input[value=create]").check()
    page.locator(f"#import-row-{rows[45].pk} .chip--accent").wait_for()
    page.locator("#import-preview button.button--primary").click()
    page.locator("#import-progress .status--ok").wait_for()
    job.refresh_from_db()
    assert (job.created_count, job.merged_count, job.skipped_count) == (3, 3, 0)
    assert Person.objects.filter(owner=browser_user, family_name="鈴木").count() == 1
    assert Person.objects.filter(owner=browser_user, family_name="Yamada").count() == 1
    watched.assert_clean()


def test_a_big_file_is_read_and_saved_in_the_background(
    watched, live_server, browser_user, viewport, eager_celery, monkeypatch
):
    page = watched.page
    monkeypatch.setattr(services, "READ_HERE_BYTES", 1)
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 1)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("input[name=file]", str(FIXTURES / "eight_sjis.csv"))
    page.locator("#import button[type=submit]").click()
    page.locator("#import-preview button.button--primary").click()
    page.locator("#import-progress .status--ok").wait_for()
    assert Person.objects.filter(owner=browser_user).count() == 2
    watched.assert_clean()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_progress_bar_moves_while_the_worker_saves(watched, live_server, browser_user, viewport, language):
    """The worker reports each batch from inside its transaction; the page polls and follows."""
    page = watched.page
    job = ImportJob.objects.create(
        owner=browser_user, filename="10000.vcf", format="vcard", status=ImportStatus.RUNNING, total=10_000
    )
    progress.report(job.pk, phase="saving", done=3000, total=10_000)
    log_in(watched, live_server, "hanako")
    switch_language(page, language)
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    bar = page.locator("#import-progress progress")
    assert bar.get_attribute("value") == "3000"
    watched.screenshot(f"{viewport}-{language}-transfer-progress")
    page.evaluate("window.__stayed = true")
    progress.report(job.pk, phase="saving", done=8000, total=10_000)
    page.locator("#import-progress progress[value='8000']").wait_for()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, created_count=10_000)
    progress.clear(job.pk)
    page.locator("#import-progress .status--ok").wait_for()
    assert page.evaluate("window.__stayed") is True
    watched.assert_clean()


@pytest.mark.parametrize("fmt", ["vcard3", "csv", "json"])
def test_export_downloads_a_file(watched, live_server, browser_user, viewport, fmt):
    page = watched.page
    make_person(owner=browser_user)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    with page.expect_download() as info:
        page.locator(f"#export button[data-format='{fmt}']").click()
    download = info.value
    content = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert "山田" in content
    assert download.suggested_filename.endswith({"vcard3": ".vcf", "csv": ".csv", "json": ".json"}[fmt])
    watched.assert_clean()


def test_export_includes_guessed_readings_only_when_ticked(watched, live_server, browser_user, viewport):
    page = watched.page
    make_person(owner=browser_user, family_reading="やまだ", given_reading="たろう", reading_inferred=True)
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    with page.expect_download() as info:
        page.locator("#export button[data-format='vcard3']").click()
    assert "X-PHONETIC-LAST-NAME" not in Path(info.value.path()).read_text(encoding="utf-8")
    page.locator("#export input[name=guessed]").check()
    with page.expect_download() as info:
        page.locator("#export button[data-format='vcard3']").click()
    assert "X-PHONETIC-LAST-NAME:やまだ" in Path(info.value.path()).read_text(encoding="utf-8")
    watched.screenshot(f"transfer-export-ja-{viewport}")
    switch_language(page, "en")
    assert "1 person has a reading that was guessed" in page.locator("#export").inner_text()
    watched.screenshot(f"transfer-export-en-{viewport}")
    watched.assert_clean()


def test_a_backup_is_restored_from_the_page_into_an_empty_account(
    watched, live_server, browser_user, viewport, tmp_path
):
    from tests.factories import make_user
    from transfer import backup

    source = make_user(username="source")
    make_person(owner=source, family_name="復元", given_name="太郎")
    path = tmp_path / "backup.json"
    path.write_bytes(b"".join(backup.backup_stream(source)))
    page = watched.page
    log_in(watched, live_server, "hanako")
    page.goto(f"{live_server.url}/transfer/")
    page.set_input_files("#backup input[name=file]", str(path))
    page.locator("#backup button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".person-row", has_text="復元").count() == 1
    # Now the account is not empty: the page says so instead of offering the form.
    page.goto(f"{live_server.url}/transfer/")
    assert page.locator("#backup input[name=file]").count() == 0
    watched.assert_clean()
