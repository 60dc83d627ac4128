"""Demo data across the apps: people, events and meetings (contacts.demo), then give and take (ledger.demo).

Deterministic for a given seed: both draw from the same random generator in turn.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts.demo import SeedResult, seed_contacts
from ledger.demo import seed_ledger


def seed_network(
    *, owner: User, people: int, rng: random.Random | None = None, today: datetime.date | None = None
) -> SeedResult:
    """Create `people` people for `owner` with events, meetings, introductions and ledger entries."""
    rng = rng or random.Random(42)
    today = today or timezone.localdate()
    with transaction.atomic():
        result = seed_contacts(owner=owner, people=people, rng=rng, today=today)
        result.ledger_entries = seed_ledger(owner=owner, people=result.created, rng=rng, today=today)
    return result
