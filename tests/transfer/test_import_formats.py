"""Each fixture file, written to match an exporter's real layout, reads into the right people."""

import datetime

import pytest

from contacts.models import Person
from tests.transfer.helpers import fixture, import_file
from transfer import services
from transfer.models import ImportJob, RowKind

pytestmark = pytest.mark.django_db


def _rows(job: ImportJob):
    return {row.line: row for row in job.rows.all()}


def _person(owner, **lookup) -> Person:
    return Person.objects.prefetch_related("contact_points", "tags").get(owner=owner, **lookup)


def _points(person) -> set[tuple[str, str]]:
    return {(p.kind, p.normalized) for p in person.contact_points.all()}


def test_iphone_vcard_keeps_phonetic_readings_org_reading_and_skips_the_photo(user):
    job = import_file(user, "iphone_3.0.vcf")
    assert (job.format, job.encoding, job.created_count) == ("vcard", "utf-8", 3)
    taro = _person(user, family_name="山田")
    assert (taro.given_name, taro.family_reading, taro.given_reading) == ("太郎", "やまだ", "たろう")
    assert (taro.company, taro.company_reading, taro.department, taro.title) == (
        "株式会社サンプル商事", "かぶしきがいしゃさんぷるしょうじ", "営業部", "部長",
    )  # fmt: skip
    assert (taro.postal_code, taro.region, taro.locality, taro.address, taro.country) == (
        "100-0005", "東京都", "千代田区", "丸の内1-1-1", "日本",
    )  # fmt: skip
    assert taro.full_address == "〒100-0005 東京都千代田区丸の内1-1-1"
    assert taro.birthday == datetime.date(1980, 4, 1)
    assert taro.notes == "異業種交流会で名刺交換。\nゴルフ好き。"
    assert _points(taro) == {
        ("email", "taro.yamada@example.jp"), ("mobile", "+819012345678"), ("phone", "+81312345678"),
    }  # fmt: skip
    assert sorted(t.name for t in taro.tags.all()) == ["ゴルフ", "取引先"]
    john = _person(user, family_name="Smith")
    assert (john.display_name, john.website, john.linkedin) == (
        "John Smith", "https://acme.example.com", "https://www.linkedin.com/in/jsmith",
    )  # fmt: skip


def test_iphone_vcard_keeps_the_card_with_a_bad_email_and_says_which_field_was_left_out(user):
    job = services.start_import(owner=user, filename="iphone_3.0.vcf", data=fixture("iphone_3.0.vcf"))
    assert not job.rows.filter(kind=RowKind.INVALID).exists()
    row = job.rows.get(line=36)  # the BEGIN:VCARD line of the third card
    assert row.kind == RowKind.NEW and row.values["family_name"] == "高橋"
    assert "takahashi@@example" in row.warnings[0]


def test_imported_people_are_found_by_kana_and_romaji(user):
    import_file(user, "iphone_3.0.vcf")
    for query in ("やまだ", "ヤマダ", "山田", "yamada", "サンプル"):
        assert [p.family_name for p in Person.objects.filter(owner=user).search(query)] == ["山田"], query


def test_android_21_quoted_printable_with_soft_line_breaks(user):
    job = import_file(user, "android_2.1_qp.vcf")
    assert job.created_count == 2
    hanako = _person(user, family_name="佐藤")
    assert (hanako.given_name, hanako.family_reading, hanako.given_reading) == ("花子", "さとう", "はなこ")
    assert hanako.company == "デザイン事務所ハナ"
    assert hanako.notes == "交流会で隣の席。来月ランチの約束。"
    assert ("mobile", "+818023456789") in _points(hanako)
    taro = _person(user, given_name="Taro")
    assert _points(taro) == {("mobile", "+819087654321")}


def test_android_30_sort_string_and_phonetic_names(user):
    import_file(user, "android_3.0.vcf")
    kenta = _person(user, family_name="伊藤")
    assert (kenta.family_reading, kenta.given_reading) == ("イトウ", "ケンタ")
    misaki = _person(user, family_name="渡辺")  # only SORT-STRING carries the reading
    assert (misaki.family_reading, misaki.given_reading) == ("わたなべ", "みさき")


def test_feature_phone_shift_jis_with_half_width_irmc_readings(user):
    job = import_file(user, "feature_phone_2.1_sjis.vcf")
    assert job.encoding == "cp932"
    ichiro = _person(user, family_name="鈴木")
    assert (ichiro.given_name, ichiro.family_reading, ichiro.given_reading) == ("一郎", "スズキ", "イチロウ")
    assert _points(ichiro) == {
        ("email", "ichiro@docomo.example.ne.jp"), ("mobile", "+819012340000"), ("phone", "+81312340000"),
    }  # fmt: skip
    hanako = _person(user, family_name="田中花子")  # the whole reading in the first component
    assert hanako.family_reading == "タナカハナコ"
    assert hanako.sort_key == "たなかはなこ"


def test_vcard_40_sort_as_on_name_and_org_and_folded_lines(user):
    import_file(user, "vcard_4.0.vcf")
    yui = _person(user, family_name="中村")
    assert (yui.family_reading, yui.given_reading, yui.company_reading) == ("なかむら", "ゆい", "みらいけんせつ")
    assert yui.department == "設計部"
    assert yui.birthday == datetime.date(1990, 7, 15)
    assert yui.notes == "長い備考です。" + "とても長いメモが続きます。" * 6
    assert _points(yui) == {("email", "yui.nakamura@example.jp"), ("mobile", "+819055556666")}


