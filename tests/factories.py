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
