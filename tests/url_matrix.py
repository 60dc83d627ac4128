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
from itertools import count

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


_serial = count(1)


def _followup(owner: User) -> dict:
    return {"pk": factories.make_followup(owner=owner).pk}


def _feed(owner: User) -> dict:
    from followups import services

    return {"token": services.enable_feed(owner=owner).feed_token}


def _trashed(owner: User) -> dict:
    from contacts import trash

    person = factories.make_person(owner=owner, family_name="削除")
    factories.make_meeting(owner=owner, people=[person])
    return {"pk": trash.trash_person(person=person).pk}


def _field(owner: User) -> dict:
    return {"pk": factories.make_field(owner=owner, name=f"IT {next(_serial)}").pk}


def _tag(owner: User) -> dict:
    return {"pk": factories.make_tag(owner=owner, name=f"golf {next(_serial)}").pk}


def _ledger_data(**overrides) -> dict:
    return {"direction": "gave", "kind": "advice", "weight": "2", "date": "2026-11-21", "currency": "JPY"} | overrides


def _import_job(owner: User, status: str = "preview") -> dict:
    from transfer.models import ImportJob, ImportRow

    job = ImportJob.objects.create(owner=owner, filename="a.vcf", format="vcard", status=status, total=1)
    data = {"values": {"family_name": "山田", "given_name": "太郎"}, "points": [], "tags": []}
    if status == "mapping":
        job.header, job.format = ["氏名", "会社"], "generic"
        job.save()
        data = {"cells": ["山田 太郎", "株式会社サンプル"]}
    ImportRow.objects.create(job=job, line=2, kind="raw" if status == "mapping" else "new", data=data)
    return {"pk": job.pk}


def _import_duplicate_row(owner: User) -> dict:
    from transfer.models import ImportRow

    pk = _import_job(owner)["pk"]
    data = {"values": {"family_name": "山田", "given_name": "太郎"}, "points": [], "tags": []}
    row = ImportRow.objects.create(job_id=pk, line=3, kind="duplicate", data=data, match_reason="name")
    return {"pk": pk, "row_pk": row.pk}


