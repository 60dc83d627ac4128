"""Plain factory functions for tests: make_x(owner=..., **overrides)."""

from itertools import count

from accounts.models import User
from jobs.models import JobCheck

_serial = count(1)
PASSWORD = "correct horse battery staple"


def make_user(**overrides) -> User:
    n = next(_serial)
    fields = {"username": f"user{n}", "email": f"user{n}@example.com"} | overrides
    password = fields.pop("password", PASSWORD)
    return User.objects.create_user(password=password, **fields)


def make_jobcheck(*, owner: User, **overrides) -> JobCheck:
    return JobCheck.objects.create(owner=owner, **overrides)


def make_field(*, owner: User, name: str = "IT", **overrides):
    from contacts.models import Field

    return Field.objects.create(owner=owner, name=name, **overrides)


def make_tag(*, owner: User, name: str = "golf", **overrides):
    from contacts.models import Tag

    return Tag.objects.create(owner=owner, name=name, **overrides)


def make_event(*, owner: User, **overrides):
    import datetime

    from contacts.models import Event

    fields = {
        "name": "異業種交流会 渋谷",
        "kind": "mixer",
        "date": datetime.date(2026, 11, 20),
        "place": "渋谷",
    } | overrides
    return Event.objects.create(owner=owner, **fields)


def make_person(*, owner: User, fields=(), tags=(), **overrides):
    """A person created through the service, so search text and sort key are set."""
    from contacts import services

    values = {
        "family_name": "山田",
        "given_name": "太郎",
        "family_reading": "やまだ",
        "given_reading": "たろう",
    } | overrides
    return services.create_person(owner=owner, values=values, fields=fields, tags=tags)


def make_meeting(*, owner: User, people, **overrides):
    import datetime

    from contacts import services

    values = {"date": datetime.date(2026, 11, 20), "kind": "coffee"} | overrides
    return services.log_meeting(owner=owner, people=list(people), **values)


def make_ledger_entry(*, owner: User, person=None, **overrides):
    import datetime

    from ledger import services

    person = person or make_person(owner=owner)
    values = {"date": datetime.date(2026, 11, 20), "direction": "gave", "kind": "information", "weight": 2} | overrides
    return services.add_ledger_entry(owner=owner, person=person, values=values)


def make_followup(*, owner: User, person=None, **overrides):
    """An open follow-up (manual unless told otherwise), due today."""
    import datetime

    from followups.models import FollowUp

    person = person or make_person(owner=owner)
    day = overrides.pop("due_on", datetime.date.today())
    values = {"reason": "manual", "due_on": day, "show_on": day, "overdue_on": day, "note": "電話する"} | overrides
    return FollowUp.objects.create(owner=owner, person=person, **values)


def make_key_person(*, owner: User, person=None, field=None, **overrides):
    """A key-person tag, made through the service (so the person's follow-ups are recomputed)."""
    from insights import services

    person = person or make_person(owner=owner)
    field = field or make_field(owner=owner, name=f"分野 {next(_serial)}")
    return services.tag_key_person(owner=owner, person=person, field=field, **overrides)


def make_suggestion(*, owner: User, person=None, field=None, **overrides):
    """A suggestion row as the scoring job writes it."""
    import datetime

    from insights.models import Suggestion

    person = person or make_person(owner=owner)
    field = field or make_field(owner=owner, name=f"分野 {next(_serial)}")
    values = {
        "score": 60, "rank": 1, "meetings_year": 4, "meetings_half": 2, "met_since": datetime.date(2026, 5, 10),
        "i_want": True, "they_want": True, "balance": 0, "same_stage": "starting",
        "last_contact_on": datetime.date(2026, 11, 1),
    } | overrides  # fmt: skip
    return Suggestion.objects.create(owner=owner, person=person, field=field, **values)


def make_goal(*, owner: User, description: str = "税理士", fields=(), **overrides):
    from insights.models import Goal

    goal = Goal.objects.create(owner=owner, description=description, **overrides)
    goal.fields.set(list(fields))
    return goal
