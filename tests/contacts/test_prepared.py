"""The busiest pages' hand-written statements run prepared on PostgreSQL (contacts.sql.prepared_cursor)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import selectors, sql
from followups import selectors as followup_selectors
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _prepared(statement: str) -> list[tuple[list[str], int, int]]:
    """(parameter types, generic plans, custom plans) of each prepared statement with this text."""
    names: list[str] = []

    def number(match: re.Match) -> str:  # as psycopg numbers them: %s in turn, a name where it first appears
        name = match.group(1) or str(len(names))
        if name not in names or not match.group(1):
            names.append(name)
        return f"${names.index(name) + 1}"

    statement = re.sub(r"%(?:\((\w+)\))?s", number, statement)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types::text[], generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement = %s",
            [statement],
        )
        return [(list(types), generic, custom) for types, generic, custom in cursor.fetchall()]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.ensure_connection()


def test_a_statement_is_prepared_once_and_its_ids_go_as_bigints_whatever_their_size(user, postgresql):
    small, large = make_person(owner=user), make_person(owner=user)
    ids = [large.pk + 2**40, small.pk, large.pk + 2**20, large.pk]
    statement = selectors._person_rows_sql(connection.vendor, len(ids))
    for _ in range(2):
        assert [row.pk for row in selectors.person_rows(ids)] == [small.pk, large.pk]
    assert [row.pk for row in selectors.person_rows(ids[::-1])] == [large.pk, small.pk]
    # One statement for every mix of small and large ids, run again without being prepared again.
    [(types, generic, custom)] = _prepared(statement)
    assert types == ["bigint"] * 4
    assert generic + custom == 3


def test_this_weeks_statement_has_its_limits_written_in_and_is_planned_once_for_all_values(user, postgresql):
    """With its LIMITs as parameters, PostgreSQL's generic plan read every follow-up (44 ms at 100,000 people)."""
    shown = followup_selectors.SECTION_SHOWN
    statement = followup_selectors._page_sql((shown, shown, shown))
    assert "LIMIT %" not in statement
    assert statement.count(f"LIMIT {shown})") == 3
    today = timezone.localdate()
    for day in range(8):  # past the five runs PostgreSQL plans with the values
        followup_selectors.page_queue(user.pk, today=today + datetime.timedelta(days=day), limit=30)
    [(types, generic, custom)] = _prepared(statement)
    assert types == ["bigint", "date", "date", "date"]
    assert (generic, custom) == (3, 5)


def test_prepared_statements_are_logged_and_counted_as_any_query(user, postgresql):
    person = make_person(owner=user, family_name="佐藤")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.page_person(person.pk, user.pk)
    assert len(queries) == 1
    assert str(person.pk) in queries[0]["sql"]
    assert found.family_name == "佐藤"


def test_without_prepared_statements_nothing_is_prepared(user, postgresql, monkeypatch):
    """DATABASE_PREPARED_STATEMENTS=false leaves psycopg's threshold unset: Django's plain cursor."""
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    person = make_person(owner=user)
    statement = selectors._page_person_sql(connection.vendor)
    with sql.prepared_cursor() as cursor:
        assert cursor.cursor.__class__.__name__ == "Cursor"
    assert selectors.page_person(person.pk, user.pk).pk == person.pk
    assert _prepared(statement) == []


def test_a_person_read_by_hand_equals_the_orms(user):
    """The page's own read converts values as the ORM does (SQLite's datetimes come back aware)."""
    from contacts.models import Person

    person = make_person(owner=user, family_name="佐藤", birthday=datetime.date(1990, 4, 1), notes="メモ")
    found = selectors.page_person(person.pk, user.pk)
    expected = Person.objects.get(pk=person.pk)
    for field in Person._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert timezone.is_aware(found.created_at)
    assert found._state.db == "default" and not found._state.adding
