"""Index the characters of search_text for 1- and 2-character searches (PostgreSQL).

Migration 0004 indexed `jinmyaku_grams(search_text)`, every character and
pair. The index answered well, but the planner has to call the function on
each row it reads without the index, and it is slow (0.4 ms a row): a search
for 「山」 or 「a」 took 3–6 s at 10,000 people whenever the planner scanned the
person's rows or walked the reading index instead. `string_to_array(text,
NULL)` is built in, and the search tests the pair itself with `strpos`
(contacts.models.ContainsShort): the same answers, 1–3 ms through the index
and about 6 ms per 10,000 rows without it. The function stays for migrations
that name it.
"""

from django.db import migrations

FORWARDS = """
CREATE INDEX IF NOT EXISTS person_search_chars ON contacts_person USING gin (string_to_array(search_text, NULL));
DROP INDEX IF EXISTS person_search_grams;
"""
BACKWARDS = """
CREATE INDEX IF NOT EXISTS person_search_grams ON contacts_person USING gin (jinmyaku_grams(search_text));
DROP INDEX IF EXISTS person_search_chars;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0017_merge_capture_career_and_reading_guess")]

    operations = [migrations.RunPython(forwards, backwards)]
