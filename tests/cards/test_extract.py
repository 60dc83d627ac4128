"""Fields from the lines read on a card: Japanese, English and bilingual layouts, each with a confidence."""

from cards.extract import CHECK_BELOW, extract
from cards.ocr import Line, join_words


def _lines(*rows):
    """Lines top to bottom: (text, letter size[, confidence])."""
    y = 0
    result = []
    for text, size, *confidence in rows:
        result.append(Line(text, confidence[0] if confidence else 0.93, size, (100, y, 100 + 20 * len(text), y + size)))
        y += size + 20
    return result


def test_a_japanese_card():
    found = extract(
        _lines(
            ("株式会社みらいテクノロジー", 40),
            ("営業部 部長", 32),
            ("やまだ たろう", 24),
            ("山田 太郎", 92),
            ("〒100-0005 東京都千代田区丸の内1-2-3 丸の内ビル8F", 35),
            ("TEL 03-1234-5678 FAX 03-1234-9999", 28),
            ("携帯 090-1111-2222", 35),
            ("E-mail: taro.yamada@mirai.co.jp", 39),
            ("www.mirai.co.jp", 40),
        )
    )
    values = {name: value.value for name, value in found.items()}
    assert values == {
        "company": "株式会社みらいテクノロジー",
        "department": "営業部",
        "title": "部長",
        "reading": "やまだ たろう",
        "name": "山田 太郎",
        "postcode": "100-0005",
        "address": "東京都千代田区丸の内1-2-3 丸の内ビル8F",
        "phone": "03-1234-5678",
        "fax": "03-1234-9999",
        "mobile": "090-1111-2222",
        "email": "taro.yamada@mirai.co.jp",
        "website": "https://www.mirai.co.jp",
    }


def test_an_english_card():
    found = extract(
        _lines(
            ("Mirai Consulting Co., Ltd.", 40),
            ("Yumi Hashimoto", 70),
            ("Director, Sales Department", 32),
            ("2-1-1 Hakataekimae, Hakata-ku, Fukuoka", 30),
            ("Tel 045-310-9133", 30),
            ("Mobile +81 90 1234 5678", 30),
            ("E-mail: hyumi@mirai-consulting.co.jp", 30),
        )
    )
    assert found["name"].value == "Yumi Hashimoto"
    assert found["company"].value == "Mirai Consulting Co., Ltd."
    assert (found["title"].value, found["department"].value) == ("Director", "Sales Department")
    assert found["phone"].value == "045-310-9133"
    assert found["mobile"].value == "+81 90 1234 5678"
    assert "Fukuoka" in found["address"].value


def test_a_bilingual_card_keeps_the_japanese_company_and_the_romaji_as_reading():
    found = extract(
        _lines(
            ("大和商事株式会社 Yamato Trading Co., Ltd.", 36),
            ("取締役", 30),
            ("鈴木 翔太", 80),
            ("Shota Suzuki", 32),
        )
    )
    assert found["company"].value == "大和商事株式会社"
    assert found["name"].value == "鈴木 翔太"
    assert found["reading"].value == "Shota Suzuki"


def test_department_and_title_split_where_the_card_leaves_a_space():
    found = extract(_lines(("営業部 シニアエンジニア", 32), ("山田 太郎", 90)))
    assert (found["department"].value, found["title"].value) == ("営業部", "シニアエンジニア")
    found = extract(_lines(("営業部長", 32), ("山田 太郎", 90)))
    assert found["title"].value == "営業部長" and "department" not in found
    found = extract(_lines(("技術部課長", 32), ("山田 太郎", 90)))
    assert (found["department"].value, found["title"].value) == ("技術部", "課長")
    found = extract(_lines(("開発本部 第一開発部取締役", 32), ("山田 太郎", 90)))
    assert (found["department"].value, found["title"].value) == ("開発本部第一開発部", "取締役")
    found = extract(_lines(("第一開発部 マネージャー", 32), ("山田 太郎", 90)))
    assert (found["department"].value, found["title"].value) == ("第一開発部", "マネージャー")


def test_spaces_that_ocr_leaves_in_an_email_address_are_closed():
    found = extract(_lines(("E-mail: ai. nakamura@tozai-global . co.jp", 30), ("中村 愛", 90)))
    assert found["email"].value == "ai.nakamura@tozai-global.co.jp"


def test_the_name_is_the_largest_text_that_is_not_company_title_or_address():
    found = extract(
        _lines(("株式会社ビッグロゴ", 120), ("代表取締役社長", 90), ("佐藤 花子", 60), ("東京都港区1-1-1", 100))
    )
    assert found["name"].value == "佐藤 花子"


