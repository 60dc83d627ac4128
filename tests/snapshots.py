"""Every row of every table, as stored: what a refused request must leave exactly as it was."""

from functools import cache

from django.apps import apps
from django.db import connection

# Rows a refused request may still write: sign-in counters and sessions.
UNWATCHED = {"accounts.LoginThrottle", "sessions.Session"}
# Columns it may still write: the last sign-in, a two-factor device's count of wrong codes.
UNWATCHED_FIELDS = {"last_login", "throttling_failure_count", "throttling_failure_timestamp"}


@cache
def _statements() -> tuple[tuple[str, str], ...]:
    """(label, SELECT of its watched columns in primary-key order) for every model, many-to-many
    tables included. Written once: through the ORM, the 50-odd reads cost 16 ms a snapshot, and
    the fuzz tests take two for each request they send."""
    quote = connection.ops.quote_name
    statements = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in {"admin", "contenttypes", "auth"} or meta.label in UNWATCHED:
            continue
        columns = [quote(f.column) for f in meta.concrete_fields if f.name not in UNWATCHED_FIELDS]
        statements.append(
            (meta.label, f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}")
        )
    return tuple(statements)


def all_rows() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        snapshot = {}
        for label, statement in _statements():
            cursor.execute(statement)
            snapshot[label] = cursor.fetchall()
    return snapshot
