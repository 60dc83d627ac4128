"""The give-and-take ledger (ギブ&テイク): what the user gave to and received from people.

The models moved here from `contacts` (migration ledger 0001) without a
change to the database: each keeps the table it had (`db_table`), so moving
them copied no row and renamed nothing. See `ledger/migrations/0001_initial.py`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import Meeting, Person


class Direction(models.TextChoices):
    GAVE = "gave", _("I gave")
    RECEIVED = "received", _("I received")


class LedgerKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    INTRODUCTION = "introduction", _("Introduction")
    ADVICE = "advice", _("Advice")
    HELP = "help", _("Help or work")
    GIFT = "gift", _("Gift")
    OPPORTUNITY = "opportunity", _("Opportunity or referral")
    MONEY = "money", _("Money")
    OTHER = "other", _("Other")


class Weight(models.IntegerChoices):
    """How much an entry counts in a balance: small 1, medium 2, large 3."""

    SMALL = 1, _("Small")
    MEDIUM = 2, _("Medium")
    LARGE = 3, _("Large")


class ReturnState(models.TextChoices):
    NONE = "none", _("Not returned")
    PARTLY = "partly", _("Partly returned")
    FULLY = "fully", _("Returned")


AMOUNT_MAX_DIGITS = 14


class LedgerEntry(models.Model):
    """Something given to or received from a person (ギブ&テイク).

    The balance of a tie is the weighted sum of what the user gave minus
    what they received, each entry counting its weight (small 1, medium 2,
    large 3). A money entry also carries an amount and how much of it has
    come back; whether it is returned is derived from the two amounts.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_entries")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="ledger_entries", verbose_name=_("person")
    )
    date = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction, default=Direction.GAVE)
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind, default=LedgerKind.INFORMATION)
    weight = models.PositiveSmallIntegerField(_("weight"), choices=Weight, default=Weight.MEDIUM)
    description = models.CharField(_("description"), max_length=500, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("meeting"),
    )
    amount = models.DecimalField(_("amount"), max_digits=AMOUNT_MAX_DIGITS, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="JPY", blank=True)
    returned_amount = models.DecimalField(
        _("returned amount"), max_digits=AMOUNT_MAX_DIGITS, decimal_places=2, null=True, blank=True
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    introduced_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_introductions",
        verbose_name=_("person introduced"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["owner", "person", "-date"], name="ledger_owner_person_date"),
            models.Index(fields=["owner", "-date"], name="ledger_owner_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="ledger_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(returned_amount__isnull=True)
                | (Q(returned_amount__gte=0) & Q(amount__isnull=False) & Q(returned_amount__lte=models.F("amount"))),
                name="ledger_returned_within_amount",
            ),
        ]
        db_table = "contacts_ledgerentry"
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def is_money(self) -> bool:
        return self.kind == LedgerKind.MONEY and self.amount is not None

    @property
    def return_state(self) -> str:
        if not self.is_money or not self.returned_amount:
            return ReturnState.NONE
        return ReturnState.FULLY if self.returned_amount >= self.amount else ReturnState.PARTLY

    @property
    def return_state_label(self) -> str:
        return ReturnState(self.return_state).label

    @property
    def outstanding(self):
        """The part of a money entry not yet returned (None for other kinds)."""
        if not self.is_money:
            return None
        return self.amount - (self.returned_amount or 0)


class LedgerSettings(models.Model):
    """A user's thresholds for the ledger flags; without a row, the defaults apply."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_settings")
    owe_after_days = models.PositiveSmallIntegerField(
        _("I owe after (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Flag a tie when something received this long ago is still not matched by what you gave."),
    )
    taker_min_entries = models.PositiveSmallIntegerField(
        _("Only taking: entries received"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many things someone received from you, with nothing given back, before they are flagged."),
    )
    taker_window_days = models.PositiveSmallIntegerField(
        _("Only taking: window (days)"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    # The day the owner's `LedgerTally` rows were last rebuilt; not a setting
    # the user edits, but kept on this one row per owner the overview reads anyway.
    tallied_on = models.DateField(null=True, editable=False)

    class Meta:
        db_table = "contacts_ledgersettings"
        verbose_name = _("ledger settings")

    def __str__(self):
        return f"ledger settings of {self.owner_id}"

    @classmethod
    def for_owner(cls, owner_id: int) -> "LedgerSettings":
        return cls.objects.filter(owner_id=owner_id).first() or cls(owner_id=owner_id)


class LedgerTally(models.Model):
    """A person's ledger sums and flags, read by the ledger overview.

    Summing every entry per request is too slow for a large notebook, so the
    ledger services rewrite a person's row whenever their entries change.
    The 12-month and flag windows move every day, so all of an owner's rows
    are rebuilt in bulk by the nightly job, or by the overview itself when
    `LedgerSettings.tallied_on` is not today. Rows are derived: they can be
    rebuilt from the entries at any time (`services.refresh_ledger_tallies`).
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True, related_name="ledger_tally")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    given_all = models.IntegerField(default=0)
    received_all = models.IntegerField(default=0)
    given_year = models.IntegerField(default=0)
    received_year = models.IntegerField(default=0)
    entries_year = models.IntegerField(default=0)
    imbalance_all = models.IntegerField(default=0)
    imbalance_year = models.IntegerField(default=0)
    i_owe = models.BooleanField(default=False)
    taker = models.BooleanField(default=False)
    money_open = models.IntegerField(default=0)
    money_since = models.DateField(null=True)

    class Meta:
        db_table = "contacts_ledgertally"
        indexes = [
            models.Index(fields=["owner", "-imbalance_year", "person"], name="tally_owner_year"),
            models.Index(fields=["owner", "-imbalance_all", "person"], name="tally_owner_all"),
            # "Money outstanding" lists the few people with an open loan, in the same order.
            models.Index(
                fields=["owner", "-imbalance_year", "person"], condition=Q(money_open__gt=0), name="tally_money_year"
            ),
            models.Index(
                fields=["owner", "-imbalance_all", "person"], condition=Q(money_open__gt=0), name="tally_money_all"
            ),
        ]

    def __str__(self):
        return f"ledger tally of {self.person_id}"
