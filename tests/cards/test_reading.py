"""Tesseract on card photos: vertical cards (縦書き) and the ㈱ mark that its models do not know."""

import io

import pytest
from PIL import Image

from cards import extract, images, ocr

from .conftest import card_bytes

pytestmark = pytest.mark.skipif(not ocr.status().available, reason="Tesseract is missing: make test installs it")


def _read(name: str) -> dict[str, str]:
    photo = images.load(card_bytes(name))
    found = extract.extract(ocr.read_lines(Image.open(io.BytesIO(photo.data))))
    return {field: value.value for field, value in found.items()}


def test_a_vertical_card_is_read_column_by_column_and_its_numbers_sideways():
    found = _read("jp_vertical_photo.jpg")
    assert found["name"] == "山田 真由美"
    assert found["company"] == "有限会社日本橋ソリューションズ"
    assert found["title"] == "取締役"
    # Set on their side in the columns: read with the card turned a quarter.
    assert found["email"] == "ymayumi@nihonbashi-solutions.co.jp"
    assert found["phone"] == "06-1933-5197" and found["mobile"] == "070-6859-7623"


def test_the_abbreviated_company_mark_is_read_as_kabu():
    found = _read("short_company.jpg")
    assert found["company"] == "新星ソリューションズ(株)"
    assert found["name"].replace(" ", "") == "松本陽子"


def test_a_kabu_mark_before_the_name_beside_a_logo_is_read():
    assert _read("short_company_photo.jpg")["company"] == "(株)北斗不動産"


def test_a_one_letter_given_name_read_as_two_small_pieces_joins_the_name():
    assert _read("name_left_photo.jpg")["name"] == "池田 亮"
