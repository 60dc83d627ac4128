"""Hold each person's search text, in reading order, in an index (SQLite).

SQLite searches by testing every one of the owner's people (there is no
index of text parts); with this index it reads the texts from the index in
the order the list shows, instead of looking up each row: 0.46 → 0.29 ms at
1,000 people. PostgreSQL searches through its own indexes (0002, 0018).
"""

from django.db import migrations

FORWARDS = (
    "CREATE INDEX IF NOT EXISTS person_search_cover"
    " ON contacts_person (owner_id, status, sort_key, id, search_text)"
)
BACKWARDS = "DROP INDEX IF EXISTS person_search_cover"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0018_person_search_chars")]

    operations = [migrations.RunPython(forwards, backwards)]
