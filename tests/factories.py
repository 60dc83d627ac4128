"""Plain factory functions for tests: make_x(owner=..., **overrides)."""

from itertools import count

from accounts.models import User
from followups.models import JobCheck

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

    from contacts import services

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
