from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-ups")

    def ready(self):
        from accounts.models import password_changed
        from contacts.services import people_changed, person_merging

        from . import receivers

        people_changed.connect(receivers.recompute_changed_people, dispatch_uid="followups-recompute")
        person_merging.connect(receivers.move_followups_on_merge, dispatch_uid="followups-merge")
        password_changed.connect(receivers.rotate_feed_on_password_change, dispatch_uid="followups-feed-rotate")
