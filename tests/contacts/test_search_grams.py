"""PostgreSQL search of 1- and 2-character terms, through the index of each text's characters.

The grams function of migration 0004, kept for the migrations that name it, gives every 1- and
2-character substring in time linear in the text (issue #16, finding 7: the first version took 31 s
for 80,000 characters)."""

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


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def notebook():
    """Two users with 400 people each; 40 of the first user's are 山田."""
    from contacts.models import Person
    from tests.factories import make_user

    owners = [make_user(username="search-a"), make_user(username="search-b")]
    Person.objects.bulk_create(
        Person(
            owner=owner,
            family_name="山田" if i % 10 == 0 else "佐藤",
            given_name=f"太郎{i}",
            sort_key=f"{'やまだ' if i % 10 == 0 else 'さとう'} たろう{i:04d}",
            search_text=f"{'山田 やまだ yamada' if i % 10 == 0 else '佐藤 さとう satou'} 太郎{i} たろう tarou",
        )
        for owner in owners
        for i in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_person")
    return owners[0]


@pytest.mark.parametrize("query", ["山", "山田", "田山", "だ", "ya"])
def test_short_searches_read_the_characters_index(notebook, query):
    """Rows found by the index of characters (or, in a table this small, read by owner) are tested
    with built-in functions, never the grams function at 0.4 ms a row; the pair is checked with
    strpos, so 「田山」 (both characters, never side by side) finds no one."""
    from contacts.models import Person

    queryset = Person.objects.filter(owner=notebook).search_by_reading(query)
    assert "jinmyaku_grams" not in _plan(queryset[:20])
    if query.isascii():
        # Romaji is in nearly every text: a scan with strpos beats building every row's array.
        assert "string_to_array" not in _plan(queryset[:20])
        assert queryset.count() == 40
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        assert "person_search_chars" in _plan(Person.objects.search(query))
    expected = 0 if query == "田山" else 40
    assert queryset.count() == expected
    assert all(query in person.search_text for person in queryset)


def test_a_picker_search_never_walks_the_reading_index(notebook):
    """Ordered by the plain column, 「山」 walked the reading index testing each row until it had 20:
    4.4 s at 10,000 people when the matches sort late (さとう before やまだ)."""
    from contacts.models import Person
    from contacts.views.person import _picker_people

    people = _picker_people(notebook, "山")
    assert [p.sort_key for p in people] == sorted(p.sort_key for p in people)
    assert len(people) == 20 and all(p.family_name == "山田" for p in people)
    assert "person_owner_reading" not in _plan(Person.objects.filter(owner=notebook).search_by_reading("山")[:20])
