from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-ups")

    def ready(self):
        from accounts.models import password_changed
        from contacts import trash
        from contacts.services import people_changed, person_merging
        from jobs import registry

        from . import receivers, services, tasks

        people_changed.connect(receivers.recompute_changed_people, dispatch_uid="followups-recompute")
        person_merging.connect(receivers.move_followups_on_merge, dispatch_uid="followups-merge")
        password_changed.connect(receivers.rotate_feed_on_password_change, dispatch_uid="followups-feed-rotate")
        # Pending recomputes are work notes, not data: a restored person is recomputed anyway.
        trash.register(
            derived=("followups.PendingRecompute",),
            # Follow-ups the rules open by themselves (made again whenever the person is
            # recomputed) are no sign of anything recorded on a person since their capture row.
            came_with_row={"followups.FollowUp": receivers.opened_by_the_rules},
        )
        # The nightly run's chunks are ours: the reaper sends stuck ones back to this task.
        registry.register_chunk_task(services.NIGHTLY, tasks.run_chunks)
        registry.register_reaper(services.sweep_on_reap)
