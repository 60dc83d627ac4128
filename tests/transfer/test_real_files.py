"""Files shaped like the ones people really have (issue #17): every person arrives, a bad
field is left out or kept as written with a warning, never the whole row."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from contacts.models import Person
from tests.factories import make_user
from transfer import backup, services
from transfer.decoding import FileRejected
from transfer.models import ImportJob, RowKind

from .helpers import FIXTURES, fixture, import_file


def _person(owner, **lookup) -> Person:
    return Person.objects.get(owner=owner, **lookup)


def _numbers(person) -> dict[str, tuple[str, str, bool]]:
    """value -> (kind, normalized, unverified)"""
    return {p.value: (p.kind, p.normalized, p.is_unverified) for p in person.contact_points.all() if p.kind != "email"}


def _warnings(job) -> dict[int, list[str]]:
    rows = job.rows.filter(kind__in=[RowKind.NEW, RowKind.DUPLICATE], data__has_key="warnings")
    return {row.line: [w["code"] for w in row.data["warnings"]] for row in rows}


# Cause 1: one phone number that is not a valid Japanese number dropped the whole person.


def test_foreign_numbers_in_an_ios_vcard_keep_every_person_with_their_emails_and_readings(user):
    job = import_file(user, "cause1_ios_foreign_phones.vcf")
    assert (job.created_count, job.rows.filter(kind=RowKind.INVALID).count()) == (3, 0)
    johnny = _person(user, family_name="Appleseed")
    assert (johnny.family_reading, johnny.given_reading, johnny.company) == ("アップルシード", "ジョニー", "Apple Inc.")
    assert johnny.contact_points.get(kind="email").value == "johnny@example.com"
    assert _numbers(johnny) == {
        # No +1: kept exactly as written, not read as a Japanese number.
        "(650) 555-1212": ("phone", "6505551212", True),
        # Letters are never turned into digits; Apple's WorkFAX label makes it a fax.
        "+1-800-MYFAX": ("fax", "1800", True),
        "+44 7911 123456": ("mobile", "+447911123456", False),
    }
    marie = _person(user, family_name="Dupont")
    assert _numbers(marie)["+33 1 23 45 67 89"] == ("phone", "+33123456789", False)
    # A number starting with 0 is read as Japanese (the rule): 06 12 34 56 78 is an Osaka
    # number, its digits unchanged.
    assert _numbers(marie)["06-1234-5678"] == ("mobile", "+81612345678", False)


def test_the_preview_lists_each_number_kept_as_written_in_japanese_and_english(auth_client, user):
    auth_client.post(
        reverse("transfer:import_upload"),
        {"file": _upload_file("cause1_ios_foreign_phones.vcf")},
    )
    job = ImportJob.objects.get(owner=user)
    ja = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").text
    assert 'id="import-warnings"' in ja
    assert "電話番号「+1-800-MYFAX」は確認できないため、書かれたまま保存します。" in ja
    user.language = "en"
    user.save(update_fields=["language"])
    en = auth_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Phone number “+1-800-MYFAX” could not be checked; it is kept as written." in en


def _upload_file(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, fixture(name))


# Cause 2: numbers without a country code were turned into other Japanese numbers.


def test_a_number_without_a_country_code_never_gains_a_digit(user):
    import_file(user, "cause1_ios_foreign_phones.vcf")
    makoto = _person(user, family_name="中村")
    assert _numbers(makoto) == {
        "0300000000": ("phone", "0300000000", True),  # starts with 0 but no valid number: as written
        "905-555-1234": ("mobile", "9055551234", True),  # not 090-5555-1234
        "123456789": ("phone", "123456789", True),  # not 0123-45-6789
    }
    assert (makoto.family_reading, makoto.company) == ("なかむら", "中村商店")


def test_a_number_kept_as_written_is_found_by_its_digits(user):
    import_file(user, "cause1_ios_foreign_phones.vcf")
    people = Person.objects.filter(owner=user)
    assert [p.family_name for p in people.search("905-555-1234")] == ["中村"]
    assert [p.family_name for p in people.search("9055551234")] == ["中村"]
    assert [p.family_name for p in people.search("+44 7911")] == ["Appleseed"]
    assert [p.family_name for p in people.search("07911 123456")] == ["Appleseed"]  # its national form
    assert [p.family_name for p in people.search("800-MYFAX")] == []  # words are not digits


# Cause 3: readings separated by ; were stored whole as the family reading.


def test_readings_with_a_semicolon_or_comma_are_split_into_family_and_given(user):
    import_file(user, "cause3_android_sort_as.vcf")
    readings = {
        p.family_name: (p.family_reading, p.given_reading)
        for p in Person.objects.filter(owner=user)  # fmt: skip
    }
    assert readings == {
        "安藤": ("あんどう", "ろいど"),  # N;SORT-AS="あんどう;ろいど"
        "井上": ("いのうえ", "ようすい"),  # N;SORT-AS="いのうえ,ようすい"
        "上田": ("うえだ", "ももこ"),  # X-PHONETIC-LAST-NAME:うえだ;ももこ
        "江藤": ("エトウ", "ケン"),  # SOUND;X-IRMC-N:ｴﾄｳ,ｹﾝ (half-width kana, comma)
        "大野": ("オオノ", "サトシ"),  # SOUND;X-IRMC-N:ｵｵﾉ ｻﾄｼ (the whole reading in the first part)
    }
    assert _person(user, family_name="安藤").company_reading == "あんどうしょうかい"  # ORG;SORT-AS


# Cause 4: UTF-8 split across a folded line was refused as "neither UTF-8 nor Shift_JIS".


def test_utf8_split_across_a_folded_line_is_unfolded_before_it_is_decoded(user):
    job = import_file(user, "cause4_folded_utf8.vcf")
    assert (job.status, job.encoding, job.created_count) == ("done", "utf-8", 1)
    yumi = _person(user, family_name="長谷川")
    assert yumi.company == "株式会社ながいなまえのかいしゃホールディングス"
    assert yumi.department == "海外事業本部"
    assert yumi.notes == "展示会で名刺交換。来月の勉強会に誘うこと。" * 3


def test_a_shift_jis_feature_phone_card_folded_inside_a_character(user):
    job = import_file(user, "docomo_2.1_sjis_folded.vcf")
    assert (job.encoding, job.created_count) == ("cp932", 1)
    seiko = _person(user, family_name="松田")
    assert (seiko.given_name, seiko.family_reading, seiko.given_reading) == ("聖子", "マツダ", "セイコ")
    assert seiko.notes == "同窓会の幹事。年賀状は毎年いただく。" * 2
    assert _numbers(seiko) == {"090-3141-5926": ("mobile", "+819031415926", False)}


# Cause 5: a vCard without BEGIN:VCARD was refused as an unknown CSV.


def test_a_vcard_without_its_first_begin_line_is_read_as_a_vcard(user):
    job = import_file(user, "cause5_no_begin.vcf")
    assert (job.format, job.created_count) == ("vcard", 2)
    assert _person(user, family_name="岡田").contact_points.filter(kind="email").exists()


def test_a_file_named_vcf_that_holds_no_vcard_says_so(user):
    with pytest.raises(FileRejected, match="BEGIN:VCARD"):
        services.start_import(owner=user, filename="contacts.vcf", data=fixture("rejected_not_a_vcard.vcf"))


def test_a_header_only_file_says_it_has_no_people(user):
    with pytest.raises(FileRejected, match="header row but no people"):
        services.start_import(owner=user, filename="contacts.csv", data=fixture("rejected_header_only_outlook.csv"))


# Cause 6: birthdays without a year became dates in 1604; addresses lost their parts.


def test_a_birthday_without_a_year_is_kept_as_month_and_day(user):
    job = services.start_import(owner=user, filename="b.vcf", data=fixture("cause6_birthday_address.vcf"))
    assert _warnings(job)[1] == ["birthday_no_year"]
    services.confirm_import(job=job, duplicate_action="merge", background=False)
    kimura = _person(user, family_name="木村")
    assert (kimura.birthday, kimura.birthday_month_day) == (None, (12, 24))  # BDAY:--1224
    anna = _person(user, family_name="Miller")
    assert (anna.birthday, anna.birthday_month_day) == (None, (3, 15))  # Apple's 1604
    kubo = _person(user, family_name="久保")  # 1990-02-30: the date is left out, not the person
    assert (kubo.birthday, kubo.birthday_month_day) == (None, None)


def test_adr_parts_are_kept_and_written_back_in_their_parts(user, auth_client):
    import_file(user, "cause6_birthday_address.vcf")
    kimura = _person(user, family_name="木村")
    assert (kimura.postal_code, kimura.region, kimura.locality, kimura.address, kimura.country) == (
        "100-6390", "東京都", "千代田区", "丸の内2-4-1 丸ビル10F", "日本",
    )  # fmt: skip
    anna = _person(user, family_name="Miller")
    assert (anna.address, anna.locality, anna.region, anna.postal_code, anna.country) == (
        "500 Oak Street Apt 4B", "Springfield", "IL", "62704", "USA",
    )  # fmt: skip
    assert anna.full_address == "500 Oak Street Apt 4B, Springfield IL 62704, USA"
    exported = b"".join(auth_client.get(reverse("transfer:export_download", args=["vcard4"])).streaming_content)
    text = exported.decode().replace("\r\n ", "")
    assert "ADR;TYPE=work:;;丸の内2-4-1 丸ビル10F;千代田区;東京都;100-6390;日本" in text
    assert "BDAY:--1224" in text
    # … and read back the same.
    other = make_user(username="roundtrip")
    import_file(other, "export.vcf", data=exported)
    again = _person(other, family_name="木村")
    assert (again.postal_code, again.region, again.locality, again.address) == (
        "100-6390", "東京都", "千代田区", "丸の内2-4-1 丸ビル10F",
    )  # fmt: skip
    assert again.birthday_month_day == (12, 24)


def test_vcard3_export_writes_a_yearless_birthday_the_way_apple_reads_it(user, auth_client):
    import_file(user, "cause6_birthday_address.vcf")
    exported = b"".join(auth_client.get(reverse("transfer:export_download", args=["vcard3"])).streaming_content)
    assert b"BDAY;X-APPLE-OMIT-YEAR=1604:1604-12-24" in exported


# The other items built.


def test_apple_item_groups_give_labels_and_kinds_and_the_photo_is_skipped(user):
    job = import_file(user, "apple_groups_photo.vcf")
    assert job.created_count == 1
    miho = _person(user, family_name="小池")
    points = {p.value: (p.kind, p.label) for p in miho.contact_points.all()}
    assert points == {
        "03-5555-0101": ("phone", "会社代表"),
        "090-5555-0102": ("mobile", ""),
        "03-5555-0103": ("fax", ""),
        "miho@koike.example.jp": ("email", ""),
    }
    assert "4AAQSkZJRg" not in miho.notes + miho.search_text


def test_evolution_nextcloud_and_android_qp_cards(user):
    job = import_file(user, "evolution_kde_nextcloud.vcf")
    assert (job.created_count, job.rows.filter(kind=RowKind.INVALID).count()) == (3, 0)
    klaus = _person(user, family_name="Schmidt")
    assert _numbers(klaus)["+49 170 1234567"][:2] == ("mobile", "+491701234567")
    assert _numbers(klaus)["030 1234567"][2] is True  # a German national number: kept, not made Japanese
    assert sorted(t.name for t in klaus.tags.all()) == ["Kunden", "Messe"]
    lena = _person(user, family_name="Vogel")
    assert _numbers(lena) == {
        "+1 425-555-0100 ext. 5555": ("mobile", "+14255550100;ext=5555", False),  # a vCard 4 tel: URI
        "03-6666-7777": ("phone", "+81366667777", False),  # tel:…;phone-context=+81
    }
    assert lena.birthday_month_day == (7, 4)
    mari = _person(user, family_name="小川")
    assert (mari.given_name, mari.family_reading, mari.given_reading) == ("真理", "おがわ", "まり")


def test_outlook_csv_with_english_columns(user):
    job = import_file(user, "outlook_en.csv")
    assert (job.format, job.created_count) == ("outlook", 2)
    robert = _person(user, family_name="Brown")
    assert (robert.given_name, robert.company, robert.department, robert.title) == (
        "Robert J.", "Contoso Ltd.", "Sales", "Account Manager",
    )  # fmt: skip
    assert (robert.address, robert.locality, robert.region, robert.postal_code) == (
        "1 Microsoft Way Building 4", "Redmond", "WA", "98052",
    )  # fmt: skip
    assert robert.birthday == datetime.date(1980, 4, 1)
    assert sorted(t.name for t in robert.tags.all()) == ["Partners", "Trade show"]
    assert robert.website == "https://www.contoso.example"
    emails = sorted(robert.contact_points.filter(kind="email").values_list("value", flat=True))
    assert emails == ["rbrown@example.com", "robert@contoso.example"]
    numbers = _numbers(robert)
    assert numbers["+1 425-555-0100"] == ("phone", "+14255550100", False)
    assert numbers["(425) 555-0199"] == ("fax", "4255550199", True)
    assert numbers["call the front desk"] == ("mobile", "call the front desk", True)  # words: kept as written
    yuki = _person(user, family_name="Tanaka")
    assert yuki.birthday is None  # Outlook's 0/0/00
    assert _numbers(yuki) == {
        "03-1234-5678 内線201": ("phone", "+81312345678;ext=201", False),
        "080-2468-1357": ("mobile", "+818024681357", False),
    }


def test_outlook_csv_with_japanese_columns_in_shift_jis(user):
    job = import_file(user, "outlook_ja_sjis.csv")
    assert (job.format, job.encoding, job.created_count) == ("outlook", "cp932", 1)
    jiro = _person(user, family_name="佐々木")
    assert (jiro.given_name, jiro.family_reading, jiro.given_reading, jiro.company_reading) == (
        "次郎", "ササキ", "ジロウ", "ササキセイキ",
    )  # fmt: skip
    assert (jiro.company, jiro.department, jiro.title) == ("佐々木精機株式会社", "品質保証部", "課長")
    assert jiro.full_address == "〒530-0001 大阪府大阪市北区梅田3-1-1"
    assert jiro.birthday == datetime.date(1975, 6, 15)
    assert _numbers(jiro) == {
        "06-6345-0000 内線305": ("phone", "+81663450000;ext=305", False),
        "090-7777-8888": ("mobile", "+819077778888", False),  # full-width digits and hyphens
        "06-6345-0001": ("fax", "+81663450001", False),
    }


def test_a_row_with_no_name_and_nothing_usable_is_the_only_one_refused(user):
    data = "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:solo@example.jp\r\nEND:VCARD\r\n"
    job = services.start_import(owner=user, filename="x.vcf", data=data.encode())
    kinds = dict(job.rows.values_list("line", "kind"))
    assert kinds == {1: RowKind.INVALID, 5: RowKind.NEW}
    assert job.rows.get(line=5).values["family_name"] == "solo@example.jp"


def test_every_bad_field_is_left_out_alone(user):
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:森;花;;;\r\nEMAIL:not-an-address\r\nEMAIL:hana@mori.example.jp\r\n"
        "TITLE:" + "長" * 201 + "\r\nBDAY:2020-13-45\r\nURL:javascript:alert(1)\r\nTEL:+1-800-MYFAX\r\n"
        "ORG:森製作所\r\nEND:VCARD\r\n"
    )
    job = import_file(user, "x.vcf", data=data.encode())
    assert job.created_count == 1
    hana = _person(user, family_name="森")
    assert (hana.company, hana.title, hana.birthday, hana.website) == ("森製作所", "", None, "")
    assert sorted(p.value for p in hana.contact_points.all()) == ["+1-800-MYFAX", "hana@mori.example.jp"]


def test_warnings_are_described_in_the_readers_language(user):
    job = services.start_import(owner=user, filename="x.vcf", data=fixture("cause1_ios_foreign_phones.vcf"))
    row = job.rows.get(line=1)
    with translation.override("ja"):
        assert "電話番号「(650) 555-1212」は確認できないため、書かれたまま保存します。" in row.warnings
    with translation.override("en"):
        assert "Phone number “(650) 555-1212” could not be checked; it is kept as written." in row.warnings


# The command.


def test_import_command_exits_non_zero_when_a_file_had_rows_but_nothing_was_imported(user, tmp_path, capsys):
    nameless = tmp_path / "nameless.vcf"
    nameless.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:\r\nEND:VCARD\r\n" * 2)
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_contacts", str(nameless), user=user.username)
    out, err = capsys.readouterr()
    assert "0 created, 0 merged, 0 skipped, 2 refused" in out
    assert "refused, No name and nothing else to import. 2" in out
    assert "nothing was imported" in err


def test_import_command_prints_counts_per_reason(user, capsys):
    call_command("import_contacts", str(FIXTURES / "cause1_ios_foreign_phones.vcf"), user=user.username)
    out, _err = capsys.readouterr()
    assert "cause1_ios_foreign_phones.vcf: 3 created, 0 merged, 0 skipped, 0 refused" in out
    assert "fields: phone kept as written: 5" in out


# Backup: backup → restore → backup is identical for an account that never saved settings.


def test_backup_restore_backup_is_identical_for_an_account_that_never_saved_settings(user, auth_client):
    from followups.models import FollowUpSettings
    from ledger import services as ledger_services
    from ledger.models import LedgerSettings

    import_file(user, "cause6_birthday_address.vcf")
    person = _person(user, family_name="木村")
    ledger_services.add_ledger_entry(
        owner=user,
        person=person,
        values={
            "date": datetime.date(2024, 5, 1),
            "direction": "gave",
            "kind": "information",
            "weight": 1,
            "description": "資料",
        },
    )
    auth_client.get(reverse("ledger:overview"))  # stamps tallied_on, creating the row
    first = backup.backup_text(user)
    assert '"ledger_settings": [\n]' in first and '"followup_settings": [\n]' in first
    fresh = make_user(username="fresh")
    backup.restore(owner=fresh, data=first.encode())
    assert LedgerSettings.objects.filter(owner=fresh).exists()  # the restore's tallies made one
    assert backup.backup_text(fresh) == first
    assert not FollowUpSettings.objects.filter(owner=user).exclude(time_zone="Asia/Tokyo").exists()


def test_settings_that_were_saved_stay_in_the_backup(user):
    from ledger.models import LedgerSettings

    LedgerSettings.objects.create(owner=user, owe_after_days=20)
    assert '"owe_after_days": 20' in backup.backup_text(user)
