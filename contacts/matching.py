"""Who already in the notebook may be the person being typed, ranked by the strength of the evidence.

Each clue (e-mail, mobile number, name, reading, company) is its own indexed
query; the candidates are merged and ranked here, in Python, so a weak clue
with many hits (a large company's colleagues) never pushes out a strong one
(the same name and reading). The ranking, strongest first:

1. the same e-mail address or mobile number;
2. the same name and the same reading;
3. the same name and the same company;
4. the same name;
5. the same reading and company;
6. the same company only (a colleague);
7. a name that contains what was typed (while the name is being typed).

Ranks 1–3 are *strong*: a capture row with such a match is not saved until
the user says whether it is the same person (`strong`). A row that gives
nothing but a name (no reading, company, e-mail or phone) is strong on the
same name too, since nothing tells the two apart.
"""

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, Exists, F, OuterRef, QuerySet, When
from django.utils.translation import gettext as _

from accounts.models import User

from . import text
from .models import ContactPoint, ContactPointKind, Person

CANDIDATES_PER_CLUE = 20  # each clue orders its best first; five are shown
SHOWN = 5
STRONG_RANKS = (1, 2, 3)
COLUMNS = (
    "pk",
    "owner_id",
    "family_name",
    "given_name",
    "family_reading",
    "given_reading",
    "reading_inferred",
    "company",
    "department",
    "title",
    "last_contact_on",
    "sort_key",
    "status",
)


@dataclass(frozen=True)
class Clues:
    """What the row says about the person, normalised once (each key is computed on first use, then kept)."""

    family_name: str = ""
    given_name: str = ""
    reading: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""  # E.164 of a number typed in the row

    @cached_property
    def name_key(self) -> str:
        return _key(self.family_name + self.given_name)

    @cached_property
    def reading_key(self) -> str:
        return text.sort_key(self.reading, "") if self.reading.strip() else ""

    @cached_property
    def company_key(self) -> str:
        return _key(self.company)

    @cached_property
    def only_a_name(self) -> bool:
        return not (self.reading_key or self.company_key or self.email or self.phone)


@dataclass
class Match:
    person: Person
    rank: int
    same: list[str] = field(default_factory=list)  # "email", "mobile", "name", "reading", "company"

    @property
    def strong(self) -> bool:
        return self.rank in STRONG_RANKS

    @property
    def colleague(self) -> bool:
        return self.rank == 6

    @property
    def reason(self) -> str:
        """Why this person is offered, in the user's language ("same name, reading and company")."""
        parts = []
        if "email" in self.same:
            parts.append(_("same e-mail"))
        if "mobile" in self.same:
            parts.append(_("same mobile number"))
        rest = tuple(item for item in self.same if item in ("name", "reading", "company"))
        if rest:
            parts.append(_reason_phrases()[rest])
        elif not parts:
            parts.append(_("similar name"))
        return " · ".join(str(part) for part in parts)


def _reason_phrases() -> dict[tuple[str, ...], str]:
    return {
        ("name", "reading", "company"): _("same name, reading and company"),
        ("name", "reading"): _("same name and reading"),
        ("name", "company"): _("same name and company"),
        ("name",): _("same name"),
        ("reading", "company"): _("same reading and company"),
        ("reading",): _("same reading"),
        ("company",): _("same company (colleague)"),
    }


def _key(value: str) -> str:
    """Compare names and companies ignoring width, case, kana kind and spaces."""
    return text.fold(value).replace(" ", "")


