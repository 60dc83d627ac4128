"""Business cards in Chromium on a 375-px phone and a desktop: three photos read by a real worker, checked, saved."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from cards.models import CardImage
from cards.ocr import status
from contacts.models import Person
from tests.browser.conftest import log_in, switch_language
from tests.factories import make_event, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not status().available, reason="Tesseract is missing: make test-browser installs it"),
]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cards"
PHOTOS = ["jp_horizontal_photo.jpg", "english_photo.jpg", "logo_colour_photo.jpg"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(transactional_db, media, tmp_path):
    """A real Celery worker process on the configured broker, sharing the test database and media folder."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "networking.settings", "MEDIA_ROOT": str(media)}
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "networking", "worker", "--pool", "solo", "--concurrency", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    # Shown by pytest when the test failed: what the worker said (its warnings and errors).
    print("worker log:", log.read_text(errors="replace")[-4000:], sep="\n")


def test_three_card_photos_fill_three_rows_and_are_saved_with_their_people(watched, live_server, worker, viewport):
    if viewport != "phone":
        pytest.skip("the whole flow runs once, on the phone; the desktop gets its screenshots below")
    user = make_user(username="meishi")
    event = make_event(owner=user, name="名刺交換会")
    page = watched.page
    log_in(watched, live_server, "meishi")
    page.goto(f"{live_server.url}/capture/?event={event.pk}")
    chooser = page.locator("input.card-scans__file[multiple]")
    chooser.set_input_files([str(FIXTURES / name) for name in PHOTOS])
    rows = page.locator(".card-scan")
    expect(rows).to_have_count(3)
    # Filled in by the worker: each row leaves "reading" by itself (htmx polling).
    try:
        expect(page.locator(".card-scan--read")).to_have_count(3, timeout=90_000)
    except AssertionError as error:
        from cards.models import CardScan

        states = list(CardScan.objects.values_list("pk", "state"))
        raise AssertionError(
            f"rows not read; scans in the database: {states}; worker alive: {worker.poll() is None}"
        ) from error
    watched.screenshot("cards-rows-phone-ja")
    assert "tesseract" not in page.content().lower() or page.locator(".card-scans__missing").count() == 0

    for index in range(3):
        page.locator(".card-scan--read .card-scan__check").first.click()
        expect(page.locator("#capture-form input[name=card-scan]")).to_have_count(1)
        name = page.locator("#capture-form input[name=name]")
        if index == 0:
            watched.screenshot("cards-check-phone-ja")
            name.fill("吉田 大輔")  # the user corrects what the reader got wrong
        elif not name.input_value():
            name.fill(f"名前 {index}")
        page.locator("#capture-form .capture-save").click()
        expect(page.locator("#capture-form input[name=card-scan]")).to_have_count(0)
        expect(page.locator(".card-scan--read")).to_have_count(2 - index)

    people = list(Person.objects.filter(owner=user).order_by("pk"))
    assert len(people) == 3
    assert people[0].display_name.replace(" ", "") == "吉田大輔"
    assert people[0].company == "株式会社大和テクノロジー"
    for person in people:
        image = CardImage.objects.get(person=person)
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        expect(page.locator(f"#person-cards img[src='/cards/image/{image.pk}/']")).to_be_visible()
        loaded = page.evaluate(
            f"fetch('/cards/image/{image.pk}/').then(r => [r.status, r.headers.get('x-content-type-options')])"
        )
        assert loaded == [200, "nosniff"]
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the card photo makes the person page {overflow}px too wide"
    watched.screenshot("cards-person-phone-ja")

    watched.assert_clean()
    # Another user's card image: 404 (the browser logs the 404 itself, so checked after the above).
    other = make_user(username="tanin")
    other_event = make_event(owner=other)
    foreign = CardImage.objects.create(owner=other, image="cards/x/none.jpg", scan=None)
    assert other_event.pk
    status_code = page.evaluate(f"fetch('/cards/image/{foreign.pk}/').then(r => r.status)")
    assert status_code == 404


def test_card_panel_and_my_card_look_right_in_both_languages(watched, live_server, media, viewport):
    user = make_user(username="mycard")
    event = make_event(owner=user, name="交流会")
    page = watched.page
    log_in(watched, live_server, "mycard")
    for language in ("ja", "en"):
        switch_language(page, language)
        page.goto(f"{live_server.url}/capture/?event={event.pk}")
        expect(page.locator("#card-scans")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        watched.screenshot(f"cards-capture-{viewport}-{language}")
        page.goto(f"{live_server.url}/my-card/")
        page.fill("input[name=name]", "佐藤 花子")
        page.fill("input[name=reading]", "さとう はなこ")
        page.fill("input[name=email]", "hanako@example.jp")
        page.locator("button[type=submit].button--primary").last.click()
        expect(page.locator("img.my-card__code")).to_be_visible()
        watched.screenshot(f"cards-my-card-{viewport}-{language}")
    watched.assert_clean()
