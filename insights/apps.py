from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Key persons and insights")

    def ready(self):
        from contacts.services import person_merging

        from . import receivers

        person_merging.connect(receivers.move_rows_on_merge, dispatch_uid="insights-merge")
