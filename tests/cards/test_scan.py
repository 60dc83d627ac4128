"""A photographed card becomes a row: read on the worker, checked by the user, saved through the capture row."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cards import ocr, services
from cards.models import CardImage, CardScan, ScanState
from contacts import trash
from contacts.models import ContactPoint, Person
from tests.factories import make_event
from transfer import backup

from .conftest import card_bytes

needs_tesseract = pytest.mark.skipif(not ocr.status().available, reason="Tesseract is missing: make test installs it")


def _upload(client, event, *names, paired=False):
    files = [SimpleUploadedFile(name, card_bytes(name), content_type="image/jpeg") for name in names]
    data = {"photos": files} | ({"paired": "on"} if paired else {})
    return client.post(reverse("cards:scan_upload", args=[event.pk]), data, HTTP_HX_REQUEST="true")


def _row(scan, **overrides):
    """The capture row as the prefilled form posts it."""
    data = {
        "name": scan.value("name"),
        "reading": scan.value("reading"),
        "company": scan.value("company"),
        "title": scan.value("title"),
        "email": scan.value("email"),
        "want_again": "unknown",
        "card-scan": str(scan.pk),
        "card-phone": scan.value("phone"),
        "card-department": scan.value("department"),
        "card-address": scan.value("address"),
        "card-website": scan.value("website"),
    }
    return data | overrides


@needs_tesseract
def test_a_card_photo_is_read_into_a_row_and_saved_through_the_capture_row(auth_client, user):
    event = make_event(owner=user)
    assert _upload(auth_client, event, "jp_horizontal_photo.jpg").status_code == 200
    scan = CardScan.objects.get(owner=user)
    # Nothing is read inside the request: the row waits for the worker.
    assert scan.state == ScanState.READING
    assert "Reading…" in auth_client.get(reverse("cards:scan_row", args=[scan.pk])).content.decode()

    services.read_scan(scan_id=scan.pk)
    scan.refresh_from_db()
    assert scan.state == ScanState.READ
    assert scan.value("email") == "daisuke.yoshida@yamato-technology.co.jp"
    assert scan.value("company") == "株式会社大和テクノロジー"
    assert scan.value("phone") == "045-319-1614"
    assert all(0 <= f["confidence"] <= 1 for f in scan.fields.values())
    assert not Person.objects.filter(owner=user).exists()  # nothing saved before the user confirms

    form = auth_client.get(reverse("cards:scan_form", args=[scan.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="capture-form"' in form and 'name="card-scan"' in form
    assert 'value="daisuke.yoshida@yamato-technology.co.jp"' in form

    # The user corrects the name the reader got wrong, and saves.
    response = auth_client.post(
        reverse("contacts:capture_row", args=[event.pk]), _row(scan, name="吉田 大輔"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    person = Person.objects.get(owner=user)
    assert (person.family_name, person.given_name) == ("吉田", "大輔")
    assert person.company == "株式会社大和テクノロジー"
    assert person.website == "https://www.yamato-technology.co.jp"
    assert ContactPoint.objects.filter(person=person, normalized="+81453191614").exists()
    image = CardImage.objects.get(owner=user)
    assert image.person == person
    scan.refresh_from_db()
    assert scan.state == ScanState.SAVED and scan.person == person
    # Saving the same scan again is refused: no second person.
    again = auth_client.post(reverse("contacts:capture_row", args=[event.pk]), _row(scan), HTTP_HX_REQUEST="true")
    assert "already saved" in again.content.decode()
    assert Person.objects.filter(owner=user).count() == 1


def test_a_bad_phone_from_the_card_keeps_the_row_unsaved_with_a_message(auth_client, user):
    event = make_event(owner=user)
    _upload(auth_client, event, "english_photo.jpg")
    scan = CardScan.objects.get(owner=user)
    CardScan.objects.filter(pk=scan.pk).update(
        state=ScanState.READ, fields={"name": {"value": "A B", "confidence": 0.9}}
    )
    scan.refresh_from_db()
    response = auth_client.post(
        reverse("contacts:capture_row", args=[event.pk]), _row(scan, **{"card-phone": "12"}), HTTP_HX_REQUEST="true"
    )
    assert "card-phone" in response.content.decode()
    assert not Person.objects.exists()
    assert CardImage.objects.get().person is None


def test_a_photo_with_nothing_readable_becomes_a_row_with_its_photo_and_a_message(user, monkeypatch):
    event = make_event(owner=user)
    monkeypatch.setattr("cards.ocr.read_lines", lambda image: [])
    monkeypatch.setattr("cards.ocr.status", lambda: ocr.Status(True, ()))
    scans, _refused = services.start_scans(
        owner=user, event=event, uploads=[SimpleUploadedFile("blank.jpg", card_bytes("english_photo.jpg"))]
    )
    scan = services.read_scan(scan_id=scans[0].pk)
    scan.refresh_from_db()
    assert scan.state == ScanState.READ and scan.fields == {}
    assert "Nothing could be read" in scan.message
    assert scan.images.count() == 1


def test_without_tesseract_the_scan_button_says_what_to_install(auth_client, user, monkeypatch):
    monkeypatch.setattr("cards.ocr.status", lambda: ocr.Status(False, ("tesseract-ocr-jpn",)))
    event = make_event(owner=user)
    text = auth_client.get(reverse("cards:scan_panel", args=[event.pk])).content.decode()
    assert "tesseract-ocr-jpn" in text and 'type="file"' not in text


def test_a_card_unread_for_minutes_says_the_worker_may_be_down(auth_client, user):
    import datetime

    from django.utils import timezone

    event = make_event(owner=user)
    scans, _ = services.start_scans(owner=user, event=event, uploads=[SimpleUploadedFile("c.jpg", card_bytes())])
    url = reverse("cards:scan_row", args=[scans[0].pk])
    assert "background worker" not in auth_client.get(url).content.decode()
    CardScan.objects.filter(pk=scans[0].pk).update(created_at=timezone.now() - datetime.timedelta(minutes=3))
    text = auth_client.get(url).content.decode()
    assert "background worker" in text and 'hx-trigger="every 10s"' in text


def test_reading_twice_changes_nothing(user):
    event = make_event(owner=user)
    scans, _ = services.start_scans(owner=user, event=event, uploads=[SimpleUploadedFile("c.jpg", card_bytes())])
    CardScan.objects.filter(pk=scans[0].pk).update(
        state=ScanState.READ, fields={"name": {"value": "X", "confidence": 1}}
    )
    assert services.read_scan(scan_id=scans[0].pk) is None
    assert CardScan.objects.get().value("name") == "X"


def _saved_person_with_card(user):
    event = make_event(owner=user)
    scans, _ = services.start_scans(owner=user, event=event, uploads=[SimpleUploadedFile("c.jpg", card_bytes())])
    person = Person.objects.create(owner=user, family_name="吉田", given_name="大輔")
    services.attach(scan=scans[0], person=person)
    return person, CardImage.objects.get(person=person)


def test_the_card_image_is_served_to_its_owner_only_and_never_sniffed(client, user, other_user):
    person, image = _saved_person_with_card(user)
    url = reverse("cards:card_image", args=[image.pk])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    panel = client.get(reverse("cards:person_cards", args=[person.pk])).content.decode()
    assert url in panel
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("cards:person_cards", args=[person.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_card_images_go_to_the_trash_and_come_back_with_the_person(
    auth_client, user, django_capture_on_commit_callbacks
):
    person, image = _saved_person_with_card(user)
    trashed = trash.trash_person(person=person)
    assert not CardImage.objects.filter(pk=image.pk).exists()
    assert auth_client.get(reverse("cards:card_image", args=[image.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        trash.restore(trashed=trashed)  # deletes the trash row: the files must stay
    restored = CardImage.objects.get(pk=image.pk)
    assert restored.person_id == person.pk
    assert auth_client.get(reverse("cards:card_image", args=[image.pk])).status_code == 200


def test_a_card_photo_file_is_deleted_when_its_person_leaves_the_trash_for_good(
    user, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    person, image = _saved_person_with_card(user)
    name, storage = image.image.name, image.image.storage
    trash.trash_person(person=person)
    assert storage.exists(name)  # kept while in the trash
    with django_capture_on_commit_callbacks(execute=True):
        assert trash.purge(now=timezone.now() + datetime.timedelta(days=31)) == 1
    assert not storage.exists(name)


def test_card_images_travel_in_the_backup_and_back_byte_for_byte(user, django_user_model):
    person, image = _saved_person_with_card(user)
    text = backup.backup_text(user)
    rows = json.loads(text)["data"]["card_images"]
    assert len(rows) == 1 and rows[0]["person"] == 1 and len(rows[0]["image"]) > 1000
    fresh = django_user_model.objects.create_user(username="fresh", password="x")
    backup.restore(owner=fresh, data=text.encode())
    copy = CardImage.objects.get(owner=fresh)
    assert copy.person.owner == fresh and copy.image.name != image.image.name
    assert copy.image.read() == image.image.read()
    again = json.loads(backup.backup_text(fresh))["data"]
    assert again["card_images"] == rows and again["people"] == json.loads(text)["data"]["people"]


def test_a_backup_with_a_card_image_that_is_not_an_image_restores_nothing(user, django_user_model):
    _saved_person_with_card(user)
    document = json.loads(backup.backup_text(user))
    document["data"]["card_images"][0]["image"] = "bm90IGFuIGltYWdl"  # "not an image"
    fresh = django_user_model.objects.create_user(username="fresh", password="x")
    with pytest.raises(backup.BackupRejected, match="card_images"):
        backup.restore(owner=fresh, data=json.dumps(document).encode())
    assert not Person.objects.filter(owner=fresh).exists()


def test_another_users_scan_is_404(auth_client, other_user):
    event = make_event(owner=other_user)
    scans, _ = services.start_scans(owner=other_user, event=event, uploads=[SimpleUploadedFile("c.jpg", card_bytes())])
    for name in ("cards:scan_row", "cards:scan_form"):
        assert auth_client.get(reverse(name, args=[scans[0].pk])).status_code == 404
    assert auth_client.post(reverse("cards:scan_discard", args=[scans[0].pk])).status_code == 404
    assert CardScan.objects.filter(pk=scans[0].pk).exists()
