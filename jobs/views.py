"""The background-jobs page: is the scheduler running, and a test job through the queue."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.views import AuthedRequest

from . import services
from .models import JobCheck, JobChunk, WorkerHeartbeat

# A heartbeat older than this (beat sends one a minute) means beat or the
# worker is down.
HEARTBEAT_STALE_AFTER_SECONDS = 180


def _broker_kind() -> str:
    url = settings.CELERY_BROKER_URL
    return url.split("://", 1)[0] if "://" in url else url


@login_required
def jobs_status(request: AuthedRequest) -> HttpResponse:
    heartbeat = WorkerHeartbeat.objects.first()
    age = (timezone.now() - heartbeat.last_seen).total_seconds() if heartbeat else None
    stale = age is None or age > HEARTBEAT_STALE_AFTER_SECONDS
    checks = JobCheck.objects.filter(owner=request.user)[:5]
    # Work of this user that failed every try and was given up (jobs.services.chunk_failed).
    failed = JobChunk.objects.filter(owner_id=request.user.pk, failed_at__isnull=False).select_related("run")
    return render(
        request,
        "jobs/status.html",
        {
            "heartbeat": heartbeat,
            "heartbeat_stale": stale,
            "heartbeat_just_now": age is not None and age < 60,
            "checks": checks,
            "failed_chunks": list(failed.order_by("-failed_at")[:5]),
            "broker_kind": _broker_kind(),
        },
    )


@login_required
@require_POST
def jobcheck_create(request: AuthedRequest) -> HttpResponse:
    check = services.request_job_check(user=request.user)
    if request.htmx:
        return render(request, "jobs/status.html#jobcheck", {"check": check})
    return redirect("jobs:status")


@login_required
def jobcheck_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(JobCheck, pk=pk, owner=request.user)
    return render(request, "jobs/status.html#jobcheck", {"check": check})
