"""The ledger's models, moved here from `contacts` without touching the database.

`contacts` 0013 drops them from its state and this migration adds them to the
ledger's; neither runs any SQL (SeparateDatabaseAndState). The tables keep
their names (`db_table`), so no row is copied and no lock is taken on a table
of any size, the move is reversible, and raw SQL, database dumps and
monitoring that name the tables go on working. 0002 moves the content types
and the labels kept in the trash.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contacts', '0012_tally_money_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='LedgerSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('owe_after_days', models.PositiveSmallIntegerField(default=30, help_text='Flag a tie when something received this long ago is still not matched by what you gave.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3650)], verbose_name='I owe after (days)')),
                        ('taker_min_entries', models.PositiveSmallIntegerField(default=3, help_text='How many things someone received from you, with nothing given back, before they are flagged.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='Only taking: entries received')),
                        ('taker_window_days', models.PositiveSmallIntegerField(default=365, validators=[django.core.validators.MinValueValidator(30), django.core.validators.MaxValueValidator(3650)], verbose_name='Only taking: window (days)')),
                        ('tallied_on', models.DateField(editable=False, null=True)),
                        ('owner', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_settings', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ledger settings',
                        'db_table': 'contacts_ledgersettings',
                    },
                ),
                migrations.CreateModel(
                    name='LedgerEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('direction', models.CharField(choices=[('gave', 'I gave'), ('received', 'I received')], default='gave', max_length=10, verbose_name='direction')),
                        ('kind', models.CharField(choices=[('information', 'Information'), ('introduction', 'Introduction'), ('advice', 'Advice'), ('help', 'Help or work'), ('gift', 'Gift'), ('opportunity', 'Opportunity or referral'), ('money', 'Money'), ('other', 'Other')], default='information', max_length=20, verbose_name='kind')),
                        ('weight', models.PositiveSmallIntegerField(choices=[(1, 'Small'), (2, 'Medium'), (3, 'Large')], default=2, verbose_name='weight')),
                        ('description', models.CharField(blank=True, max_length=500, verbose_name='description')),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='amount')),
                        ('currency', models.CharField(blank=True, default='JPY', max_length=3, verbose_name='currency')),
                        ('returned_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='returned amount')),
                        ('returned_on', models.DateField(blank=True, null=True, verbose_name='returned on')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('introduced_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ledger_introductions', to='contacts.person', verbose_name='person introduced')),
                        ('meeting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ledger_entries', to='contacts.meeting', verbose_name='meeting')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_entries', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_entries', to='contacts.person', verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'ledger entry',
                        'verbose_name_plural': 'ledger entries',
                        'db_table': 'contacts_ledgerentry',
                        'ordering': ['-date', '-pk'],
                        'indexes': [models.Index(fields=['owner', 'person', '-date'], name='ledger_owner_person_date'), models.Index(fields=['owner', '-date'], name='ledger_owner_date')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__isnull', True), ('amount__gte', 0), _connector='OR'), name='ledger_amount_not_negative'), models.CheckConstraint(condition=models.Q(('returned_amount__isnull', True), models.Q(('returned_amount__gte', 0), ('amount__isnull', False), ('returned_amount__lte', models.F('amount'))), _connector='OR'), name='ledger_returned_within_amount')],
                    },
                ),
                migrations.CreateModel(
                    name='LedgerTally',
                    fields=[
                        ('person', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='ledger_tally', serialize=False, to='contacts.person')),
                        ('given_all', models.IntegerField(default=0)),
                        ('received_all', models.IntegerField(default=0)),
                        ('given_year', models.IntegerField(default=0)),
                        ('received_year', models.IntegerField(default=0)),
                        ('entries_year', models.IntegerField(default=0)),
                        ('imbalance_all', models.IntegerField(default=0)),
                        ('imbalance_year', models.IntegerField(default=0)),
                        ('i_owe', models.BooleanField(default=False)),
                        ('taker', models.BooleanField(default=False)),
                        ('money_open', models.IntegerField(default=0)),
                        ('money_since', models.DateField(null=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'contacts_ledgertally',
                        'indexes': [models.Index(fields=['owner', '-imbalance_year', 'person'], name='tally_owner_year'), models.Index(fields=['owner', '-imbalance_all', 'person'], name='tally_owner_all'), models.Index(condition=models.Q(('money_open__gt', 0)), fields=['owner', '-imbalance_year', 'person'], name='tally_money_year'), models.Index(condition=models.Q(('money_open__gt', 0)), fields=['owner', '-imbalance_all', 'person'], name='tally_money_all')],
                    },
                ),
            ],
        ),
    ]
