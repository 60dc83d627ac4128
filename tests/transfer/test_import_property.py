"""Property (issue #17): valid vCards with domestic, foreign and junk phone numbers, and
readings written with either separator, folded anywhere (even inside a character), all
import: every person is found with their name, e-mails and readings, and every number is
kept, verified or exactly as written."""

import itertools
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from contacts.models import Person

from .helpers import import_file

FAMILY = "山田佐藤鈴木高橋田中伊渡辺小林加吉森池清水阿部"
GIVEN = "太郎花子一美咲直人恵拓也翔陽菜健"
KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽゃゅょっー"
_accounts = itertools.count()


def _phone(kind: str, index: int, extra: int) -> tuple[str, bool]:
    """(number as written, whether it must be verified); unique per person so no two cards merge."""
    if kind == "domestic":
        return f"03-5{index:03d}-{extra:04d}", True
    if kind == "mobile":
        return f"０９０－２{index:03d}－{extra:04d}", True  # full-width, as a Japanese phone types it
    if kind == "extension":
        return f"03(6{index:03d}){extra:04d} 内線{index + 1}", True
    if kind == "foreign":
        return f"+44 20 7946 {index:04d}", True
    if kind == "us_without_plus":
        return f"(650) 555-{index:04d}", False
    if kind == "no_zero":
        return f"905-{555 + index}-{extra:04d}", False
    return f"受付{index}番にお電話ください", False


people = st.lists(
    st.fixed_dictionaries(
        {
            "family": st.text(FAMILY, min_size=1, max_size=3),
            "given": st.text(GIVEN, min_size=1, max_size=3),
            "family_reading": st.text(KANA, min_size=1, max_size=6),
            "given_reading": st.text(KANA, min_size=1, max_size=6),
            "reading_as": st.sampled_from(
                ["sort_as_semicolon", "sort_as_comma", "phonetic", "phonetic_joined", "irmc_semicolon", "irmc_comma"]
            ),  # fmt: skip
            "emails": st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=2, unique=True),
            "phones": st.lists(
                st.tuples(
                    st.sampled_from(
                        ["domestic", "mobile", "extension", "foreign", "us_without_plus", "no_zero", "words"]
                    ),  # fmt: skip
                    st.integers(0, 9999),
                ),
                max_size=3,
                unique_by=lambda p: p[0],
            ),
        }
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda p: p["family"] + p["given"],
)


def _card(index: int, person: dict) -> tuple[str, list[str], list[tuple[str, bool]]]:
    family, given = person["family"], person["given"]
    fr, gr = person["family_reading"], person["given_reading"]
    style = person["reading_as"]
    version = "2.1" if style.startswith("irmc") else "4.0" if style.startswith("sort_as") else "3.0"
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if style == "sort_as_semicolon":
        lines.append(f'N;SORT-AS="{fr};{gr}":{family};{given};;;')
    elif style == "sort_as_comma":
        lines.append(f'N;SORT-AS="{fr},{gr}":{family};{given};;;')
    else:
        lines.append(f"N:{family};{given};;;")
    lines.append(f"FN:{family} {given}")
    if style == "phonetic":
        lines += [f"X-PHONETIC-LAST-NAME:{fr}", f"X-PHONETIC-FIRST-NAME:{gr}"]
    elif style == "phonetic_joined":
        lines.append(f"X-PHONETIC-LAST-NAME:{fr};{gr}")
    elif style == "irmc_semicolon":
        lines.append(f"SOUND;X-IRMC-N;CHARSET=UTF-8:{fr};{gr};;;")
    elif style == "irmc_comma":
        lines.append(f"SOUND;X-IRMC-N;CHARSET=UTF-8:{fr},{gr};;;;")
    emails = [f"{local}.{index}@example.jp" for local in person["emails"]]
    lines += [f"EMAIL;TYPE=INTERNET:{email}" for email in emails]
    phones = [_phone(kind, index, extra) for kind, extra in person["phones"]]
    lines += [f"TEL;TYPE=VOICE:{number}" for number, _verified in phones]
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n", emails, phones


def _fold_bytes(text: str, width: int) -> bytes:
    """Fold every line at `width` octets, even inside a UTF-8 character (as careless writers do)."""
    out = []
    for line in text.encode("utf-8").split(b"\r\n"):
        while len(line) > width:
            out.append(line[:width])
            line = b" " + line[width:]
        out.append(line)
    return b"\r\n".join(out)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people, st.sampled_from([None, 20, 31, 75]))
def test_every_person_is_imported_with_name_emails_readings_and_every_number(generated, fold_at):
    owner = User.objects.create(username=f"property-{next(_accounts)}")
    cards = [_card(i, person) for i, person in enumerate(generated)]
    text = "".join(card for card, _emails, _phones in cards)
    data = text.encode("utf-8") if fold_at is None else _fold_bytes(text, fold_at)
    job = import_file(owner, "property.vcf", data=data)
    assert (job.status, job.created_count) == ("done", len(generated)), job.message
    for person, (_card_text, emails, phones) in zip(generated, cards, strict=True):
        found = Person.objects.get(owner=owner, family_name=person["family"], given_name=person["given"])
        assert (found.family_reading, found.given_reading) == (person["family_reading"], person["given_reading"])
        points = list(found.contact_points.all())
        assert sorted(p.value for p in points if p.kind == "email") == sorted(emails)
        numbers = [p for p in points if p.kind != "email"]
        assert len(numbers) == len(phones)
        for written, verified in phones:
            if verified:
                assert any(
                    not p.is_unverified and _digits(written).lstrip("0") in _digits(p.normalized) for p in numbers
                ), (written, [(p.value, p.normalized) for p in numbers])
            else:
                assert any(p.value == written and p.is_unverified for p in numbers), (
                    written,
                    [p.value for p in numbers],
                )
        # … and found by name, reading and each e-mail's address.
        people_here = Person.objects.filter(owner=owner)
        assert found in people_here.search(person["family"] + person["given"])
        assert found in people_here.search(person["family_reading"] + person["given_reading"])
