"""Background-job machinery: runs split into chunks, worker heartbeats, and test jobs.

Moved here from `followups` (jobs 0001) without a change to the database:
each model keeps the table it had (`db_table`). What a run's chunks do is the
app's that started the run (followups' nightly recompute): the app registers
the task that runs its chunks (`jobs.registry`), and the reaper sends stuck
chunks to it again.
"""

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
        db_table = "followups_workerheartbeat"
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
        db_table = "followups_jobcheck"
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


class JobRun(models.Model):
    """One run of a scheduled job for a day: claimed once, however often beat sends it."""

    kind = models.CharField(max_length=40)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "followups_jobrun"
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="jobrun_once_a_day")]

    def __str__(self):
        return f"{self.kind} {self.day}"


class JobChunk(models.Model):
    """A bounded share of a run: one owner's rows with ids in [first_id, last_id] (people, for the nightly run).

    Workers mark chunks done; the reaper sends again those that stayed
    unfinished too long (a worker died). Redoing a chunk is harmless.
    """

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="chunks")
    owner_id = models.IntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    people = models.IntegerField(default=0)
    sent_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    # The last error a worker met on this chunk; after MAX_ATTEMPTS the chunk
    # is given up (`failed_at`): the reaper no longer sends it, and the
    # background-jobs page shows it to its owner.
    error = models.CharField(max_length=500, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    MAX_ATTEMPTS = 3

    class Meta:
        db_table = "followups_jobchunk"
        indexes = [models.Index(fields=["run", "finished_at"], name="jobchunk_run_finished")]

    def __str__(self):
        return f"chunk {self.owner_id}:{self.first_id}-{self.last_id}"
