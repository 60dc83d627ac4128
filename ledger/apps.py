from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Give & take")

    def ready(self):
        from contacts import trash
        from contacts.services import person_merging

        from . import receivers

        person_merging.connect(receivers.move_entries_on_merge, dispatch_uid="ledger-merge")
        trash.register(
            derived=("ledger.LedgerTally",),
            pointer_owners={"ledger.LedgerEntry": "person_id"},
            on_restore=receivers.rebuild_tally_on_restore,
            # An entry typed with the capture row is part of that row.
            came_with_row={"ledger.LedgerEntry": lambda entry, meeting: entry.meeting_id == meeting.pk},
        )
