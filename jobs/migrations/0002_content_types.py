"""Finish the move from `followups`: the models' content types now say `jobs`.

Renamed in place (same ids), so permissions and admin log entries follow.
Where a `jobs` content type was already made, the old one is left for
`remove_stale_contenttypes`.
"""

from django.db import migrations

MODELS = ("workerheartbeat", "jobcheck", "jobrun", "jobchunk")


def _move(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "followups", "jobs")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "jobs", "followups")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('followups', '0004_jobs_moved_to_jobs_app'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
