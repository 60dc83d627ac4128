"""The job machinery's models, moved here from `followups` without touching the database.

`followups` 0004 drops them from its state and this migration adds them to
this app's; neither runs any SQL (SeparateDatabaseAndState). The tables keep
their names (`db_table`): no row is copied, nothing is locked, and the move is
reversible. 0002 moves the content types.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('followups', '0003_recomputed_on'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='WorkerHeartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hostname', models.CharField(max_length=255, unique=True)),
                        ('last_seen', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'followups_workerheartbeat',
                        'ordering': ['-last_seen'],
                    },
                ),
                migrations.CreateModel(
                    name='JobCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('requested_at', models.DateTimeField(auto_now_add=True)),
                        ('completed_at', models.DateTimeField(blank=True, null=True)),
                        ('worker', models.CharField(blank=True, max_length=255)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='job_checks', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'background job check',
                        'db_table': 'followups_jobcheck',
                        'ordering': ['-requested_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='JobRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40)),
                        ('day', models.DateField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'followups_jobrun',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'day'), name='jobrun_once_a_day')],
                    },
                ),
                migrations.CreateModel(
                    name='JobChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('owner_id', models.IntegerField()),
                        ('first_id', models.BigIntegerField()),
                        ('last_id', models.BigIntegerField()),
                        ('people', models.IntegerField(default=0)),
                        ('sent_at', models.DateTimeField()),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=1)),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='jobs.jobrun')),
                    ],
                    options={
                        'db_table': 'followups_jobchunk',
                        'indexes': [models.Index(fields=['run', 'finished_at'], name='jobchunk_run_finished')],
                    },
                ),
            ],
        ),
    ]
