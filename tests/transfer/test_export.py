"""Export: vCard 3.0/4.0 with readings, Excel CSV, streamed with a fixed number of queries per chunk."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import ContactPoint, Tag
from tests.factories import make_person
from transfer import exporting
from transfer.vcard import fold

pytestmark = pytest.mark.django_db


def _download(client, fmt: str, **headers) -> tuple[object, bytes]:
    response = client.get(reverse("transfer:export_download", args=[fmt]), **headers)
    return response, b"".join(response.streaming_content)


def _person(owner, **overrides):
    person = make_person(
        owner=owner, company="株式会社サンプル", company_reading="さんぷる", title="部長",
        birthday=datetime.date(1980, 4, 1), notes="メモ; 改行\nあり, カンマ", **overrides,
    )  # fmt: skip
    ContactPoint.objects.create(person=person, kind="mobile", value="090-1234-5678", normalized="+819012345678")
    ContactPoint.objects.create(person=person, kind="email", value="taro@example.jp", normalized="taro@example.jp")
    person.tags.add(Tag.objects.get_or_create(owner=owner, name="ゴルフ")[0])
    return person


def test_vcard3_has_readings_for_iphone_and_android(auth_client, user):
    _person(user)
    response, body = _download(auth_client, "vcard3")
    assert response["Content-Type"].startswith("text/vcard")
    assert 'attachment; filename="jinmyaku-contacts-' in response["Content-Disposition"]
    text = body.decode()
    for line in (
        "VERSION:3.0", "N:山田;太郎;;;", "FN:山田 太郎", "X-PHONETIC-LAST-NAME:やまだ", "X-PHONETIC-FIRST-NAME:たろう",
        "SORT-STRING:やまだ たろう", "ORG:株式会社サンプル", "X-PHONETIC-ORG:さんぷる", "TEL;TYPE=CELL:090-1234-5678",
        "EMAIL;TYPE=INTERNET:taro@example.jp", "BDAY:1980-04-01", "NOTE:メモ\\; 改行\\nあり\\, カンマ", "CATEGORIES:ゴルフ",
    ):  # fmt: skip
        assert line + "\r\n" in text, line


@pytest.mark.parametrize("fmt", ["vcard3", "vcard4", "csv"])
def test_a_guessed_reading_is_left_out_unless_asked_for(auth_client, user, fmt):
    _person(user, family_reading="やまだ", given_reading="たろう", reading_inferred=True)
    _person(user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ")
    _response, body = _download(auth_client, fmt)
    text = body.decode("utf-8-sig")
    assert "やまだ" not in text and "たろう" not in text  # a guess is not written as a checked reading
    assert "さとう" in text and "はなこ" in text  # a typed one is
    assert "さんぷる" in text  # the company's reading is never a guess
    response = auth_client.get(reverse("transfer:export_download", args=[fmt]), {"guessed": "1"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "やまだ" in text and "たろう" in text and "さとう" in text


@pytest.mark.parametrize("value", ["", "0", "yes", "true", "１", "on"])
def test_any_other_guessed_value_leaves_guesses_out(auth_client, user, value):
    _person(user, family_reading="やまだ", given_reading="たろう", reading_inferred=True)
    response = auth_client.get(reverse("transfer:export_download", args=["vcard3"]), {"guessed": value})
    assert response.status_code == 200
    assert "やまだ" not in b"".join(response.streaming_content).decode()


def test_the_export_box_offers_guessed_readings_only_when_there_are_some(auth_client, user):
    _person(user)
    assert 'name="guessed"' not in auth_client.get(reverse("transfer:index")).text
    _person(user, family_name="佐藤", family_reading="さとう", reading_inferred=True)
    page = auth_client.get(reverse("transfer:index")).text
    assert 'name="guessed"' in page and "推定した読みで、まだ確認していない人が1人います" in page


def test_vcard4_uses_sort_as(auth_client, user):
    _person(user)
    _response, body = _download(auth_client, "vcard4")
    text = body.decode()
    assert "VERSION:4.0\r\n" in text
    assert 'N;SORT-AS="やまだ,たろう":山田;太郎;;;\r\n' in text
    assert 'ORG;SORT-AS="さんぷる":株式会社サンプル\r\n' in text
    assert "BDAY:19800401\r\n" in text


def test_long_lines_fold_at_75_octets_without_splitting_a_character(auth_client, user):
    make_person(owner=user, notes="とても長い備考が続きます。" * 20)
    _response, body = _download(auth_client, "vcard3")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode
    assert "とても長い備考が続きます。" * 20 in body.decode().replace("\r\n ", "")


def test_fold_keeps_short_lines_and_marks_continuations():
    assert fold("N:山田;太郎;;;") == "N:山田;太郎;;;\r\n"
    folded = fold("NOTE:" + "あ" * 40)
    assert folded.count("\r\n ") == 1 and all(len(p.encode()) <= 75 for p in folded.split("\r\n"))


def test_csv_has_a_bom_translated_headers_and_neutralised_formulas(auth_client, user):
    make_person(owner=user, family_name='=HYPERLINK("http://evil")', company="+81 3 1234", title="@SUM(A1)", notes="-1")
    response, body = _download(auth_client, "csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith(b"\xef\xbb\xbfFamily name,Given name,")
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+81 3 1234" in text and "'@SUM(A1)" in text and "'-1" in text


def test_neutralise_leaves_ordinary_text_alone():
    assert exporting.neutralise("山田") == "山田"
    assert exporting.neutralise("=1+1") == "'=1+1"
    assert exporting.neutralise("\tcmd") == "'\tcmd"


def test_export_lists_only_my_people(auth_client, user, other_user):
    make_person(owner=user, family_name="自分")
    make_person(owner=other_user, family_name="他人")
    for fmt in ("vcard3", "vcard4", "csv", "json"):
        _response, body = _download(auth_client, fmt)
        assert "自分" in body.decode("utf-8-sig") and "他人" not in body.decode("utf-8-sig"), fmt


def test_unknown_format_is_404(auth_client):
    assert auth_client.get(reverse("transfer:export_download", args=["xls"])).status_code == 404


@pytest.mark.parametrize("fmt", ["vcard3", "csv"])
def test_export_runs_a_fixed_number_of_queries_per_chunk(user, monkeypatch, fmt):
    monkeypatch.setattr(exporting, "CHUNK", 5)
    counts = []
    for total in (10, 20):
        while user.people.count() < total:
            _person(user, family_name=f"人{user.people.count()}")
        with CaptureQueriesContext(connection) as queries:
            b"".join(exporting.export_stream(user, fmt))
        counts.append(len(queries))
    # One query reads the people through a cursor; each chunk adds two: its contact points and its tags.
    assert counts == [1 + 2 * 2, 1 + 2 * 4]
