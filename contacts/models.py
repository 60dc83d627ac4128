"""People, the fields and tags that group them, events and meetings."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Collate, StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import phones, text

NOTES_MAX_LENGTH = 10_000


class Stage(models.TextChoices):
    STARTING = "starting", _("Starting out")
    GROWING = "growing", _("Growing")
    ESTABLISHED = "established", _("Established")


class Tier(models.TextChoices):
    ACQUAINTANCE = "acquaintance", _("Acquaintance")
    NETWORK = "network", _("Network")


class Wish(models.TextChoices):
    UNKNOWN = "unknown", _("Not yet known")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Field(models.Model):
    """A field of work (分野) the user groups people by: IT, finance, design…"""

    DEFAULTS = [
        _("IT"),
        _("Finance"),
        _("Design"),
        _("Law"),
        _("Accounting & tax"),
        _("Marketing"),
        _("Sales"),
        _("Manufacturing"),
        _("Real estate"),
        _("Medical & care"),
        _("Education"),
        _("Media"),
        _("Food & drink"),
        _("Local government"),
        _("Startups"),
    ]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="field_unique_name_per_owner")]
        verbose_name = _("field")

    def __str__(self):
        return self.name


class Tag(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="tag_unique_name_per_owner")]
        verbose_name = _("tag")

    def __str__(self):
        return self.name


class EventKind(models.TextChoices):
    MIXER = "mixer", _("Cross-industry mixer")
    CHAMBER = "chamber", _("Chamber of commerce")
    SEMINAR = "seminar", _("Seminar / study group")
    CARD_EXCHANGE = "card_exchange", _("Card exchange party")
    DRINKS = "drinks", _("Drinks / dinner")
    COMMUNITY = "community", _("Local community / morning meetup")
    SAME_INDUSTRY = "same_industry", _("Same-industry gathering")
    HOBBY = "hobby", _("Hobby circle")
    IN_COMPANY = "in_company", _("In-company")
    INTRODUCTION = "introduction", _("Family or friend introduction")
    ONLINE = "online", _("Online / SNS")
    OTHER = "other", _("Other")


class Event(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind, default=EventKind.MIXER)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    goal = models.CharField(_("what I wanted from it"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["owner", "-date"], name="event_owner_date")]
        verbose_name = _("event")

    def __str__(self):
        return f"{self.name} ({self.date:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("contacts:event_detail", args=[self.pk])


class ContainsShort(Func):
    """The column contains a 1- or 2-character term, found through PostgreSQL's
    index of each text's characters (migration 0018).

    `string_to_array(column, NULL) @> ARRAY[characters]` is what the index
    answers: the people whose text has every character of the term. `strpos`
    then keeps those where the characters are next to each other; it comes
    first and is cheap, so when the planner scans rows instead (a term nearly
    everyone has, such as 「a」) each row costs a microsecond.

    An expression rather than raw SQL, so the column is qualified with
    whatever alias the query gives the table (a sub-query's U0, say).
    """

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column, term = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        term_sql, term_params = compiler.compile(term)
        if term.value.isascii():
            # Latin letters and digits are in nearly every text (the readings' romaji): the
            # index would return most rows and building each one's array costs more than
            # strpos over all of them (「a」 at 10,000 people: 120 → 10 ms).
            return f"strpos({column_sql}, ({term_sql})::text) > 0", [*column_params, *term_params]
        characters = sorted(set(term.value))
        return (
            f"(strpos({column_sql}, ({term_sql})::text) > 0 AND string_to_array({column_sql}, NULL) @> %s::text[])",
            [*column_params, *term_params, *column_params, characters],
        )


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)

    def search(self, query: str):
        """Keep people whose folded search text contains every term of the query.

        On PostgreSQL, terms of three characters or more use the trigram
        index and shorter ones the index of characters (migration 0018). On
        SQLite each of the owner's people is tested with `instr`, in the index
        that holds their text in reading order (migration 0019), so no row is
        read: half the time of LIKE over the rows at 1,000 people.
        """
        qs = self
        vendor = connections[self.db].vendor
        for term in text.search_terms(query):
            if vendor == "sqlite":
                qs = qs.filter(GreaterThan(StrIndex(F("search_text"), Value(term)), 0))
            elif len(term) <= 2 and vendor == "postgresql":
                qs = qs.filter(ContainsShort(F("search_text"), Value(term)))
            else:
                qs = qs.filter(search_text__contains=term)
        return qs

    def search_by_reading(self, query: str):
        """`search(query)` in reading order (五十音順)."""
        return self.search(query).searched_in_reading_order()

    def searched_in_reading_order(self):
        """A searched queryset in reading order.

        On PostgreSQL the plain `sort_key` order can make the planner walk the
        reading index, testing each row until it has a page (4.4 s for 「山」 at
        10,000 people, when the matches sort late). Ordering by an expression
        (the same key, byte order) makes it use the search indexes and sort
        only the matches (3 ms).
        """
        if connections[self.db].vendor == "postgresql":
            return self.order_by(Collate("sort_key", "C"), "pk")
        return self.order_by("sort_key", "pk")


def is_western_name(family_name: str, given_name: str) -> bool:
    """True for a name written in Latin letters, shown given name first."""
    name = family_name + given_name
    return bool(name) and all(ord(ch) < 0x250 for ch in name)


def display_name(family_name: str, given_name: str) -> str:
    """A person's name as shown: 山田 太郎, or Jane Smith (given name first in Latin letters).

    A function of the two columns, so rows read with `values()` show the same name as a `Person`.
    """
    if is_western_name(family_name, given_name):
        family_name, given_name = given_name, family_name
    return " ".join(part for part in (family_name, given_name) if part)


class Person(models.Model):
    """Someone the user met: the card (名刺) plus what the user knows of them.

    `search_text` and `sort_key` are derived from the other columns (and from
    fields, tags and events) by `contacts.services.refresh_search`; never set
    them by hand. `version` increases on every edit so a stale form is refused.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="people")
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_reading = models.CharField(_("family name reading"), max_length=100, blank=True)
    given_reading = models.CharField(_("given name reading"), max_length=100, blank=True)
    # True while the reading was guessed from a name dictionary (contacts.readings),
    # not typed or imported: shown as a guess until the user accepts or corrects it.
    reading_inferred = models.BooleanField(_("reading is a guess"), default=False)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_reading = models.CharField(_("company reading"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # The street and building; the other parts of an address have columns of
    # their own so a vCard's ADR is written back in its parts.
    address = models.TextField(_("address"), max_length=500, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    region = models.CharField(_("prefecture / state"), max_length=100, blank=True)
    locality = models.CharField(_("city"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    line = models.CharField(_("LINE ID"), max_length=100, blank=True)
    facebook = models.CharField(_("Facebook"), max_length=200, blank=True)
    x_handle = models.CharField(_("X"), max_length=100, blank=True)
    linkedin = models.CharField(_("LinkedIn"), max_length=200, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    # A birthday known without its year (vCard --1224): month and day only, birthday empty.
    birthday_month = models.PositiveSmallIntegerField(
        _("birthday month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    birthday_day = models.PositiveSmallIntegerField(
        _("birthday day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    fields = models.ManyToManyField(Field, blank=True, related_name="people", verbose_name=_("fields"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="people", verbose_name=_("tags"))
    what_they_do = models.CharField(_("what they do"), max_length=500, blank=True)
    what_they_want = models.CharField(_("what they want"), max_length=500, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage, blank=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier, default=Tier.ACQUAINTANCE)
    keep_in_touch_days = models.PositiveSmallIntegerField(
        _("keep in touch every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_("Leave empty to use the cadence of their tier."),
    )
    introduced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introduced",
        verbose_name=_("introduced by"),
    )
    first_met_on = models.DateField(_("first met"), null=True, blank=True)
    first_met_event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="first_met_people",
        verbose_name=_("first met at"),
    )
    i_want_to_meet_again = models.CharField(
        _("I want to meet again"), max_length=10, choices=Wish, default=Wish.UNKNOWN
    )
    they_want_to_meet_again = models.CharField(
        _("they want to meet again"), max_length=10, choices=Wish, default=Wish.UNKNOWN
    )
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_reason = models.CharField(_("reason"), max_length=500, blank=True)

    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    sort_key = models.CharField(max_length=200, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "pk"]
        indexes = [
            # The list shows one status at a time (active by default), so
            # each sort order has an index that starts with owner and status.
            models.Index(fields=["owner", "status", "sort_key", "id"], name="person_owner_sort"),
            models.Index(fields=["owner", "status", "last_contact_on"], name="person_owner_last_contact"),
            models.Index(fields=["owner", "status", "first_met_on"], name="person_owner_first_met"),
            # Filtering by tier (the network, the acquaintances) and sorting:
            # answered from the index alone, without reading the wide rows.
            models.Index(
                fields=["owner", "status", "tier", "last_contact_on", "sort_key", "id"], name="person_owner_tier"
            ),
            # Capture suggestions: one indexed query per clue (contacts.matching).
            models.Index(fields=["owner", "family_name", "given_name"], name="person_owner_name"),
            models.Index(fields=["owner", "sort_key"], name="person_owner_reading"),
            # Colleagues by company, in any case, most recently met first: an ordered
            # index scan that stops at the first few of thousands. (Plain DESC:
            # SQLite cannot index NULLS LAST; contacts.matching orders the same way.)
            models.Index(F("owner"), Upper("company"), F("last_contact_on").desc(), name="person_owner_company"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(family_name="", given_name=""),
                name="person_has_a_name",
                violation_error_message=_("Enter a family name or a given name."),
            ),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("contacts:person_detail", args=[self.pk])

    @property
    def is_western(self) -> bool:
        """True for a name written in Latin letters, shown given name first."""
        return is_western_name(self.family_name, self.given_name)

    @property
    def display_name(self) -> str:
        return display_name(self.family_name, self.given_name)

    @property
    def reading(self) -> str:
        return " ".join(part for part in (self.family_reading, self.given_reading) if part)

    @property
    def is_ended(self) -> bool:
        return self.status == Status.ENDED

    @property
    def full_address(self) -> str:
        """The address on one or two lines: Japanese order (〒, prefecture, city, street) for Japanese text."""
        parts = (self.postal_code, self.region, self.locality, self.address, self.country)
        if not any(parts[:3]) and not self.country:
            return self.address
        if any(ord(ch) > 0x2FF for ch in "".join(parts)):
            country = "" if self.country.lower() in ("日本", "japan", "jp") else self.country
            line = "".join(p for p in (self.region, self.locality, self.address) if p)
            return " ".join(p for p in (f"〒{self.postal_code}" if self.postal_code else "", line, country) if p)
        city = " ".join(p for p in (self.locality, self.region, self.postal_code) if p)
        return ", ".join(p for p in (self.address, city, self.country) if p)

    @property
    def birthday_month_day(self) -> tuple[int, int] | None:
        """(month, day) of the birthday, whether or not its year is known."""
        if self.birthday:
            return self.birthday.month, self.birthday.day
        if self.birthday_month and self.birthday_day:
            return self.birthday_month, self.birthday_day
        return None

    @property
    def mutual_interest(self) -> bool:
        """Both sides want to meet again: the tie is 人脈, not just 知り合い."""
        return self.i_want_to_meet_again == Wish.YES and self.they_want_to_meet_again == Wish.YES


class CareerSource(models.TextChoices):
    CAPTURE = "capture", _("Logged at an event")
    EDIT = "edit", _("Edited")
    IMPORT = "import", _("Merged on import")
    RESTORE = "restore", _("Restored from a backup")


class CareerChange(models.Model):
    """A change of company, department or title (昇進・異動・転職), with the values before and after.

    Kept whenever a capture row, an edit or an import merge changes one of
    the three, so the previous card is never lost: shown on the person page
    and in the timeline as a job change, and the old company stays searchable.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="career", verbose_name=_("person"))
    changed_on = models.DateField(_("changed on"))
    old_company = models.CharField(_("previous company"), max_length=200, blank=True)
    old_department = models.CharField(_("previous department"), max_length=200, blank=True)
    old_title = models.CharField(_("previous title"), max_length=200, blank=True)
    new_company = models.CharField(_("company"), max_length=200, blank=True)
    new_department = models.CharField(_("department"), max_length=200, blank=True)
    new_title = models.CharField(_("title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=CareerSource, default=CareerSource.EDIT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-pk"]
        indexes = [models.Index(fields=["person", "-changed_on"], name="career_person_date")]
        verbose_name = _("career change")
        verbose_name_plural = _("career history")

    def __str__(self):
        return f"career change of {self.person_id} on {self.changed_on:%Y-%m-%d}"

    is_job_change = True  # tells it apart from the meetings it is listed with in the timeline

    @property
    def company_changed(self) -> bool:
        return self.old_company != self.new_company

    @property
    def old_card(self) -> str:
        return " · ".join(part for part in (self.old_company, self.old_department, self.old_title) if part)

    @property
    def new_card(self) -> str:
        return " · ".join(part for part in (self.new_company, self.new_department, self.new_title) if part)


CAREER_COLUMNS = ("company", "department", "title")


class ContactPointKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    FAX = "fax", _("FAX")


class ContactPoint(models.Model):
    """An e-mail address or phone number of a person; a person may have several."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactPointKind)
    value = models.CharField(_("value"), max_length=254)
    # Lower-cased address or E.164 number, for finding duplicates.
    normalized = models.CharField(max_length=254, db_index=True)
    label = models.CharField(_("label"), max_length=40, blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("contact detail")

    def __str__(self):
        return self.value

    @property
    def href(self) -> str:
        return (
            f"mailto:{self.value}"
            if self.kind == ContactPointKind.EMAIL
            else phones.tel_href(self.normalized, self.value)
        )

    @property
    def is_unverified(self) -> bool:
        """A number kept as written (contacts.phones): shown with a mark, never reformatted."""
        return self.kind != ContactPointKind.EMAIL and not phones.is_verified(self.normalized)


class MeetingKind(models.TextChoices):
    FIRST_AT_EVENT = "first_at_event", _("First meeting at an event")
    AT_EVENT = "at_event", _("Met again at an event")
    COFFEE = "coffee", _("Coffee / lunch")
    DRINKS = "drinks", _("Drinks / dinner")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message / SNS")
    EMAIL = "email", _("E-mail")
    JOINT_WORK = "joint_work", _("Joint work")
    INTRODUCTION = "introduction", _("Introduction")


class Meeting(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind, default=MeetingKind.COFFEE)
    people = models.ManyToManyField(Person, related_name="meetings", verbose_name=_("people"))
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("event"),
    )
    summary = models.TextField(_("summary"), max_length=NOTES_MAX_LENGTH, blank=True)
    next_step = models.CharField(_("next step"), max_length=500, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    # True when a capture row created the person along with this meeting, so
    # undoing the row may remove the person too (and only then).
    created_person = models.BooleanField(default=False, editable=False)
    # The key the capture screen gives each row (a UUID made on the phone), so
    # a row sent twice (offline queue, retry, double tap) is saved once.
    capture_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["owner", "-date"], name="meeting_owner_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "capture_key"],
                condition=Q(capture_key__isnull=False),
                name="meeting_capture_key_once",
            ),
        ]
        verbose_name = _("meeting")

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


TRASH_DAYS = 30


class TrashedPerson(models.Model):
    """A deleted person, restorable for TRASH_DAYS days: every row that went with them, serialized.

    `rows` holds the person, their contact points, ledger entries, follow-ups,
    the meetings that had only them, and their links to fields, tags and
    shared meetings, in the order they are put back. `pointers` holds the
    other rows that named them (people they introduced, entries naming them as
    the person introduced), set back when restored.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trash")
    person_id = models.BigIntegerField()
    name = models.CharField(max_length=250)
    trashed_at = models.DateTimeField(db_index=True)
    rows = models.TextField()
    pointers = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["owner", "-trashed_at"])]

    def __str__(self):
        return self.name

    @property
    def purge_on(self):
        import datetime

        return (self.trashed_at + datetime.timedelta(days=TRASH_DAYS)).date()


class KeyPerson(models.Model):
    """A person the user chose as a key person for a field (分野ごとのキーパーソン).

    A person can be key in several fields and a field can have several key
    persons (one to three is the advice). It lives with the people it tags,
    like the tier does, so the follow-up engine can read it without
    depending on the insights app that suggests candidates.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="key_persons")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="key_roles", verbose_name=_("person"))
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="key_persons", verbose_name=_("field"))
    tagged_on = models.DateField(_("key person since"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["tagged_on", "pk"]
        indexes = [models.Index(fields=["owner", "field"], name="keyperson_owner_field")]
        constraints = [models.UniqueConstraint(fields=["person", "field"], name="keyperson_once_per_field")]
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")

    def __str__(self):
        return f"key person {self.person_id} in {self.field_id}"


class Profile(models.Model):
    """The user's own card: their stage, what they do, what they want.

    The same two lines the user keeps for everyone else, kept for themselves.
    The stage steers the key-person suggestions (people at a similar stage
    come first); what they want is repeated in the weekly digest as a
    reminder of what to tell people. Without a row, everything is empty.
    It lives here, beside `Person`, so the digest (followups) and the
    insights app can both read it.
    """

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_profile")
    stage = models.CharField(_("my stage"), max_length=20, choices=Stage, blank=True)
    what_i_do = models.CharField(_("what I do"), max_length=500, blank=True)
    what_i_want = models.CharField(_("what I want"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("profile")

    def __str__(self):
        return f"profile of {self.owner_id}"

    @classmethod
    def for_owner(cls, owner_id: int) -> "Profile":
        return cls.objects.filter(owner_id=owner_id).first() or cls(owner_id=owner_id)
