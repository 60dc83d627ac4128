from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import JobCheck, WorkerHeartbeat


def request_job_check(*, user: User) -> JobCheck:
    """Record a check and hand it to the worker once the row is committed."""
    from .tasks import complete_job_check

    with transaction.atomic():
        check = JobCheck.objects.create(owner=user)
        complete_job_check.delay_on_commit(check.pk)
    return check


def complete_job_check(*, check_id: int, worker: str) -> bool:
    """Stamp a check as done. Return False when it was already done or is gone.

    The conditional update makes a redelivered message harmless.
    """
    updated = JobCheck.objects.filter(pk=check_id, completed_at__isnull=True).update(
        completed_at=timezone.now(), worker=worker[:255]
    )
    return updated == 1


def record_heartbeat(*, hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(hostname=hostname[:255], defaults={"last_seen": timezone.now()})
