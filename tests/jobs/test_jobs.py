import pytest
from django.urls import reverse

from jobs import services
from jobs.models import JobCheck, WorkerHeartbeat
from tests.factories import make_jobcheck

pytestmark = pytest.mark.django_db


def test_sending_a_test_job_enqueues_it_after_commit(auth_client, user, django_capture_on_commit_callbacks):
    from jobs import tasks

    sent = []
    original = tasks.complete_job_check.apply_async
    tasks.complete_job_check.apply_async = lambda args, **kwargs: sent.append(tuple(args))
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = auth_client.post(reverse("jobs:jobcheck_create"), HTTP_HX_REQUEST="true")
    finally:
        tasks.complete_job_check.apply_async = original
    check = JobCheck.objects.get(owner=user)
    assert len(callbacks) == 1
    assert sent == [(check.pk,)]
    assert response.status_code == 200
    assert f'id="jobcheck-{check.pk}"' in response.text
    assert "hx-get" in response.text  # keeps polling while pending


def test_completing_a_check_twice_changes_nothing_the_second_time(user):
    check = make_jobcheck(owner=user)
    assert services.complete_job_check(check_id=check.pk, worker="w1") is True
    check.refresh_from_db()
    first = check.completed_at
    assert services.complete_job_check(check_id=check.pk, worker="w2") is False
    check.refresh_from_db()
    assert check.completed_at == first
    assert check.worker == "w1"


def test_a_completed_check_stops_polling_and_shows_the_worker(auth_client, user):
    check = make_jobcheck(owner=user)
    services.complete_job_check(check_id=check.pk, worker="celery@box")
    response = auth_client.get(reverse("jobs:jobcheck_detail", args=[check.pk]))
    assert "celery@box" in response.text
    assert "hx-get" not in response.text


def test_status_page_says_when_the_scheduler_has_never_run(auth_client):
    response = auth_client.get(reverse("jobs:status"))
    assert response.status_code == 200
    assert "status--warn" in response.text


def test_status_page_says_the_scheduler_runs_after_a_recent_heartbeat(auth_client):
    services.record_heartbeat(hostname="celery@box")
    response = auth_client.get(reverse("jobs:status"))
    assert "status--ok" in response.text
    assert WorkerHeartbeat.objects.count() == 1


def test_status_page_lists_only_my_checks(auth_client, user, other_user):
    mine = make_jobcheck(owner=user)
    theirs = make_jobcheck(owner=other_user)
    response = auth_client.get(reverse("jobs:status"))
    assert f"jobcheck-{mine.pk}" in response.text
    assert f"jobcheck-{theirs.pk}" not in response.text


def test_status_page_says_just_now_for_a_fresh_heartbeat_and_minutes_later_on(auth_client):
    import datetime

    import time_machine

    services.record_heartbeat(hostname="celery@box")
    assert "less than a minute" in auth_client.get(reverse("jobs:status"), HTTP_ACCEPT_LANGUAGE="en").text
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=2)):
        response = auth_client.get(reverse("jobs:status"))
    assert "status--ok" in response.text
    assert "less than a minute" not in response.text