def test_low_confidence_fields_are_marked_for_checking():
    found = extract(_lines(("株式会社テスト", 40, 0.95), ("山田 太郎", 90, 0.55)))
    assert not found["company"].check
    assert found["name"].check and found["name"].confidence < CHECK_BELOW


def test_japanese_words_join_without_spaces_but_keep_a_wide_gap():
    boxes = [(0, 0, 50, 50), (55, 0, 105, 50), (160, 0, 210, 50), (215, 0, 265, 50)]
    assert join_words(["山", "田", "太", "郎"], boxes, line_size=50) == "山田 太郎"
    assert join_words(["株式", "会社", "Inc."]) == "株式会社 Inc."


def test_a_title_naming_a_city_is_no_address():
    found = extract(_lines(("Manager, Tokyo Branch Sales", 30), ("Kenichi Sato", 70)))
    assert (found["title"].value, found["department"].value) == ("Manager", "Tokyo Branch Sales")
    assert "address" not in found


def test_the_english_company_name_is_cut_off_even_where_the_space_before_it_was_lost():
    found = extract(_lines(("株式会社大和コンサルティングamato Consulting Co., Ltd.", 30), ("大和 太郎", 80)))
    assert found["company"].value == "株式会社大和コンサルティング"


def test_abbreviated_company_forms_and_foreign_ones_are_companies():
    for company in (
        "(株)東西ソリューションズ",
        "青空商事(株)",
        "合同会社ひかり",
        "Aozora Design GmbH",
        "North Works LLC",
    ):
        found = extract(_lines((company, 30), ("山田 太郎", 80)))
        assert found["company"].value == company


def test_a_japanese_name_read_letter_by_letter_gets_no_wrong_space():
    assert extract(_lines(("山 田 太 郎", 80)))["name"].value == "山田太郎"
    assert extract(_lines(("山田 太郎", 80)))["name"].value == "山田 太郎"


def test_a_name_set_with_a_wide_space_is_joined_into_one_line():
    from cards.ocr import _join_fragments

    lines = [Line("藤田", 0.9, 67, (756, 390, 893, 457)), Line("誠", 0.9, 67, (976, 390, 1044, 457))]
    assert [line.text for line in _join_fragments(lines)] == ["藤田 誠"]


def test_a_kabu_mark_read_with_odd_brackets_is_still_a_company_form():
    found = extract(_lines(("(株】} 日本橋商事", 30), ("坂本 康介", 80)))
    assert found["company"].value == "(株)日本橋商事"


def test_a_kabu_mark_read_as_a_plain_kabu_at_either_end_is_a_company_form():
    assert extract(_lines(("富士ネットワークス株", 30), ("高橋 直樹", 80)))["company"].value == "富士ネットワークス(株)"
    assert extract(_lines(("株さくら不動産", 30), ("岡本 誠", 80)))["company"].value == "(株)さくら不動産"
    assert extract(_lines(("株式会社さくら", 30), ("岡本 誠", 80)))["company"].value == "株式会社さくら"


def test_the_dot_before_co_jp_read_as_an_l_is_put_back():
    found = extract(_lines(("E-mail: keiko.mori@matsukaze-reallco.jp", 30), ("森 恵子", 80)))
    assert found["email"].value == "keiko.mori@matsukaze-real.co.jp"
    assert extract(_lines(("a@bell.co.jp", 30)))["email"].value == "a@bell.co.jp"


def test_a_large_line_with_the_title_before_the_name_gives_both():
    found = extract(_lines(("株式会社みらい", 30), ("代表取締役 山田 太郎", 80), ("TEL 03-1234-5678", 28)))
    assert (found["title"].value, found["name"].value) == ("代表取締役", "山田 太郎")
    # In small letters, a title line stays a title line.
    found = extract(_lines(("営業部 部長", 30), ("佐藤 花子", 80)))
    assert (found["title"].value, found["name"].value) == ("部長", "佐藤 花子")


def test_the_email_domain_takes_the_web_addresss_spelling_when_one_letter_was_misread():
    found = extract(_lines(("E-mail: mtomoko@hikari-realLco.jp", 30), ("www.hikari-real.co.jp", 30)))
    assert found["email"].value == "mtomoko@hikari-real.co.jp"
    found = extract(_lines(("E-mail: a@other.co.jp", 30), ("www.hikari-real.co.jp", 30)))
    assert found["email"].value == "a@other.co.jp"
