"""Import jobs: an uploaded file, read into rows the user previews before anything is saved."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportFormat(models.TextChoices):
    VCARD = "vcard", _("vCard")
    GOOGLE = "google", _("Google Contacts CSV")
    LINKEDIN = "linkedin", _("LinkedIn connections CSV")
    OUTLOOK = "outlook", _("Outlook CSV")
    EIGHT = "eight", _("Eight / Sansan CSV")
    JINMYAKU = "jinmyaku", _("Jinmyaku CSV")
    GENERIC = "generic", _("CSV with mapped columns")
    # A full backup being restored (transfer.backup): queued, running, done or failed, like an import.
    BACKUP = "backup", _("Jinmyaku backup")


class ImportStatus(models.TextChoices):
    READING = "reading", _("Reading the file")
    MAPPING = "mapping", _("Columns to map")
    PREVIEW = "preview", _("Ready to import")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class DuplicateAction(models.TextChoices):
    MERGE = "merge", _("Merge")
    SKIP = "skip", _("Skip")
    CREATE = "create", _("Create as a new person")


class ImportJob(models.Model):
    """One uploaded file on its way in.

    A small file is read when uploaded; a big one is kept as an `ImportUpload`
    and read by the worker. Either way its records become `ImportRow`s (kept in
    the database, never in the queue), so the preview, the column mapping and
    a background run all work from them. Saving happens in one transaction.
    `duplicate_action` is the default for rows that look like someone already
    here; a row may have its own choice.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    filename = models.CharField(_("file"), max_length=255)
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus, default=ImportStatus.PREVIEW)
    # A generic CSV: its header row and the column chosen for each key.
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    duplicate_action = models.CharField(max_length=10, choices=DuplicateAction, default=DuplicateAction.MERGE)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When its task was last handed to the broker: a job still waiting long
    # after is sent again by the reaper (the broker was down, the message lost).
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="importjob_owner_created")]
        verbose_name = _("import")

    def __str__(self):
        return f"{self.filename} ({self.status})"

    def get_absolute_url(self):
        return reverse("transfer:import_detail", args=[self.pk])

    @property
    def is_working(self) -> bool:
        return self.status in (ImportStatus.READING, ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def is_restore(self) -> bool:
        return self.format == ImportFormat.BACKUP

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed / self.total)) if self.total else 0


class ImportUpload(models.Model):
    """The bytes of a file the worker is still to read; deleted once it is read."""

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="upload", primary_key=True)
    data = models.BinaryField()

    def __str__(self):
        return f"upload of job {self.job_id}"


class RowKind(models.TextChoices):
    RAW = "raw", _("Not read yet")
    NEW = "new", _("New")
    DUPLICATE = "duplicate", _("Already here")
    INVALID = "invalid", _("Invalid")


class MatchReason(models.TextChoices):
    EMAIL = "email", _("same e-mail")
    PHONE = "phone", _("same phone number")
    NAME = "name", _("same name and company")


class ImportRow(models.Model):
    """One record of an import file: the cells of a CSV row awaiting a column
    mapping (raw), or a checked card (new, duplicate of `match`, or invalid)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=RowKind)
    data = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    match = models.ForeignKey("contacts.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    match_reason = models.CharField(max_length=10, choices=MatchReason, blank=True)
    # A record that repeats an earlier one of the same file (and no one already here).
    match_row = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The user's choice for this duplicate; blank follows the job's default.
    action = models.CharField(max_length=10, choices=DuplicateAction, blank=True)

    class Meta:
        ordering = ["line", "pk"]
        indexes = [models.Index(fields=["job", "kind", "line"], name="importrow_job_kind_line")]

    def __str__(self):
        return f"line {self.line} ({self.kind})"

    def effective_action(self, default: str) -> str:
        return self.action or default

    @property
    def values(self) -> dict:
        return self.data.get("values", {})

    @property
    def display_name(self) -> str:
        values = self.values
        family, given = values.get("family_name", ""), values.get("given_name", "")
        western = all(ord(ch) < 0x250 for ch in family + given)
        return " ".join(p for p in ((given, family) if western else (family, given)) if p)

    @property
    def reading(self) -> str:
        values = self.values
        return " ".join(p for p in (values.get("family_reading", ""), values.get("given_reading", "")) if p)

    @property
    def warnings(self) -> list[str]:
        """What was left out of this row or kept as written, in the reader's language."""
        from .cards import describe

        return [describe(entry) for entry in self.data.get("warnings", [])]

    @property
    def point_values(self) -> list[str]:
        return [point[1] for point in self.data.get("points", [])]
