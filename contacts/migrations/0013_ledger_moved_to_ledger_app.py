"""The ledger's models now live in the `ledger` app (ledger 0001): drop them from
this app's state only. The tables stay as they are, with every row."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0012_tally_money_indexes'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='LedgerTally'),
                migrations.DeleteModel(name='LedgerEntry'),
                migrations.DeleteModel(name='LedgerSettings'),
            ],
        ),
    ]
