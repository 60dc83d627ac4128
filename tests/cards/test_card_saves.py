"""A scanned card is saved once: met again it joins the known person, and a second tab is told as whom it was saved."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from cards import services
from cards.models import CardImage, CardScan, ScanState
from contacts.models import CareerChange, ContactPoint, Meeting, Person
from tests.factories import make_event, make_person, make_user

from .conftest import card_bytes

READ = {
    "name": "吉田 大輔",
    "reading": "よしだ だいすけ",
    "company": "株式会社大和テクノロジー",
    "title": "部長",
    "email": "daisuke.yoshida@yamato-technology.co.jp",
    "phone": "045-319-1614",
    "department": "開発本部",
    "address": "神奈川県横浜市西区みなとみらい2-2-1",
    "website": "https://www.yamato-technology.co.jp",
}


def _read_scan(owner, event):
    """A scan the worker has read (the fields set directly: these tests are about saving)."""
    scans, _refused = services.start_scans(
        owner=owner, event=event, uploads=[SimpleUploadedFile("c.jpg", card_bytes("jp_horizontal_photo.jpg"))]
    )
    CardScan.objects.filter(pk=scans[0].pk).update(
        state=ScanState.READ, fields={name: {"value": value, "confidence": 0.9} for name, value in READ.items()}
    )
    return CardScan.objects.get(pk=scans[0].pk)


def _row(scan, **overrides):
    """The capture row as the prefilled form posts it (each tab has its own capture key)."""
    import uuid

    data = {
        "capture_key": str(uuid.uuid4()),
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


def _save(client, event, data, **headers):
    return client.post(reverse("contacts:capture_row", args=[event.pk]), data, HTTP_HX_REQUEST="true", **headers)


def test_a_card_saved_from_two_tabs_makes_one_person_and_the_second_tab_says_as_whom(auth_client, user):
    event = make_event(owner=user)
    scan = _read_scan(user, event)
    first, second = _row(scan), _row(scan)  # both tabs show the same read card
    assert _save(auth_client, event, first).status_code == 200
    person = Person.objects.get(owner=user)
    response = _save(auth_client, event, second | {"duplicate": "new"})
    text = response.content.decode()
    assert "This card was already saved as" in text
    assert f'href="{reverse("contacts:person_detail", args=[person.pk])}"' in text
    assert person.display_name in text
    assert Person.objects.filter(owner=user).count() == 1
    assert Meeting.objects.filter(owner=user).count() == 1
    assert CardImage.objects.get(owner=user).person == person


def test_the_second_tab_is_told_in_japanese(auth_client, user):
    event = make_event(owner=user)
    scan = _read_scan(user, event)
    _save(auth_client, event, _row(scan))
    text = _save(auth_client, event, _row(scan) | {"duplicate": "new"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "この名刺は" in text and "として保存済みです" in text
    assert Person.objects.filter(owner=user).count() == 1


def test_a_card_saved_by_another_tab_while_this_row_was_saving_rolls_the_row_back(auth_client, user, monkeypatch):
    from contacts.views import capture

    event = make_event(owner=user)
    scan = _read_scan(user, event)
    other = make_person(owner=user, family_name="別", given_name="人")

    def other_tab_saves_meanwhile(matches, clues):
        # The other tab's save lands after this row's checks, just before its write.
        services.attach(scan=CardScan.objects.get(pk=scan.pk), person=other)
        return []

    monkeypatch.setattr(capture.matching, "strong", other_tab_saves_meanwhile)
    text = _save(auth_client, event, _row(scan)).content.decode()
    assert "This card was already saved as" in text and "別 人" in text
    assert list(Person.objects.filter(owner=user)) == [other]  # this row's person was rolled back
    assert not Meeting.objects.filter(owner=user).exists()
    assert CardScan.objects.get(pk=scan.pk).person == other


def test_a_card_of_someone_met_again_joins_them_with_its_photo_and_new_details(auth_client, user):
    event = make_event(owner=user)
    scan = _read_scan(user, event)
    known = make_person(owner=user, family_name="吉田", given_name="大輔", company="旧商事株式会社", title="課長")
    ContactPoint.objects.create(
        person=known, kind="email", value="d.yoshida@old.example", normalized="d.yoshida@old.example"
    )
    url = reverse("contacts:capture_existing", args=[event.pk, known.pk])
    response = auth_client.post(url, _row(scan), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.get("X-Capture-Saved")
    known.refresh_from_db()
    assert Person.objects.filter(owner=user).count() == 1
    # The photo stays with the person met again, and the scan is done.
    image = CardImage.objects.get(owner=user)
    assert image.person == known
    scan.refresh_from_db()
    assert scan.state == ScanState.SAVED and scan.person == known
    # What the new card says is kept; what it replaces goes to the career history.
    assert (known.company, known.title, known.department) == ("株式会社大和テクノロジー", "部長", "開発本部")
    assert known.address == READ["address"] and known.website == READ["website"]
    change = CareerChange.objects.get(person=known)
    assert (change.old_company, change.old_title) == ("旧商事株式会社", "課長")
    numbers = set(known.contact_points.values_list("normalized", flat=True))
    assert {"d.yoshida@old.example", READ["email"], "+81453191614"} <= numbers
    # Saving the card again, from another tab, is refused with the person's name.
    again = auth_client.post(url, _row(scan), HTTP_HX_REQUEST="true").content.decode()
    assert "This card was already saved as" in again
    assert Meeting.objects.filter(owner=user).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections racing: PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_connections_claiming_the_same_card_save_it_once():
    owner = make_user(username="two-tabs")
    event = make_event(owner=owner)
    scan = _read_scan(owner, event)
    first = make_person(owner=owner, family_name="一", given_name="番")
    second = make_person(owner=owner, family_name="二", given_name="番")
    claimed_first = threading.Event()
    results = {}

    def tab(person, name):
        try:
            with transaction.atomic():
                if name == "second":
                    claimed_first.wait(timeout=10)
                results[name] = services.attach(scan=CardScan.objects.get(pk=scan.pk), person=person)
                if name == "first":
                    claimed_first.set()
                    # Hold the claim uncommitted a moment: the second connection waits on the row.
                    threading.Event().wait(0.5)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=tab, args=(first, "first")),
        threading.Thread(target=tab, args=(second, "second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"first": True, "second": False}
    assert CardScan.objects.get(pk=scan.pk).person == first
    assert set(CardImage.objects.values_list("person", flat=True)) == {first.pk}
