"""Index 1- and 2-character substrings of search_text on PostgreSQL.

Trigram indexes cannot answer queries shorter than three characters, and
Japanese names are often searched by two (山田, やま). The expression index
holds every character and character pair of the folded search text, so
`jinmyaku_grams(search_text) @> ARRAY['山田']` finds exactly the people whose
text contains 山田 without scanning the table. Skipped on SQLite.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION jinmyaku_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
  ) AS grams
$$;
CREATE INDEX IF NOT EXISTS person_search_grams ON contacts_person USING gin (jinmyaku_grams(search_text));
"""
DROP = """
DROP INDEX IF EXISTS person_search_grams;
DROP FUNCTION IF EXISTS jinmyaku_grams(text);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_meeting_created_person_status_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
