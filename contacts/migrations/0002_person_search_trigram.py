"""A trigram index for substring search on PostgreSQL (skipped on SQLite).

Queries of three or more characters use it; shorter ones scan the narrow,
already-folded search_text column of the owner's people.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS person_search_trgm ON contacts_person USING gin (search_text gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS person_search_trgm;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
