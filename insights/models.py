"""The user's networking goals, and the key-person candidates the weekly job suggests."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Field, Person, Stage


class GoalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_on__isnull=True)


class Goal(models.Model):
    """Someone the user wants to meet: "a tax accountant", "someone to golf with on Saturdays"."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("who I want to meet"), max_length=200)
    fields = models.ManyToManyField(Field, blank=True, related_name="goals", verbose_name=_("fields"))
    met_on = models.DateField(_("met on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = [models.F("met_on").desc(nulls_first=True), "-created_at", "-pk"]
        verbose_name = _("goal")

    def __str__(self):
        return self.description

    @property
    def is_met(self) -> bool:
        return self.met_on is not None


class Suggestion(models.Model):
    """A candidate key person for a field, written by the scoring job (derived, rebuilt weekly).

    The facts behind the score are stored, not a sentence, so the
    explanation is written in the language of whoever reads it.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    score = models.IntegerField()
    rank = models.PositiveSmallIntegerField()
    meetings_year = models.IntegerField(default=0)
    meetings_half = models.IntegerField(default=0)
    joint_work = models.IntegerField(default=0)
    met_since = models.DateField(null=True)
    i_want = models.BooleanField(default=False)
    they_want = models.BooleanField(default=False)
    # Given minus received over 12 months, weighted; None without any ledger entry.
    balance = models.IntegerField(null=True)
    same_stage = models.CharField(max_length=20, blank=True)
    last_contact_on = models.DateField(null=True)

    class Meta:
        ordering = ["field", "rank"]
        indexes = [models.Index(fields=["owner", "field", "rank"], name="suggestion_owner_field")]
        constraints = [models.UniqueConstraint(fields=["person", "field"], name="suggestion_once_per_field")]

    def __str__(self):
        return f"suggest {self.person_id} in {self.field_id} ({self.score})"

    # The columns the job compares to decide whether a row changed.
    FACTS = (
        "score", "rank", "meetings_year", "meetings_half", "joint_work", "met_since", "i_want", "they_want",
        "balance", "same_stage", "last_contact_on",
    )  # fmt: skip

    def explanation_parts(self) -> list[str]:
        """The reasons for the suggestion, in the active language, strongest first."""
        parts = []
        if self.meetings_year and self.met_since:
            parts.append(
                ngettext(
                    "met once, in %(month)s",
                    "met %(count)d times since %(month)s",
                    self.meetings_year,
                )
                % {"count": self.meetings_year, "month": date_format(self.met_since, "YEAR_MONTH_FORMAT")}
            )
        if self.joint_work:
            parts.append(
                ngettext("%(count)d joint project", "%(count)d joint projects", self.joint_work)
                % {"count": self.joint_work}
            )
        if self.i_want and self.they_want:
            parts.append(gettext("both want to meet again"))
        elif self.they_want:
            parts.append(gettext("they want to meet again"))
        elif self.i_want:
            parts.append(gettext("you want to meet again"))
        if self.balance is None:
            pass
        elif abs(self.balance) <= BALANCE_EVEN:
            parts.append(gettext("balance even"))
        elif self.balance > 0:
            parts.append(gettext("you gave more (+%(balance)d)") % {"balance": self.balance})
        else:
            parts.append(gettext("you received more (%(balance)d)") % {"balance": self.balance})
        if self.same_stage:
            parts.append(gettext("also %(stage)s") % {"stage": Stage(self.same_stage).label.lower()})
        return parts

    @property
    def explanation(self) -> str:
        # Translators: the separator between the reasons of a key-person suggestion.
        return gettext(", ").join(self.explanation_parts())


# A 12-month balance within this many points counts as even.
BALANCE_EVEN = 2


class Dismissal(models.Model):
    """The user does not want this person suggested for this field until `until`."""

    DURATION = datetime.timedelta(days=182)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    until = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "field"], name="dismissal_once_per_field")]

    def __str__(self):
        return f"dismissed {self.person_id} in {self.field_id} until {self.until}"


class InsightsSnapshot(models.Model):
    """The insights page's figures for one owner, computed once and read many times.

    Derived data (never in the backup). Every change that can move a figure
    bumps `version` (see insights.figures); the figures are current while
    `computed_version` equals it and `computed_on` is today, because the
    cadences and periods follow the calendar.
    """

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveBigIntegerField(default=1)
    computed_version = models.PositiveBigIntegerField(default=0)
    computed_on = models.DateField(null=True)
    computed_at = models.DateTimeField(null=True)
    figures = models.JSONField(default=dict)
    # Set while a worker has been asked to recompute the figures, so a burst
    # of saves sends one task, not one per save.
    warm_requested_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"insights of {self.owner_id} v{self.computed_version}/{self.version}"
