"""The first-run checklist: what a new account does first, instead of facing an empty capture page."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Event, Person, Profile

# The compact checklist stays on the capture page until this many events are logged.
SHOWN_UNTIL_EVENTS = 3


@dataclass
class Step:
    key: str
    label: str
    hint: str
    action: str
    url: str
    done: bool


def steps(owner: User) -> list[Step]:
    """The three first steps and whether each is done (four small queries)."""
    has_people = Person.objects.filter(owner=owner).exists()
    has_events = Event.objects.filter(owner=owner).exists()
    has_profile = (
        Profile.objects.filter(owner=owner).exclude(stage="", what_i_do="", what_i_want="").exists()
        or owner.goals.exists()
    )
    return [
        Step(
            "import",
            _("Import your address book"),
            _("A vCard or CSV from your phone, Google, LinkedIn, Eight or Sansan: everyone you already know."),
            _("Import"),
            reverse("transfer:index"),
            has_people,
        ),
        Step(
            "event",
            _("Log your first event"),
            _("Name the mixer, seminar or dinner, then type each person you met there, one row each."),
            _("Log an event"),
            f"{reverse('contacts:capture')}?start=1",
            has_events,
        ),
        Step(
            "profile",
            _("Set your profile and goals"),
            _("Your stage, what you do and want, and the people you hope to meet: suggestions follow them."),
            _("Set profile and goals"),
            reverse("insights:goals"),
            has_profile,
        ),
    ]


def is_new(owner: User) -> bool:
    """An account with nobody and no event in it yet."""
    return not Person.objects.filter(owner=owner).exists() and not Event.objects.filter(owner=owner).exists()


def shown_on_capture(owner: User) -> list[Step]:
    """The steps left to show beside the event picker, or [] once done or the account is well under way."""
    if Event.objects.filter(owner=owner).count() >= SHOWN_UNTIL_EVENTS:
        return []
    found = steps(owner)
    return found if not all(step.done for step in found) else []
