from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Key persons and insights")

    def ready(self):
        from contacts import trash
        from contacts.services import people_changed, person_merging
        from followups.signals import followups_written

        from . import receivers

        person_merging.connect(receivers.move_rows_on_merge, dispatch_uid="insights-merge")
        people_changed.connect(receivers.figures_moved, dispatch_uid="insights-people-changed")
        followups_written.connect(receivers.figures_moved, dispatch_uid="insights-followups-written")
        # Suggestions are derived by the weekly job: not kept in the trash.
        trash.register(derived=("insights.Suggestion",))
