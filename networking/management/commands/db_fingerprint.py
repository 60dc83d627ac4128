"""Print a canonical hash of every table and sequence of the PostgreSQL database.

Run it on a database and on its restored copy (see README, "Backup and
restore"): the same lines mean the restore holds every row unchanged.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def fingerprint(using: str = "default") -> dict[str, str]:
    """{table or sequence: "rows md5"} over the public schema, independent of physical row order."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise CommandError("db_fingerprint needs PostgreSQL (DATABASE_URL=postgres://…).")
    with connection.cursor() as cursor:
        return fingerprint_of(cursor)


def fingerprint_of(cursor) -> dict[str, str]:
    """The same from any DB-API cursor on a PostgreSQL database (a restored copy, say)."""
    result = {}
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    for (table,) in cursor.fetchall():
        # A table name from the catalogue, quoted as an identifier (it cannot be a parameter).
        quoted = '"' + table.replace('"', '""') + '"'
        rows_of = f"FROM {quoted} t"  # nosec B608
        cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) {rows_of}")
        rows, digest = cursor.fetchone()
        result[table] = f"{rows} {digest}"
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    for name, last_value in cursor.fetchall():
        result[f"sequence {name}"] = str(last_value)
    return dict(sorted(result.items()))


class Command(BaseCommand):
    help = "Print one line per table (row count and md5 of its rows in a canonical order) and per sequence."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        for name, value in fingerprint(database).items():
            self.stdout.write(f"{name} {value}")
