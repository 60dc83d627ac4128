"""Recompute every person's sort key: Latin names now sort after the kana."""

from django.db import migrations

from contacts import text


def resort(apps, schema_editor):
    Person = apps.get_model("contacts", "Person")
    batch = []
    for person in Person.objects.only("pk", "family_name", "given_name", "family_reading", "given_reading").iterator(
        chunk_size=2000
    ):
        key = text.sort_key(person.family_reading + person.given_reading, person.family_name + person.given_name)
        if key != person.sort_key:
            person.sort_key = key
            batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["sort_key"])
            batch = []
    Person.objects.bulk_update(batch, ["sort_key"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_ledger")]

    operations = [migrations.RunPython(resort, migrations.RunPython.noop)]
