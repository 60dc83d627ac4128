"""The job machinery's models now live in the `jobs` app (jobs 0001): drop them
from this app's state only. The tables stay as they are, with every row."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0003_recomputed_on'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='JobChunk'),
                migrations.DeleteModel(name='JobRun'),
                migrations.DeleteModel(name='JobCheck'),
                migrations.DeleteModel(name='WorkerHeartbeat'),
            ],
        ),
    ]