def email_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def candidates(owner: User, clues: Clues) -> tuple[dict[int, Person], set[int], set[int]]:
    """Run one query per kind of clue (at most four); return the people found, and who matched by e-mail and by mobile."""
    people = Person.objects.filter(owner=owner)
    found: dict[int, Person] = {}
    by_email: set[int] = set()
    by_mobile: set[int] = set()

    recent = [F("last_contact_on").desc(nulls_last=True), "sort_key", "pk"]

    def take(qs: QuerySet, *first, order=recent) -> list[Person]:
        taken = list(qs.order_by(*first, *order).only(*COLUMNS)[:CANDIDATES_PER_CLUE])
        for person in taken:
            found.setdefault(person.pk, person)
        return taken

    points = ContactPoint.objects.filter(person__owner=owner)
    wanted = {value for value in (clues.email, clues.phone) if value}
    if wanted:
        email = points.filter(person=OuterRef("pk"), normalized=clues.email or None)
        mobile = points.filter(
            person=OuterRef("pk"),
            normalized=clues.phone or None,
            kind__in=[ContactPointKind.MOBILE, ContactPointKind.PHONE],
        )
        matched = people.filter(pk__in=points.filter(normalized__in=wanted).values("person_id")).annotate(
            by_email=Exists(email), by_mobile=Exists(mobile)
        )
        for person in take(matched):
            if person.by_email:
                by_email.add(person.pk)
            if person.by_mobile:
                by_mobile.add(person.pk)
    family, given = clues.family_name.strip(), clues.given_name.strip()
    if family or given:
        # The exact name, with the same reading first: an exact name-and-reading match is never cut.
        exact = people.filter(family_name=family, given_name=given)
        first = [Case(When(sort_key=clues.reading_key, then=0), default=1)] if clues.reading_key else []
        if not take(exact, *first) and len(clues.name_key) >= 2:
            take(people.search(clues.name_key))  # still typing: names that contain it
    if clues.reading_key:
        take(people.filter(sort_key=clues.reading_key))
    company = unicodedata.normalize("NFKC", clues.company).strip()
    if len(clues.company_key) >= 2:
        # Any case, in the order of the (owner, UPPER(company), last contact DESC) index, which
        # stops after the first few of thousands; people never met may come first on PostgreSQL,
        # and the ranking puts them last again.
        take(people.filter(company__iexact=company), order=["-last_contact_on"])
    return found, by_email, by_mobile


def rank(person: Person, clues: Clues, *, email: bool, mobile: bool) -> Match | None:
    """Place one candidate in the ranking, or None when nothing typed points to them."""
    same = []
    if email:
        same.append("email")
    if mobile:
        same.append("mobile")
    name_key = _key(person.family_name + person.given_name)
    if clues.name_key and name_key == clues.name_key:
        same.append("name")
    # A guessed reading comes from the name itself, so it is no evidence of its own.
    recorded = (person.family_reading or person.given_reading) and not person.reading_inferred
    if clues.reading_key and recorded and person.sort_key == clues.reading_key:
        same.append("reading")
    if clues.company_key and _key(person.company) == clues.company_key:
        same.append("company")
    has = set(same)
    if has & {"email", "mobile"}:
        level = 1
    elif {"name", "reading"} <= has:
        level = 2
    elif {"name", "company"} <= has:
        level = 3
    elif "name" in has:
        level = 4
    elif {"reading", "company"} <= has:
        level = 5
    elif "company" in has:
        level = 6
    elif clues.name_key and len(clues.name_key) >= 2 and clues.name_key in name_key:
        level = 7
    elif "reading" in has:
        level = 5
    else:
        return None
    return Match(person=person, rank=level, same=same)


def suggest(owner: User, clues: Clues, *, limit: int = SHOWN) -> list[Match]:
    """The people who may be the one typed, strongest evidence first, at most `limit`.

    Within a rank, more matching clues come first, then the most recently met.
    An exact name-and-reading match is never cut: the ranking puts it above
    every colleague and namesake.
    """
    found, by_email, by_mobile = candidates(owner, clues)
    matches = []
    for pk, person in found.items():
        match = rank(person, clues, email=pk in by_email, mobile=pk in by_mobile)
        if match is not None:
            matches.append(match)
    matches.sort(
        key=lambda m: (
            m.rank,
            -len(m.same),
            -(m.person.last_contact_on.toordinal() if m.person.last_contact_on else 0),
            m.person.sort_key,
            m.person.pk,
        )
    )
    return matches[:limit]


def strong(matches: list[Match], clues: Clues) -> list[Match]:
    """The matches that stop a row from being saved without a choice."""
    return [m for m in matches if m.strong or (m.rank == 4 and clues.only_a_name)]
