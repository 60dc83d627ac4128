"""Names for the few statements written as SQL instead of built with the ORM.

The person page and the people list run on every visit, and for their small
reads Django spends longer compiling a queryset than the database spends
running it. Those statements are written once per process (each builder is
cached) from the models' metadata: every table and column name comes from a
model and is quoted by the backend, and every value is a query parameter.
On PostgreSQL they are run prepared (`rows`, `prepared_cursor`): planning
them took longer than running them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.db import connection, models
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models.expressions import Col
from psycopg.types.numeric import Int8Dumper


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """A field's column, quoted; "pk" is the primary key."""
    meta = model._meta
    return connection.ops.quote_name((meta.pk if name == "pk" else meta.get_field(name)).column)


def columns(model: type[models.Model], names, alias: str) -> str:
    """The fields' columns as `alias.column, …`."""
    return ", ".join(f"{alias}.{column(model, name)}" for name in names)


def all_columns(model: type[models.Model], alias: str) -> str:
    """Every concrete field's column, in the order `instance` reads them."""
    return columns(model, [field.name for field in model._meta.concrete_fields], alias)


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


class _PreparingCursor(ServerBindingCursor):
    """A psycopg cursor that binds values on the server and prepares each statement it runs.

    Every int goes as a bigint: psycopg would otherwise pick smallint, integer
    or bigint by its size, and a list of ids would make a statement of each
    mix of sizes.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.adapters.register_dumper(int, Int8Dumper)

    def execute(self, query, params=None, **kwargs):
        return super().execute(query, params, prepare=True, **kwargs)


@contextmanager
def prepared_cursor() -> Iterator:
    """A cursor whose statements PostgreSQL keeps prepared on the connection, parsed and planned once.

    Django binds values on the client and prepares nothing, so PostgreSQL
    parses and plans each statement on every visit; for This week's one
    statement that took 1.8 ms, against 1 ms to run it. Here the values go
    to the server apart from the statement, which is prepared on first use
    and kept with the connection (`DATABASE_CONN_MAX_AGE`). PostgreSQL plans
    the first five runs with their values, then keeps one generic plan when
    it costs no more (plan_cache_mode `auto`), so a statement run through
    here must not let its plan hinge on a value the planner cannot see: a
    LIMIT is written into the text, not passed as a parameter (with a
    parameter, This week's generic plan read every follow-up: 44 ms).

    On SQLite, or with DATABASE_PREPARED_STATEMENTS=false (a pooler such as
    PgBouncer in transaction mode before 1.21 loses prepared statements), it
    is Django's usual cursor. Either way Django's cursor wrapper is around
    it, so the queries are logged and counted as any other.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or cursor.db.connection.prepare_threshold is None:
            yield cursor
            return
        prepared = type(cursor)(_PreparingCursor(cursor.db.connection), cursor.db)
        try:
            yield prepared
        finally:
            prepared.close()


def rows(statement: str, params) -> list[tuple]:
    """All rows of one of these statements, run prepared (`prepared_cursor`)."""
    with prepared_cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


@cache
def _converters(model: type[models.Model], vendor: str) -> list[tuple[int, Col, list]]:
    """(position, column, converters) of the model's fields whose values the backend converts, as the ORM does."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if converters:
            found.append((position, col, converters))
    return found


def instance(model: type[models.Model], values) -> models.Model:
    """A model instance from its concrete fields' values in their order, converted as the ORM converts them."""
    values = list(values)
    for position, col, converters in _converters(model, connection.vendor):
        for converter in converters:
            values[position] = converter(values[position], col, connection)
    return model.from_db(connection.alias, [field.attname for field in model._meta.concrete_fields], values)
