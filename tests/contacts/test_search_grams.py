"""The PostgreSQL search-grams function gives every 1- and 2-character substring, in time linear in
the text (issue #16, finding 7: the first version took 31 s for 80,000 characters)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _grams(text: str) -> set[str]:
    return set(text) | {text[i : i + 2] for i in range(len(text) - 1)}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the grams index exists on PostgreSQL only")


@pytest.mark.parametrize("text", ["", "a", "ab", "山田 太郎 やまだ", "aaaa", "東京" * 50 + "x", "é😀漢字"])
def test_grams_are_every_character_and_pair(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT jinmyaku_grams(%s)", [text])
        assert set(cursor.fetchone()[0]) == _grams(text)


def test_a_long_note_is_indexed_in_one_pass():
    text = "".join(chr(0x3042 + i % 80) for i in range(80_000))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '20s'")  # quadratic: 31 s; linear: under 1 s
        cursor.execute("SELECT array_length(jinmyaku_grams(%s), 1)", [text])
        assert cursor.fetchone()[0] == len(_grams(text))
