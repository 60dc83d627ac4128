"""The isolation matrix: every URL pattern of the project, and who may use it.

Each named URL pattern appears here exactly once. tests/test_isolation.py walks
the URLconf and fails when a pattern is missing, so no page can skip the
owner/other-user/anonymous check. When you add a URL, add a Route here.

Access kinds:
- "owned": the URL names one of the owner's objects. The owner gets
  `expect`; another signed-in user gets 404; anonymous is sent to login.
- "login": signed in users get `expect`; anonymous is sent to login.
- "public": anyone gets `expect` (login, sign-up).
- "admin": Django's admin; non-staff users are sent to the admin login.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import User
from tests import factories


@dataclass(frozen=True)
class Route:
    name: str
    access: str
    # HTTP method -> status the owner (or anyone, for public) receives.
    expect: dict[str, int] = field(default_factory=lambda: {"get": 200})
    # Builds the owner's object(s) and returns the URL kwargs.
    kwargs: Callable[[User], dict] | None = None
    # POST body, given the owner.
    data: Callable[[User], dict] | None = None


def _jobcheck(owner: User) -> dict:
    return {"pk": factories.make_jobcheck(owner=owner).pk}


ROUTES = [
    Route("home", "login", expect={"get": 302}),
    Route("healthz", "public", expect={"get": 200, "post": 405}),
    Route("accounts:login", "public", expect={"get": 200, "post": 200}),
    Route("accounts:logout", "public", expect={"get": 405, "post": 302}),
    Route("accounts:signup", "public", expect={"get": 200, "post": 200}),
    Route("accounts:account", "login", expect={"get": 200, "post": 200}),
    Route(
        "accounts:set_language",
        "public",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"language": "en"},
    ),
    Route("accounts:password_change", "login", expect={"get": 200, "post": 200}),
    Route("accounts:password_change_done", "login"),
    Route("followups:jobs_status", "login"),
    Route("followups:jobcheck_create", "login", expect={"get": 405, "post": 302}),
    Route("followups:jobcheck_detail", "owned", kwargs=_jobcheck),
    # --- contacts: people list, fields and tags ---
    Route("contacts:person_list", "login"),
    # --- contacts: person page, meetings ---
    # --- contacts: events ---
    # --- contacts: capture ---
]
