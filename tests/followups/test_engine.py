"""The jobs around the rules: per-person recomputes, the nightly run, the reaper, the digest, the feed."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from followups import services, tasks
from followups.models import DigestDelivery, DigestState, FollowUp, FollowUpSettings, PendingRecompute, Reason, State
from jobs import enqueue
from jobs import services as jobs_services
from jobs.models import JobChunk, JobRun
from ledger.models import LedgerSettings
from tests.factories import make_followup, make_ledger_entry, make_meeting, make_person, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 16)  # a Monday


@pytest.fixture
def eager(settings):
    from networking.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@time_machine.travel("2026-11-16 10:00 +0900")
def test_a_saved_meeting_recomputes_that_persons_follow_ups_after_commit(
    user, eager, django_capture_on_commit_callbacks
):
    person = make_person(owner=user)
    with django_capture_on_commit_callbacks(execute=True):
        make_meeting(owner=user, people=[person], date=TODAY, kind="first_at_event")
    reasons = set(FollowUp.objects.filter(person=person, state=State.OPEN).values_list("reason", flat=True))
    assert reasons == {Reason.THANK_YOU, Reason.KEEP_IN_TOUCH}
    assert not PendingRecompute.objects.exists()


@time_machine.travel("2026-11-16 10:00 +0900")
def test_with_the_broker_down_the_save_works_and_the_sweep_catches_up(user, django_capture_on_commit_callbacks):
    person = make_person(owner=user)
    down = mock.patch.object(tasks.recompute_pending, "apply_async", side_effect=ConnectionRefusedError("redis down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        make_meeting(owner=user, people=[person], date=TODAY, kind="first_at_event")
    assert PendingRecompute.objects.filter(person=person).exists()
    assert not FollowUp.objects.exists()
    sent = []
    enqueue.reset()  # the broker is back after the pause that follows a failure
    up = mock.patch.object(tasks.recompute_pending, "apply_async", side_effect=lambda args, **kw: sent.append(args))
    with up, time_machine.travel("2026-11-16 10:05 +0900"):
        assert services.sweep_pending() == 1
    assert sent == [(user.pk,)]
    services.recompute_pending(owner_id=user.pk, today=TODAY)
    assert FollowUp.objects.filter(person=person, reason=Reason.THANK_YOU).count() == 1
    assert not PendingRecompute.objects.exists()


def _people(owner, count):
    people = [make_person(owner=owner, family_name=f"人{i}") for i in range(count)]
    for person in people:
        make_meeting(owner=owner, people=[person], date=TODAY - datetime.timedelta(days=3))
    return people


@time_machine.travel("2026-11-16 03:10 +0900")
def test_the_nightly_run_is_claimed_once_a_day_and_split_in_bounded_chunks(user, other_user, monkeypatch, settings):
    settings.FOLLOWUPS_CHUNK_PEOPLE = 4
    _people(user, 9)
    _people(other_user, 2)
    sent = []
    monkeypatch.setattr(services, "_send", lambda task, *args: sent.append((task.name, args)) or True)
    run = services.start_nightly(day=TODAY)
    assert services.start_nightly(day=TODAY) is None  # beat sent it twice
    chunks = list(run.chunks.order_by("owner_id", "first_id"))
    assert [(c.owner_id, c.people) for c in chunks] == [(user.pk, 4), (user.pk, 4), (user.pk, 1), (other_user.pk, 2)]
    assert all(name == "followups.run_chunks" for name, _ in sent)
    assert sum(len(args[0]) for _, args in sent) == 4
    for _, (ids,) in sent:
        tasks.run_chunks(ids)
    for _, (ids,) in sent:  # every message delivered twice
        tasks.run_chunks(ids)
    run.refresh_from_db()
    assert run.finished_at is not None
    assert FollowUp.objects.filter(reason=Reason.THANK_YOU).count() == 11
    assert FollowUp.objects.filter(reason=Reason.KEEP_IN_TOUCH).count() == 11
    assert LedgerSettings.objects.get(owner=user).tallied_on == TODAY


@time_machine.travel("2026-11-16 03:10 +0900")
def test_the_nightly_run_rebuilds_tallies_of_an_older_day_and_leaves_current_ones_alone(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ledger.models import LedgerTally

    person = _people(user, 1)[0]
    # Given a year and a day ago: inside the 12-month window yesterday, outside it today.
    make_ledger_entry(owner=user, person=person, direction="gave", date=TODAY - datetime.timedelta(days=366))
    LedgerSettings.objects.filter(owner=user).update(tallied_on=TODAY - datetime.timedelta(days=1))
    LedgerTally.objects.filter(person=person).update(given_year=2)  # what yesterday's windows said
    services.run_nightly_here(day=TODAY)
    tally = LedgerTally.objects.get(person=person)
    assert (tally.given_year, tally.given_all) == (0, 2)
    assert LedgerSettings.objects.get(owner=user).tallied_on == TODAY

    JobRun.objects.all().delete()  # the same night again: the tallies already follow today
    with CaptureQueriesContext(connection) as queries:
        services.run_nightly_here(day=TODAY)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in writes if "ledgertally" in sql.lower()]
    assert JobRun.objects.get().finished_at is not None


@time_machine.travel("2026-11-16 03:10 +0900")
def test_a_second_run_the_same_night_recomputes_only_what_changed_since(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = _people(user, 3)
    services.run_nightly_here(day=TODAY)
    assert FollowUpSettings.objects.get(owner=user).recomputed_on == TODAY
    before = set(FollowUp.objects.values_list("pk", "person_id", "reason", "due_on", "show_on"))

    JobRun.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        services.run_nightly_here(day=TODAY)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in writes if '"followups_followup"' in sql]
    assert not [q for q in queries if '"contacts_meeting"' in q["sql"]]  # the rules did not run again
    assert set(FollowUp.objects.values_list("pk", "person_id", "reason", "due_on", "show_on")) == before

    # A change whose recompute has not run yet leaves a note: that chunk is recomputed.
    FollowUp.objects.filter(person=people[0]).delete()
    PendingRecompute.objects.create(person=people[0], owner=user, requested_at=timezone.now())
    JobRun.objects.all().delete()
    services.run_nightly_here(day=TODAY)
    assert FollowUp.objects.filter(person=people[0], reason=Reason.KEEP_IN_TOUCH).count() == 1

    # The next night recomputes everyone, whatever the notes say.
    FollowUp.objects.filter(person=people[1]).delete()
    services.run_nightly_here(day=TODAY + datetime.timedelta(days=1))
    assert FollowUp.objects.filter(person=people[1], reason=Reason.KEEP_IN_TOUCH).count() == 1


@time_machine.travel("2026-11-16 03:10 +0900")
def test_the_reaper_sends_again_chunks_a_dead_worker_left(user, monkeypatch):
    _people(user, 3)
    monkeypatch.setattr(services, "_send", lambda task, *args: True)  # the messages are lost
    run = services.start_nightly(day=TODAY)
    assert run.chunks.filter(finished_at__isnull=True).count() == 1
    sent = []
    monkeypatch.setattr(jobs_services, "send", lambda task, *args: sent.append(args) or True)
    assert jobs_services.reap(stale_after=datetime.timedelta(minutes=15)) == 0  # not stale yet
    with time_machine.travel("2026-11-16 03:40 +0900"):
        assert jobs_services.reap(stale_after=datetime.timedelta(minutes=15)) == 1
    chunk = JobChunk.objects.get()
    assert chunk.attempts == 2
    tasks.run_chunks(*sent[0])
    assert FollowUp.objects.filter(reason=Reason.KEEP_IN_TOUCH).count() == 3


@time_machine.travel("2026-11-16 03:10 +0900")
def test_the_nightly_command_runs_the_same_service(user):
    from django.core.management import call_command

    _people(user, 2)
    call_command("run_nightly", "--here", verbosity=0)
    assert JobRun.objects.get().finished_at is not None
    assert FollowUp.objects.filter(reason=Reason.KEEP_IN_TOUCH).count() == 2


# The weekly digest


def _digest_user(language="ja", **settings):
    user = make_user(username=f"d{language}", email=f"{language}@example.com", language=language)
    if settings:
        FollowUpSettings.objects.create(owner=user, **settings)
    make_followup(owner=user, person=make_person(owner=user, family_name="佐藤"), due_on=TODAY, note="電話する")
    return user


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("ja", "今週のフォローアップ: 2件", ["期限切れ", "今週"]),
        ("en", "This week: 2 follow-ups", ["Overdue", "Open your queue"]),
    ],
)
def test_the_digest_renders_in_the_users_language_as_html_and_text(language, subject, words):
    from followups.digest import build_digest

    user = _digest_user(language)
    make_followup(owner=user, person=make_person(owner=user), due_on=TODAY - datetime.timedelta(days=5), note="遅れ")
    message = build_digest(user, today=TODAY)
    assert subject in message.subject
    html = message.alternatives[0].content
    assert "佐藤" in message.body and "佐藤" in html
    assert words[1] in message.body
    assert all(word in html for word in words)
    assert "<script" not in html


def test_the_digest_lists_the_first_items_of_a_long_week_and_says_how_many_more(monkeypatch):
    from followups import selectors
    from followups.digest import build_digest

    monkeypatch.setattr(selectors, "DIGEST_SHOWN", 3)
    user = _digest_user("en")  # one follow-up due
    for i in range(4):
        make_followup(owner=user, person=make_person(owner=user, family_name=f"人{i}"), due_on=TODAY)
    message = build_digest(user, today=TODAY)
    assert "This week: 5 follow-ups" in message.subject
    html = message.alternatives[0].content
    assert message.body.count("\n- ") == 3 and html.count("<li") == 3
    assert "… and 2 more" in message.body and "… and 2 more" in html


@time_machine.travel("2026-11-16 07:05 +0900")
def test_digests_go_on_monday_morning_in_the_users_time_zone_exactly_once(eager):
    tokyo = _digest_user("ja")
    london = _digest_user("en", time_zone="Europe/London")
    _digest_user("fr", digest_enabled=False)
    assert services.dispatch_digests() == 1
    assert [m.to for m in mail.outbox] == [[tokyo.email]]
    assert services.dispatch_digests() == 0  # beat sends it again: already claimed
    delivery = DigestDelivery.objects.get(owner=tokyo)
    assert services.send_digest(delivery_id=delivery.pk) == "not claimed"  # redelivered message
    assert len(mail.outbox) == 1
    with time_machine.travel("2026-11-16 07:30 +0000"):  # Monday 07:30 in London
        services.dispatch_digests()
    assert [m.to for m in mail.outbox][-1] == [london.email]
    assert len(mail.outbox) == 2


@time_machine.travel("2026-11-18 07:05 +0900")
def test_a_daily_digest_goes_every_morning_with_something_due_beside_the_weekly_one(eager):
    daily = _digest_user("en", daily_digest_enabled=True, digest_enabled=False)
    weekly_only = _digest_user("ja")
    assert services.dispatch_digests() == 1  # a Wednesday: no weekly digest
    (message,) = mail.outbox
    assert message.to == [daily.email] and "Today: 1 follow-up due" in message.subject
    assert "every morning" in message.body
    assert services.dispatch_digests() == 0
    with time_machine.travel("2026-11-23 07:05 +0900"):  # Monday: both kinds for the daily user's settings
        FollowUpSettings.objects.filter(owner=daily).update(digest_enabled=True)
        services.dispatch_digests()
    assert sorted(m.subject for m in mail.outbox[1:] if m.to == [daily.email]) == [
        "[Jinmyaku] This week: 1 follow-up",
        "[Jinmyaku] Today: 1 follow-up due",
    ]
    assert DigestDelivery.objects.filter(owner=weekly_only).count() == 1


def test_a_daily_digest_is_not_sent_when_nothing_is_due_by_today():
    from followups.digest import build_digest

    user = make_user(username="quiet", email="q@example.com")
    make_followup(owner=user, person=make_person(owner=user), due_on=TODAY + datetime.timedelta(days=2))
    assert build_digest(user, today=TODAY, daily=True) is None
    assert build_digest(user, today=TODAY) is not None


@time_machine.travel("2026-11-16 07:05 +0900", tick=False)
def test_an_smtp_error_is_retried_later_with_backoff():
    user = _digest_user("ja")
    with mock.patch.object(services, "_send", lambda task, *args: True):
        services.dispatch_digests()
    delivery = DigestDelivery.objects.get(owner=user)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPServerDisconnected("x")):
        assert services.send_digest(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.state == DigestState.PENDING
    assert delivery.next_attempt_at == timezone.now() + datetime.timedelta(minutes=5)
    assert services.send_digest(delivery_id=delivery.pk) == "not claimed"  # not yet
    with time_machine.travel("2026-11-16 07:11 +0900"):
        assert services.send_digest(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 1


# The calendar feed


def test_the_calendar_feed_lists_open_follow_ups_and_a_new_address_revokes_the_old(client, user, other_user):
    item = make_followup(owner=user, person=make_person(owner=user, family_name="鈴木"), note="お礼状")
    make_followup(owner=other_user, person=make_person(owner=other_user, family_name="他人"))
    token = services.enable_feed(owner=user).feed_token
    response = client.get(reverse("followups:calendar_feed", args=[token]))
    assert response["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == [f"followup-{item.pk}@jinmyaku"]
    assert "鈴木" in str(events[0]["summary"]) and "お礼状" in str(events[0]["description"])
    assert "他人" not in response.content.decode()
    services.enable_feed(owner=user)
    assert client.get(reverse("followups:calendar_feed", args=[token])).status_code == 404
    services.disable_feed(owner=user)
    assert client.get(reverse("followups:calendar_feed", args=["x" * 43])).status_code == 404


def test_demo_data_comes_with_follow_ups():
    from django.core.management import call_command

    call_command("seed_demo", user="demo-check", people=30, verbosity=0)
    assert FollowUp.objects.filter(reason=Reason.KEEP_IN_TOUCH, state=State.OPEN).count() >= 25
    assert FollowUp.objects.filter(reason=Reason.MANUAL).count() == 3
