import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    THANK_YOU = "thank_you", _("Say thank you")
    KEEP_IN_TOUCH = "keep_in_touch", _("Keep in touch")
    NEXT_STEP = "next_step", _("Next step")
    GIVE_BACK = "give_back", _("Give back")
    KEY_PERSON = "key_person", _("Key-person check-in")
    MANUAL = "manual", _("Follow up")
    BIRTHDAY = "birthday", _("Birthday")


# The order of the reasons within each section of This week: a thank-you loses
# its value in days, a promised next step is owed, then giving back, birthdays
# (they have a date), the user's own reminders, and keeping in touch last.
URGENCY = (
    Reason.THANK_YOU,
    Reason.NEXT_STEP,
    Reason.GIVE_BACK,
    Reason.BIRTHDAY,
    Reason.MANUAL,
    Reason.KEY_PERSON,
    Reason.KEEP_IN_TOUCH,
)


def urgency_of(reason: str) -> int:
    """A reason's place in URGENCY (0 first): This week sorts and indexes by it."""
    return URGENCY.index(reason) if reason in URGENCY else len(URGENCY)


def urgency_rank() -> Case:
    """`urgency_of` as SQL, for filling the column and checking it."""
    return Case(
        *[When(reason=reason.value, then=Value(position)) for position, reason in enumerate(URGENCY)],
        default=Value(len(URGENCY)),
        output_field=models.SmallIntegerField(),
    )


class FollowUpQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk writes skip save(): give each new follow-up its urgency here too."""
        objs = list(objs)
        for obj in objs:
            obj.urgency = urgency_of(obj.reason)
        return super().bulk_create(objs, *args, **kwargs)


class State(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    # Closed by the rules, not by the user: the relationship ended, nothing is owed any more.
    CLOSED = "closed", _("No longer needed")


class FollowUp(models.Model):
    """Something to do about a person, by a date.

    The rules (`followups.rules`) open and move these; the user closes them
    (done, skipped) or snoozes them. A person has at most one open follow-up
    per reason, enforced by the database, so running a rule again never
    duplicates one.

    `due_on` is the date the rule gives; `show_on` is when it appears in the
    queue (the due date, or later when snoozed) and `overdue_on` the last day
    before it counts as overdue.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followups")
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.CASCADE, related_name="followups", verbose_name=_("person")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    due_on = models.DateField(_("due"))
    show_on = models.DateField()
    overdue_on = models.DateField()
    snoozed = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    meeting = models.ForeignKey(
        "contacts.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="followups"
    )
    skip_reason = models.CharField(_("reason for skipping"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The reason's rank in URGENCY, stored so the queue's ORDER BY can read an
    # index: at 100,000 people about 21,000 items are overdue, and sorting them
    # all on each visit to This week was most of the page's time. Set from the
    # reason on every save and bulk_create (a reason never changes), and
    # checked by the database. Not a GeneratedField: its system check
    # connects to the database, and `check --deploy` must run without one.
    urgency = models.PositiveSmallIntegerField(default=len(URGENCY), editable=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["show_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "state", "show_on"], name="followup_owner_queue"),
            # This week's sections in their order: the first items are an index scan with a LIMIT,
            # and overdue_on and person (the sections' other conditions) are checked in the index.
            models.Index(
                fields=["owner", "urgency", "show_on", "id", "overdue_on", "person"],
                condition=Q(state="open"),
                name="followup_owner_urgency",
            ),
            # This week's section sizes and next week's items, read from the index alone
            # (PostgreSQL's index-only scan): a section is a range of dates with a condition on
            # overdue_on, and checking that in the table walked past every overdue item.
            models.Index(
                fields=["owner", "show_on", "overdue_on", "person", "urgency", "id"],
                condition=Q(state="open"),
                name="followup_open_sections",
            ),
            # This week's items from before today that are not overdue yet: the few with a grace
            # period (thank-yous, birthdays). Counting them among the overdue ones read thousands.
            models.Index(
                fields=["owner", "overdue_on", "show_on", "person"],
                condition=Q(state="open", show_on__lt=F("overdue_on")),
                name="followup_open_grace",
            ),
            models.Index(fields=["person", "reason", "state"], name="followup_person_reason"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "reason"],
                condition=models.Q(state="open"),
                name="followup_one_open_per_reason",
            ),
            models.CheckConstraint(condition=Q(urgency=urgency_rank()), name="followup_urgency_of_reason"),
        ]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return f"{self.get_reason_display()} {self.person_id} {self.show_on:%Y-%m-%d} ({self.state})"

    def save(self, *args, **kwargs):
        self.urgency = urgency_of(self.reason)
        super().save(*args, **kwargs)

    def is_overdue(self, today) -> bool:
        return self.state == State.OPEN and self.overdue_on < today


class FollowUpSettings(models.Model):
    """A user's follow-up cadences and weekly digest; without a row, the defaults apply."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followup_settings")
    key_person_days = models.PositiveSmallIntegerField(
        _("Key persons: keep in touch every (days)"),
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
    )
    network_days = models.PositiveSmallIntegerField(
        _("Network: keep in touch every (days)"), default=90, validators=[MinValueValidator(7), MaxValueValidator(3650)]
    )
    acquaintance_days = models.PositiveSmallIntegerField(
        _("Acquaintances: keep in touch every (days)"),
        default=365,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
    )
    digest_enabled = models.BooleanField(_("Send me the weekly digest on Monday morning"), default=True)
    daily_digest_enabled = models.BooleanField(_("Send me a daily digest every morning"), default=False)
    birthday_days_before = models.PositiveSmallIntegerField(
        _("Birthdays: remind me this many days before (0: never)"),
        default=3,
        validators=[MaxValueValidator(60)],
    )
    birthday_acquaintances = models.BooleanField(
        _("Birthday reminders for acquaintances too (not only my network and key persons)"), default=False
    )
    notice_time = models.TimeField(
        _("Morning notice on my devices at"), default=datetime.time(8, 0), help_text=_("In your time zone.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    # The secret in the calendar feed's address; empty when the feed is off.
    feed_token = models.CharField(max_length=64, blank=True, db_index=True)
    # The day whose nightly run last recomputed all of this owner's people;
    # changes since then went through PendingRecompute.
    recomputed_on = models.DateField(null=True, editable=False)

    class Meta:
        verbose_name = _("follow-up settings")

    def __str__(self):
        return f"follow-up settings of {self.owner_id}"

    @classmethod
    def for_owner(cls, owner_id: int) -> "FollowUpSettings":
        return cls.objects.filter(owner_id=owner_id).first() or cls(owner_id=owner_id)

    def cadence(self, tier: str) -> int:
        return self.network_days if tier == "network" else self.acquaintance_days


class PendingRecompute(models.Model):
    """A person whose follow-ups must be recomputed, written when they change.

    The web process writes the row, then enqueues the task; when the broker
    is down the row stays and the sweeper (beat) catches up once it is back.
    """

    person = models.OneToOneField("contacts.Person", on_delete=models.CASCADE, primary_key=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["owner", "requested_at"], name="pending_owner_requested")]

    def __str__(self):
        return f"recompute {self.person_id}"


class DigestState(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class DigestKind(models.TextChoices):
    WEEKLY = "weekly"
    DAILY = "daily"


class DigestDelivery(models.Model):
    """One digest for one user and week (weekly) or day (daily), claimed before it is sent.

    The unique row makes sending at most once: a redelivered message or a
    second beat finds it claimed. SMTP errors put it back to pending with a
    later `next_attempt_at` (the database holds the schedule, not the broker).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    # The Monday of the week for a weekly digest, the day for a daily one.
    week_start = models.DateField()
    kind = models.CharField(max_length=10, choices=DigestKind, default=DigestKind.WEEKLY)
    state = models.CharField(max_length=10, choices=DigestState, default=DigestState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "kind", "week_start"], name="digest_once_per_kind")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="digest_due")]

    def __str__(self):
        return f"digest {self.owner_id} {self.week_start} ({self.state})"


class DraftTemplate(models.Model):
    """The user's own wording of a message for one reason and language; without a row, the default applies.

    Placeholders: {name} {event} {date} {memo} {my_name} (see `followups.drafts`).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="draft_templates")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "reason", "language"], name="draft_one_per_reason_language")
        ]
        verbose_name = _("message draft")

    def __str__(self):
        return f"draft {self.owner_id} {self.reason} {self.language}"


class PushSubscription(models.Model):
    """One device (browser) that gets the morning notice, as its push service gave it.

    The endpoint is unique: a device signed in with another account moves to
    that account. The push service answering 404/410 removes the row.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    device = models.CharField(_("device"), max_length=120, blank=True)
    enabled = models.BooleanField(_("on"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("device for notices")

    def __str__(self):
        return f"push {self.owner_id} {self.device or self.pk}"


class PushNotice(models.Model):
    """The morning notice of one user and day, claimed once however often beat sends the task."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "day"], name="push_notice_once_a_day")]

    def __str__(self):
        return f"notice {self.owner_id} {self.day}"
