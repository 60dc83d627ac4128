from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time Celery beat's heartbeat task ran on a worker.

    Tells the user whether scheduled jobs (follow-ups, digests) are running at
    all. Not user data: one row per worker host.
    """

    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self):
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class JobCheckQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(completed_at__isnull=True)


class JobCheck(models.Model):
    """A round trip through the background queue, asked for by a user.

    The web process writes the row and enqueues a task; the worker stamps
    `completed_at`. A row that stays pending shows the worker is not running.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_checks")
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)

    objects = JobCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("background job check")

    def __str__(self):
        return f"JobCheck {self.pk} ({'done' if self.completed_at else 'pending'})"

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None

    @property
    def round_trip_seconds(self) -> float | None:
        if self.completed_at is None:
            return None
        return (self.completed_at - self.requested_at).total_seconds()
