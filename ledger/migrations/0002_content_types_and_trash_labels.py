"""Finish the move from `contacts`: the models' content types, and the model
labels kept inside the trash, now say `ledger`.

Content types are renamed in place (same ids), so permissions and admin log
entries that point at them follow. Where a `ledger` content type was already
made (a `migrate` that ran post_migrate in between), the old one is left for
`remove_stale_contenttypes`. Trashed people are stored serialized, each row
with its model label: without the new label a restore could not find the model.
"""

import json

from django.db import migrations

MODELS = ("ledgerentry", "ledgertally", "ledgersettings")
LABELS = {"contacts.ledgerentry": "ledger.ledgerentry", "contacts.ledgertally": "ledger.ledgertally"}
POINTER_LABELS = {"contacts.LedgerEntry": "ledger.LedgerEntry"}


def _move_content_types(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def _relabel_trash(apps, schema_editor, labels, pointer_labels):
    TrashedPerson = apps.get_model("contacts", "TrashedPerson")
    db = schema_editor.connection.alias
    for trashed in TrashedPerson.objects.using(db).only("pk", "rows", "pointers").iterator(chunk_size=500):
        rows = json.loads(trashed.rows)
        changed = False
        for row in rows:
            if row.get("model") in labels:
                row["model"] = labels[row["model"]]
                changed = True
        pointers = trashed.pointers or []
        for pointer in pointers:
            if pointer and pointer[0] in pointer_labels:
                pointer[0] = pointer_labels[pointer[0]]
                changed = True
        if changed:
            TrashedPerson.objects.using(db).filter(pk=trashed.pk).update(rows=json.dumps(rows), pointers=pointers)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "contacts", "ledger")
    _relabel_trash(apps, schema_editor, LABELS, POINTER_LABELS)


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "ledger", "contacts")
    _relabel_trash(
        apps,
        schema_editor,
        {new: old for old, new in LABELS.items()},
        {new: old for old, new in POINTER_LABELS.items()},
    )


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('contacts', '0013_ledger_moved_to_ledger_app'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