def _upload(name: str, content: bytes):
    """A file the test client can send more than once (it reads it whole each time)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    class Rewinding(SimpleUploadedFile):
        def read(self, *args):
            self.seek(0)
            return super().read()

    return Rewinding(name, content)


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
    # --- followups: the weekly queue, settings, calendar feed ---
    Route("followups:week", "login"),
    Route("followups:due_count", "login"),
    Route(
        "followups:followup_done",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_followup,
        data=lambda owner: {"log_meeting": "on", "kind": "call", "date": "2026-11-20"},
    ),
    Route(
        "followups:followup_snooze",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_followup,
        data=lambda owner: {"until": "next_week"},
    ),
    Route(
        "followups:followup_skip",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_followup,
        data=lambda owner: {"reason": "no need"},
    ),
    Route(
        "followups:followup_add",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {"due_on": "2026-12-01", "note": "連絡"},
    ),
    Route(
        "followups:settings",
        "login",
        expect={"get": 200, "post": 302},
        data=lambda owner: {
            "key_person_days": "30",
            "network_days": "60",
            "acquaintance_days": "200",
            "digest_enabled": "on",
            "time_zone": "Asia/Tokyo",
        },
    ),  # fmt: skip
    Route("followups:feed_enable", "login", expect={"get": 405, "post": 302}),
    Route("followups:feed_disable", "login", expect={"get": 405, "post": 302}),
    Route("followups:calendar_feed", "public", expect={"get": 200, "post": 405}, kwargs=_feed),
    # --- contacts: people list, fields and tags ---
    Route("contacts:person_list", "login"),
    Route("contacts:field_list", "login", expect={"get": 200, "post": 302}, data=lambda owner: {"name": "宇宙"}),
    Route(
        "contacts:field_edit",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_field,
        data=lambda owner: {"name": "改名"},
    ),
    Route("contacts:field_delete", "owned", expect={"get": 405, "post": 302}, kwargs=_field),
    Route(
        "contacts:tag_edit", "owned", expect={"get": 405, "post": 302}, kwargs=_tag, data=lambda owner: {"name": "改名"}
    ),
    Route("contacts:tag_delete", "owned", expect={"get": 405, "post": 302}, kwargs=_tag),
    # --- contacts: person page, meetings ---
    Route(
        "contacts:person_create",
        "login",
        expect={"get": 200, "post": 302},
        data=lambda owner: {
            "family_name": "新人",
            "tier": "acquaintance",
            "i_want_to_meet_again": "unknown",
            "they_want_to_meet_again": "unknown",
        },
    ),
    Route("contacts:person_detail", "owned", kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk}),
    Route(
        "contacts:person_edit",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {
            "family_name": "改名",
            "tier": "network",
            "i_want_to_meet_again": "yes",
            "they_want_to_meet_again": "unknown",
            "version": 1,
        },
    ),
    Route(
        "contacts:person_reading",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner, family_reading="", given_reading="").pk},
        data=lambda owner: {"action": "accept"},
    ),
    Route(
        "contacts:person_end",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {"ended_on": "2026-11-21", "reason": "借金の申し込み"},
    ),
    Route(
        "contacts:person_reactivate",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner, status="ended").pk},
    ),
    Route(
        "contacts:person_merge",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {"other": factories.make_person(owner=owner, family_name="重複").pk},
    ),
    Route(
        "contacts:person_delete",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
    ),
    Route("contacts:trash", "login"),
    Route("contacts:trash_restore", "owned", expect={"get": 405, "post": 302}, kwargs=_trashed),
    Route("contacts:trash_delete", "owned", expect={"get": 405, "post": 302}, kwargs=_trashed),
    Route(
        "contacts:meeting_create",
        "login",
        expect={"get": 200, "post": 302},
        data=lambda owner: {"date": "2026-11-21", "kind": "coffee", "people": [factories.make_person(owner=owner).pk]},
    ),
    Route(
        "contacts:meeting_edit",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {
            "pk": factories.make_meeting(owner=owner, people=[factories.make_person(owner=owner)]).pk
        },
        data=lambda owner: {"date": "2026-11-22", "kind": "call", "people": [factories.make_person(owner=owner).pk]},
    ),
    Route(
        "contacts:meeting_delete",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {
            "pk": factories.make_meeting(owner=owner, people=[factories.make_person(owner=owner)]).pk
        },
    ),
    # --- contacts: events ---
    Route("contacts:event_list", "login"),
    Route(
        "contacts:event_create",
        "login",
        expect={"get": 200, "post": 302},
        data=lambda owner: {"name": "朝活 勉強会", "kind": "seminar", "date": "2026-11-21"},
    ),
    Route("contacts:event_detail", "owned", kwargs=lambda owner: {"pk": factories.make_event(owner=owner).pk}),
    Route(
        "contacts:event_edit",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_event(owner=owner).pk},
        data=lambda owner: {"name": "改名した交流会", "kind": "mixer", "date": "2026-11-20"},
    ),
    Route(
        "contacts:event_delete",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_event(owner=owner).pk},
    ),
    # --- contacts: capture ---
    Route("contacts:capture", "login"),
    Route(
        "contacts:capture_event_create",
        "login",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"name": "朝活 新宿", "kind": "community", "date": "2026-11-21", "place": "新宿"},
    ),
    Route(
        "contacts:capture_row",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"event_id": factories.make_event(owner=owner).pk},
        data=lambda owner: {"name": "鈴木 花子", "want_again": "yes"},
    ),
    Route(
        "contacts:capture_matches",
        "owned",
        kwargs=lambda owner: {"event_id": factories.make_event(owner=owner).pk},
    ),
    Route(
        "contacts:capture_existing",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {
            "event_id": factories.make_event(owner=owner).pk,
            "person_id": factories.make_person(owner=owner).pk,
        },
    ),
    Route(
        "contacts:capture_undo",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {
            "meeting_id": factories.make_meeting(
                owner=owner,
                people=[factories.make_person(owner=owner)],
                event=factories.make_event(owner=owner),
                kind="first_at_event",
            ).pk
        },
    ),
    # --- contacts: ledger ---
    Route("contacts:ledger", "login"),
    Route(
        "contacts:ledger_settings",
        "login",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"owe_after_days": "20", "taker_min_entries": "3", "taker_window_days": "365"},
    ),
    Route(
        "contacts:ledger_entry_create",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: _ledger_data(),
    ),
    Route(
        "contacts:ledger_entry_edit",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_ledger_entry(owner=owner).pk},
        data=lambda owner: _ledger_data(direction="received"),
    ),
    Route(
        "contacts:ledger_entry_delete",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_ledger_entry(owner=owner).pk},
    ),
    Route(
        "contacts:ledger_entry_return",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_ledger_entry(owner=owner, kind="money", amount=1000).pk},
        data=lambda owner: {"returned": "400", "returned_on": "2026-11-21"},
    ),
    # --- insights: key persons, suggestions, insights, profile and goals ---
    Route("insights:keyperson_list", "login"),
    Route("insights:suggestions_refresh", "login", expect={"get": 405, "post": 302}),
    Route(
        "insights:suggestion_accept",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_suggestion(owner=owner).pk},
    ),
    Route(
        "insights:suggestion_dismiss",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_suggestion(owner=owner).pk},
    ),
    Route(
        "insights:keyperson_untag",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_key_person(owner=owner).pk},
    ),
    Route(
        "insights:keyperson_tag",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {"field": _field(owner)["pk"], "note": "IT の相談相手"},
    ),
    Route("insights:overview", "login"),
    Route("insights:goals", "login"),
    Route(
        "insights:profile_save",
        "login",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"stage": "starting", "what_i_do": "Web 制作", "what_i_want": "税理士の紹介"},
    ),
    Route(
        "insights:goal_create",
        "login",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"description": "土曜のゴルフ仲間", "fields": [_field(owner)["pk"]]},
    ),
    Route(
        "insights:goal_met",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_goal(owner=owner).pk},
    ),
    Route(
        "insights:goal_delete",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_goal(owner=owner).pk},
    ),
    # --- transfer: import and export ---
    Route("transfer:index", "login"),
    Route(
        "transfer:import_upload",
        "login",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"file": _upload("a.vcf", "BEGIN:VCARD\nVERSION:3.0\nN:山田;太郎;;;\nEND:VCARD\n".encode())},
    ),
    Route("transfer:import_detail", "owned", kwargs=_import_job),
    Route(
        "transfer:import_mapping",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: _import_job(owner, status="mapping"),
        data=lambda owner: {"full_name": "0", "company": "1"},
    ),
    Route(
        "transfer:import_remap",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: _import_job(owner, status="preview"),
    ),
    Route(
        "transfer:import_confirm",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_import_job,
        data=lambda owner: {"duplicates": "merge"},
    ),
    Route(
        "transfer:import_duplicates",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_import_job,
        data=lambda owner: {"duplicates": "skip", "apply_to_all": "on"},
    ),
    Route(
        "transfer:import_row_action",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_import_duplicate_row,
        data=lambda owner: {"action": "create"},
    ),
    Route("transfer:import_delete", "owned", expect={"get": 405, "post": 302}, kwargs=_import_job),
    Route("transfer:export_download", "login", kwargs=lambda owner: {"fmt": "vcard3"}),
    Route(
        "transfer:restore_upload",
        "login",
        expect={"get": 405, "post": 200},
        data=lambda owner: {"file": _upload("backup.json", b"{}")},
    ),
]
