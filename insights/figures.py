"""The insights page's figures, kept per owner so the page reads them in one query.

Computing them takes a few hundred milliseconds at 100,000 people; reading
them takes one. The rule that keeps them right:

- Every change that can move a figure bumps the owner's `version`, after the
  change committed: any successful POST of a signed-in user
  (`StaleFiguresMiddleware`, so no view can forget), `people_changed` (imports,
  restores and merges done by workers), and the follow-up engine's writes
  (`followups.signals.followups_written`).
- The page uses the stored figures only if they were computed from the current
  version, today. Otherwise it computes them, shows them and stores them with
  the version it read *before* computing: a change committed meanwhile leaves
  them stale for the next view, never wrongly current.
- After a change a worker recomputes them a few seconds later
  (`insights.refresh_figures`), at most one task per owner at a time, so the
  next view is usually fast too. Owners who never open the page have no row
  and cost nothing.
"""

import datetime
import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs import enqueue
from ledger.models import LedgerSettings
from ledger.services import refresh_ledger_tallies

from . import selectors
from .models import InsightsSnapshot

log = logging.getLogger(__name__)

# Seconds a worker waits before recomputing, so a burst of saves is computed once.
REFRESH_DELAY = 10
# A refresh asked for longer ago than this is taken as lost (a worker died): ask again.
REFRESH_LOST_AFTER = datetime.timedelta(minutes=10)


def current(owner_id: int, *, today: datetime.date | None = None) -> dict:
    """The owner's figures as of now: the stored ones when current (one query), else computed and stored."""
    today = today or timezone.localdate()
    snapshot = InsightsSnapshot.objects.filter(owner_id=owner_id).first()
    if snapshot is None:
        snapshot = _create(owner_id)
    elif (
        snapshot.computed_version == snapshot.version
        and snapshot.computed_on == today
        and snapshot.figures.get("format") == selectors.FIGURES_FORMAT
    ):
        return snapshot.figures
    return _compute(snapshot, today=today)


def _create(owner_id: int) -> InsightsSnapshot:
    try:
        with transaction.atomic():
            return InsightsSnapshot.objects.create(owner_id=owner_id)
    except IntegrityError:  # created at the same moment by another request or a worker
        return InsightsSnapshot.objects.get(owner_id=owner_id)


def _compute(snapshot: InsightsSnapshot, *, today: datetime.date) -> dict:
    owner_id = snapshot.owner_id
    ledger_settings = LedgerSettings.for_owner(owner_id)
    if ledger_settings.tallied_on != today:
        # The "I owe" flags follow windows that moved since the tallies were built (as on the ledger overview).
        refresh_ledger_tallies(owner_id, today=today, ledger_settings=ledger_settings)
    found = selectors.figures(owner_id, today=today)
    InsightsSnapshot.objects.filter(owner_id=owner_id).update(
        figures=found, computed_version=snapshot.version, computed_on=today, computed_at=timezone.now()
    )
    return found


def mark_stale(owner_id: int) -> None:
    """Note that the owner's figures may have moved, and ask a worker to recompute them shortly.

    Call after the change committed. Two small UPDATEs at most; nothing when
    the owner has never opened the insights page.
    """
    now = timezone.now()
    not_asked = Q(warm_requested_at__isnull=True) | Q(warm_requested_at__lt=now - REFRESH_LOST_AFTER)
    asked = InsightsSnapshot.objects.filter(not_asked, owner_id=owner_id).update(
        version=F("version") + 1, warm_requested_at=now
    )
    if not asked:
        InsightsSnapshot.objects.filter(owner_id=owner_id).update(version=F("version") + 1)
        return
    from .tasks import refresh_figures

    if not enqueue.send(refresh_figures, owner_id, countdown=REFRESH_DELAY):
        # The page computes them itself; the next change asks again.
        InsightsSnapshot.objects.filter(owner_id=owner_id).update(warm_requested_at=None)


def refresh(owner_id: int) -> None:
    """The worker's side of `mark_stale`: recompute the figures if they are not current."""
    # No row: the account is gone (asks are only sent for owners who have one).
    if InsightsSnapshot.objects.filter(owner_id=owner_id).update(warm_requested_at=None):
        current(owner_id)


class StaleFiguresMiddleware:
    """After any successful unsafe request of a signed-in user, their figures are stale.

    A catch-all, so a new view that changes data cannot forget it; it costs
    one small UPDATE per save.
    """

    UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in self.UNSAFE and response.status_code < 400:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                try:
                    mark_stale(user.pk)
                except DatabaseError as error:
                    # The save itself committed: an error page now would say otherwise.
                    # The figures catch up at the next change or the next day.
                    log.warning("could not mark the insights of %s stale: %s", user.pk, error)
        return response
