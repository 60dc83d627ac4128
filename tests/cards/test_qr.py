"""QR codes: vCard and MECARD codes on a card prefill the row; My card's code reads back as my details."""

import base64
import io
import re

import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cards import qr, services
from cards.models import CardScan, MyCard
from tests.factories import make_event

VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nFN:山田 太郎\r\nX-PHONETIC-LAST-NAME:やまだ\r\n"
    "X-PHONETIC-FIRST-NAME:たろう\r\nORG:株式会社みらい;営業部\r\nTITLE:部長\r\nTEL;TYPE=CELL:090-1234-5678\r\n"
    "EMAIL:taro@mirai.example\r\nURL:https://www.linkedin.com/in/taro\r\nEND:VCARD\r\n"
)
MECARD = "MECARD:N:佐藤,花子;SOUND:さとう,はなこ;TEL:03-1234-5678;EMAIL:hanako@example.jp;URL:https://example.jp/;;"


def _qr_photo(text: str) -> bytes:
    """A QR code printed on a white card, as a PNG."""
    code = io.BytesIO()
    segno.make(text, error="m").save(code, kind="png", scale=5, border=4)
    picture = Image.open(code).convert("RGB")
    card = Image.new("RGB", (picture.width + 600, picture.height + 100), "white")
    card.paste(picture, (560, 50))
    out = io.BytesIO()
    card.save(out, "PNG")
    return out.getvalue()


def test_a_vcard_qr_is_decoded_with_readings_and_the_profile_url():
    [text] = qr.decode(Image.open(io.BytesIO(_qr_photo(VCARD))))
    fields = qr.parse(text)
    assert fields["name"] == "山田 太郎"
    assert fields["reading"] == "やまだ たろう"
    assert (fields["company"], fields["department"], fields["title"]) == ("株式会社みらい", "営業部", "部長")
    assert fields["mobile"] == "090-1234-5678"
    assert fields["email"] == "taro@mirai.example"
    assert fields["linkedin"] == "https://www.linkedin.com/in/taro"


def test_a_mecard_qr_is_decoded():
    [text] = qr.decode(Image.open(io.BytesIO(_qr_photo(MECARD))))
    fields = qr.parse(text)
    assert fields == {
        "name": "佐藤 花子",
        "reading": "さとう はなこ",
        "phone": "03-1234-5678",
        "email": "hanako@example.jp",
        "website": "https://example.jp/",
    }


def test_a_url_qr_becomes_the_website_and_other_text_gives_nothing():
    assert qr.parse("https://8card.net/p/abc") == {"website": "https://8card.net/p/abc"}
    assert qr.parse("hello") == {}


def test_a_card_photo_with_a_qr_code_fills_the_row_from_it(user, monkeypatch):
    monkeypatch.setattr("cards.ocr.read_lines", lambda image: [])  # the code alone, whatever OCR finds
    event = make_event(owner=user)
    scans, _ = services.start_scans(
        owner=user, event=event, uploads=[SimpleUploadedFile("qr.png", _qr_photo(MECARD), content_type="image/png")]
    )
    services.read_scan(scan_id=scans[0].pk)
    scan = CardScan.objects.get()
    assert scan.value("name") == "佐藤 花子" and scan.value("email") == "hanako@example.jp"
    assert scan.fields["name"]["confidence"] == 1.0


def test_my_card_qr_decodes_back_to_my_chosen_details(auth_client, user):
    response = auth_client.post(
        reverse("cards:my_card"),
        {
            "name": "鈴木 一郎",
            "reading": "すずき いちろう",
            "company": "一郎商店",
            "title": "店主",
            "email": "ichiro@example.jp",
            "phone": "090-1111-2222",
            "website": "",
            "address": "東京都港区",
            "shared": ["name", "reading", "company", "email", "phone"],
        },
    )
    assert response.status_code == 302
    page = auth_client.get(reverse("cards:my_card")).content.decode()
    uri = re.search(r'class="my-card__code" src="data:image/png;base64,([^"]+)"', page).group(1)
    [text] = qr.decode(Image.open(io.BytesIO(base64.b64decode(uri))))
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    fields = qr.parse(text)
    assert fields["name"] == "鈴木 一郎"
    assert fields["reading"] == "すずき いちろう"
    assert fields["company"] == "一郎商店"
    assert fields["email"] == "ichiro@example.jp"
    assert fields["mobile"] == "090-1111-2222"
    # Not chosen: not shared.
    assert "title" not in fields and "address" not in fields
    assert MyCard.objects.get(owner=user).shared == ["name", "reading", "company", "email", "phone"]


def test_my_card_refuses_a_bad_phone_and_saves_nothing(auth_client, user):
    response = auth_client.post(reverse("cards:my_card"), {"name": "X", "phone": "12", "shared": ["name"]})
    assert response.status_code == 422
    assert not MyCard.objects.filter(owner=user).exists()


def test_my_card_is_only_mine(client, user, other_user):
    MyCard.objects.create(owner=other_user, name="他人", shared=["name"])
    client.force_login(user)
    assert "他人" not in client.get(reverse("cards:my_card")).content.decode()