def test_google_csv_current_layout(user):
    job = import_file(user, "google_contacts.csv")
    assert (job.format, job.created_count) == ("google", 3)
    jiro = _person(user, family_name="小林")
    assert (jiro.family_reading, jiro.given_reading, jiro.company, jiro.title, jiro.department) == (
        "こばやし", "じろう", "株式会社コバヤシ製作所", "工場長", "製造部",
    )  # fmt: skip
    assert sorted(t.name for t in jiro.tags.all()) == ["展示会", "製造業"]  # not the * system groups
    assert _points(jiro) == {
        ("email", "jiro@kobayashi.example.jp"), ("email", "jiro.k@example.com"),
        ("mobile", "+819022223333"), ("fax", "+81322223334"),
    }  # fmt: skip
    assert jiro.notes == "展示会で挨拶。\n息子さんが受験生。"
    emily = _person(user, family_name="Clark")
    assert emily.birthday is None  # --04-12 has no year
    # Both numbers of a " ::: " cell take the cell's label.
    assert _points(emily) == {
        ("email", "emily@globex.example"),
        ("mobile", "+447911123456"),
        ("mobile", "+442079460958"),
    }
    # Words in a phone column keep the person, the words kept as written and marked unverified.
    yuko = _person(user, family_name="加藤")
    (point,) = yuko.contact_points.all()
    assert (point.value, point.is_unverified, point.href) == ("not a number", True, "")


def test_google_csv_legacy_yomi_layout(user):
    import_file(user, "google_legacy.csv")
    makoto = _person(user, family_name="吉田")
    assert (makoto.family_reading, makoto.given_reading, makoto.company_reading) == (
        "よしだ", "まこと", "よしだこんさるてぃんぐ",
    )  # fmt: skip
    assert [t.name for t in makoto.tags.all()] == ["勉強会"]


def test_linkedin_connections_with_notes_preamble(user):
    job = import_file(user, "linkedin_connections.csv")
    assert (job.format, job.created_count) == ("linkedin", 3)
    aiko = _person(user, family_name="Mori")
    assert aiko.first_met_on == datetime.date(2024, 3, 15)
    assert aiko.last_contact_on == datetime.date(2024, 3, 15)
    assert aiko.linkedin == "https://www.linkedin.com/in/aiko-mori"
    assert _person(user, family_name="Watanabe").company == "Startup, Inc."
    hiroshi = _person(user, given_name="Hiroshi")  # 31 Feb 2024 is left out, not the person
    assert hiroshi.first_met_on is None


def test_eight_shift_jis_with_preamble_and_full_name(user, other_user):
    job = import_file(user, "eight_sjis.csv")
    assert (job.format, job.encoding, job.created_count) == ("eight", "cp932", 2)
    daisuke = _person(user, family_name="松本")
    assert daisuke.given_name == "大輔"
    assert daisuke.first_met_on == datetime.date(2024, 4, 18)
    assert (daisuke.postal_code, daisuke.address) == ("150-0002", "東京都渋谷区渋谷2-1-1 渋谷ビル5F")
    assert daisuke.full_address == "〒150-0002 東京都渋谷区渋谷2-1-1 渋谷ビル5F"
    assert ("fax", "+81355550009") in _points(daisuke)
    preview = services.start_import(owner=other_user, filename="eight.csv", data=fixture("eight_sjis.csv"))
    assert sorted(_rows(preview)) == [6, 7]  # the lines after the preamble and the header


def test_eight_utf8_with_family_and_given_columns(user):
    import_file(user, "eight_utf8.csv")
    takuya = _person(user, family_name="木村")
    assert (takuya.given_name, takuya.title, takuya.first_met_on) == ("拓也", "弁護士", datetime.date(2024, 2, 29))


def test_sansan_columns_with_kana_and_split_address(user):
    csv = (
        "会社名,部署,役職,姓,名,姓カナ,名カナ,TEL1,携帯番号,email1,郵便番号,都道府県,市区町村,町域・番地,ビル名,タグ,メモ,名刺交換日\r\n"
        "三和商事,総務部,部長,森,一郎,モリ,イチロウ,06-1234-5678,090-1111-0000,mori@sanwa.example.jp,530-0001,"
        "大阪府,大阪市北区,梅田1-1,梅田ビル,大阪;取引先,年賀状あり,2022/10/05\r\n"
    ).encode("cp932")
    import_file(user, "sansan.csv", data=csv)
    ichiro = _person(user, family_name="森")
    assert (ichiro.family_reading, ichiro.given_reading) == ("モリ", "イチロウ")
    assert (ichiro.postal_code, ichiro.region, ichiro.locality, ichiro.address) == (
        "530-0001", "大阪府", "大阪市北区", "梅田1-1 梅田ビル",
    )  # fmt: skip
    assert ichiro.full_address == "〒530-0001 大阪府大阪市北区梅田1-1 梅田ビル"
    assert sorted(t.name for t in ichiro.tags.all()) == ["取引先", "大阪"]
