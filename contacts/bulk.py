"""Writing a different value per row to many rows at once.

Django's `bulk_update` builds a `CASE WHEN pk = … THEN …` expression per column
with a branch per row: building and resolving those expressions costs more
Python than anything else in a restore (about half its CPU), and the database
walks the branches for each row. `update_rows` sends the values as a table
instead (`UPDATE … FROM (VALUES …)`), one statement per batch, on PostgreSQL
and on SQLite 3.33 or later; elsewhere it falls back to `bulk_update`.
"""

from collections.abc import Iterable, Sequence
from itertools import batched

from django.db import connections, models, router

BATCH = 1000


def _supported(connection) -> bool:
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 33)


def update_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Iterable[str]) -> int:
    """Write each object's current `fields` to its row, matched by primary key; return the rows written."""
    objs = list(objs)
    names = list(fields)
    if not objs or not names:
        return 0
    connection = connections[router.db_for_write(model)]
    if not _supported(connection):
        return model._default_manager.bulk_update(objs, names, batch_size=BATCH // 2)
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in names]
    if any(not column.concrete or column.many_to_many or column.primary_key for column in columns):
        raise ValueError("update_rows writes concrete, non-key columns only")
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    written = 0
    per_row = len(columns) + 1
    # Stay under SQLite's limit of bound variables per statement.
    size = max(1, min(BATCH, 30_000 // per_row))
    with connection.cursor() as cursor:
        for batch in batched(objs, size):
            params: list = []
            for obj in batch:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                params.extend(column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns)
            if connection.vendor == "postgresql":
                # Typed placeholders: VALUES would otherwise read every parameter as text.
                casts = [pk.db_type(connection)] + [column.cast_db_type(connection) for column in columns]
                row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
                names_sql = ", ".join(quote(c) for c in ["id_", *(column.column for column in columns)])
                assignments = ", ".join(f"{quote(column.column)} = v.{quote(column.column)}" for column in columns)
                values = f"(VALUES {', '.join([row] * len(batch))}) AS v({names_sql})"
                match = f"{table}.{quote(pk.column)} = v.{quote('id_')}"
            else:
                row = "(" + ", ".join(["%s"] * per_row) + ")"
                # SQLite names the columns of VALUES column1, column2, ...
                assignments = ", ".join(
                    f"{quote(column.column)} = v.column{position}" for position, column in enumerate(columns, start=2)
                )
                values = f"(VALUES {', '.join([row] * len(batch))}) AS v"
                match = f"{table}.{quote(pk.column)} = v.column1"
            # Identifiers come from the model's metadata, quoted by the backend; every value is a parameter.
            sql = f"UPDATE {table} SET {assignments} FROM {values} WHERE {match}"  # nosec B608
            cursor.execute(sql, params)
            written += cursor.rowcount
    return written
