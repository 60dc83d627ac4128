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


def _card_scan(owner: User):
    """A card read at an event, with its photo stored (a small JPEG, no OCR)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from cards.models import CardImage, CardScan, ScanState

    scan = CardScan.objects.create(
        owner=owner,
        event=factories.make_event(owner=owner),
        state=ScanState.READ,
        fields={"name": {"value": "名刺 太郎", "confidence": 0.9}},
    )
    out = io.BytesIO()
    Image.new("RGB", (91, 55), "white").save(out, "JPEG")
    image = CardImage(owner=owner, scan=scan, width=91, height=55)
    image.image.save("card.jpg", ContentFile(out.getvalue()), save=True)
    return scan


def _passkey(owner: User) -> dict:
    from accounts.models import Passkey

    passkey = Passkey.objects.create(
        user=owner, name="phone", credential_id=f"cred-{owner.pk}-{next(_passkeys)}", public_key=b"\xa0"
    )
    return {"pk": passkey.pk}


_passkeys = count()


def _jobcheck(owner: User) -> dict:
    return {"pk": factories.make_jobcheck(owner=owner).pk}


_serial = count(1)


def _followup(owner: User) -> dict:
    return {"pk": factories.make_followup(owner=owner).pk}


def _push_device(owner: User) -> dict:
    from followups.models import PushSubscription

    number = next(_serial)
    device = PushSubscription.objects.create(
        owner=owner, endpoint=f"https://push.example.com/{number}", p256dh="key", auth="secret", device="Phone"
    )
    return {"pk": device.pk}


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
    Route("manifest", "public", expect={"get": 200, "post": 405}),
    Route("service_worker", "public", expect={"get": 200, "post": 405}),
    Route("offline", "public", expect={"get": 200, "post": 405}),
    Route("accounts:login", "public", expect={"get": 200, "post": 200}),
    Route("accounts:logout", "public", expect={"get": 405, "post": 302}),
    # Without a password step in progress the code page sends back to the login page.
    Route("accounts:login_verify", "public", expect={"get": 302, "post": 302}),
    Route("accounts:two_factor", "login"),
    Route("accounts:two_factor_enable", "login", expect={"get": 200, "post": 422}),
    Route("accounts:two_factor_disable", "login", expect={"get": 405, "post": 302}),
    Route("accounts:two_factor_recovery_codes", "login", expect={"get": 405, "post": 302}),
    Route("accounts:passkey_options", "login", expect={"get": 405, "post": 200}),
    Route("accounts:passkey_add", "login", expect={"get": 405, "post": 422}),
    Route(
        "accounts:passkey_remove",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=_passkey,
        data=lambda owner: {"confirm": factories.PASSWORD},
    ),
    Route("accounts:login_verify_passkey", "public", expect={"get": 405, "post": 302}),
    Route("accounts:login_passkey_options", "public", expect={"get": 405, "post": 400}),
    Route("accounts:signup", "public", expect={"get": 200, "post": 200}),
    # A link that is not valid sends back to the sign-up page.
    Route("accounts:signup_confirm", "public", expect={"get": 302, "post": 302}, kwargs=lambda owner: {"token": "bad"}),
    Route("accounts:account", "login", expect={"get": 200, "post": 200}),
    Route(
        "accounts:set_language",
        "public",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"language": "en"},
    ),
    Route("accounts:password_change", "login", expect={"get": 200, "post": 200}),
    Route("accounts:password_change_done", "login"),
    Route("jobs:status", "login"),
    Route("jobs:jobcheck_create", "login", expect={"get": 405, "post": 302}),
    Route("jobs:jobcheck_detail", "owned", kwargs=_jobcheck),
    # --- followups: the weekly queue, settings, calendar feed ---
    Route("followups:week", "login"),
    Route("followups:due_count", "login"),
    Route("followups:followup_reach", "owned", expect={"get": 200, "post": 405}, kwargs=_followup),
    Route(
        "followups:followup_done",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=_followup,
        data=lambda owner: {"log_meeting": "on", "kind": "call", "date": "2026-11-20"},
    ),
    Route(
        "followups:followup_snooze",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=_followup,
        data=lambda owner: {"until": "next_week"},
    ),
    Route(
        "followups:followup_skip",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=_followup,
        data=lambda owner: {"reason": "no need"},
    ),
    Route(
        "followups:followup_add",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {"due_on": "2026-12-01", "note": "連絡"},
    ),
    Route(
        "followups:person_panel",
        "owned",
        expect={"get": 200, "post": 405},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
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
            "birthday_days_before": "3",
            "notice_time": "08:00",
            "time_zone": "Asia/Tokyo",
        },
    ),  # fmt: skip
    # --- followups: message drafts, devices for notices ---
    Route("followups:draft_list", "login"),
    Route(
        "followups:draft_edit",
        "login",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"reason": "thank_you", "language": "ja"},
        data=lambda owner: {"subject": "お礼", "body": "{name}様"},
    ),
    Route(
        "followups:draft_reset",
        "login",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"reason": "thank_you", "language": "ja"},
    ),
    Route("followups:push_subscribe", "login", expect={"get": 405, "post": 400}),
    Route("followups:push_toggle", "owned", expect={"get": 405, "post": 302}, kwargs=_push_device),
    Route("followups:push_delete", "owned", expect={"get": 405, "post": 302}, kwargs=_push_device),
    Route("followups:push_test", "login", expect={"get": 405, "post": 302}),
    Route("followups:feed_enable", "login", expect={"get": 405, "post": 302}),
    Route("followups:feed_disable", "login", expect={"get": 405, "post": 302}),
    Route("followups:calendar_feed", "public", expect={"get": 200, "post": 405}, kwargs=_feed),
    # --- contacts: people list, fields and tags ---
    Route("contacts:person_list", "login"),
    Route("contacts:person_filters", "login"),
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
        "contacts:person_introductions",
        "owned",
        expect={"get": 200, "post": 405},
        kwargs=lambda owner: {
            "pk": factories.make_person(owner=owner, introduced_by=factories.make_person(owner=owner)).pk
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
        "contacts:capture_log",
        "owned",
        expect={"get": 204, "post": 405},  # an event with no rows, asked with none shown: nothing to change
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
    # --- ledger: give and take ---
    Route("ledger:overview", "login"),
    Route(
        "ledger:settings",
        "login",
        expect={"get": 405, "post": 302},
        data=lambda owner: {"owe_after_days": "20", "taker_min_entries": "3", "taker_window_days": "365"},
    ),
    Route(
        "ledger:entry_create",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: _ledger_data(),
    ),
    Route(
        "ledger:person_panel",
        "owned",
        expect={"get": 200, "post": 405},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
    ),
    Route(
        "ledger:entry_edit",
        "owned",
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_ledger_entry(owner=owner).pk},
        data=lambda owner: _ledger_data(direction="received"),
    ),
    Route(
        "ledger:entry_delete",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_ledger_entry(owner=owner).pk},
    ),
    Route(
        "ledger:entry_return",
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
        expect={"get": 200, "post": 302},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
        data=lambda owner: {"field": _field(owner)["pk"], "note": "IT の相談相手"},
    ),
    Route(
        "insights:person_key_roles",
        "owned",
        expect={"get": 200, "post": 405},
        kwargs=lambda owner: {"pk": factories.make_person(owner=owner).pk},
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
    # --- cards: business-card scans, card photos, My card ---
    Route("cards:scan_panel", "owned", kwargs=lambda owner: {"event_id": factories.make_event(owner=owner).pk}),
    Route(
        "cards:scan_upload",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"event_id": factories.make_event(owner=owner).pk},
    ),
    Route("cards:scan_row", "owned", kwargs=lambda owner: {"scan_id": _card_scan(owner).pk}),
    Route("cards:scan_form", "owned", kwargs=lambda owner: {"scan_id": _card_scan(owner).pk}),
    Route(
        "cards:scan_discard",
        "owned",
        expect={"get": 405, "post": 302},
        kwargs=lambda owner: {"scan_id": _card_scan(owner).pk},
    ),
    Route("cards:card_image", "owned", kwargs=lambda owner: {"image_id": _card_scan(owner).images.get().pk}),
    Route("cards:person_cards", "owned", kwargs=lambda owner: {"person_id": factories.make_person(owner=owner).pk}),
    Route(
        "cards:my_card",
        "login",
        expect={"get": 200, "post": 302},
        data=lambda owner: {"name": "佐藤 花子", "email": "hanako@example.jp", "shared": ["name", "email"]},
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


def _person_id(owner: User) -> str:
    return str(factories.make_person(owner=owner, family_name=f"照会{next(_serial)}").pk)


# Every query parameter a view reads, per URL name, with a value it accepts.
# tests/test_fuzz_forms.py fuzzes each one, and fails when a view reads a
# parameter that is missing here. When a view reads a new one, add it.
QUERY_PARAMS: dict[str, Callable[[User], dict]] = {
    "accounts:login": lambda owner: {"next": "/people/"},
    "followups:week": lambda owner: {"all": "1"},
    "contacts:person_list": lambda owner: {
        "q": "山田",
        "field": str(factories.make_field(owner=owner, name=f"分野{next(_serial)}").pk),
        "tier": "network",
        "tag": str(factories.make_tag(owner=owner, name=f"タグ{next(_serial)}").pk),
        "stage": "growing",
        "event": str(factories.make_event(owner=owner).pk),
        "status": "all",
        "want": "yes",
        "sort": "last_contact",
        "page": "2",
        "filters": "1",
    },
    "contacts:person_filters": lambda owner: {
        "field": str(factories.make_field(owner=owner, name=f"分野{next(_serial)}").pk),
        "tier": "network",
        "event": str(factories.make_event(owner=owner).pk),
        "sort": "last_contact",
    },
    "contacts:person_detail": lambda owner: {"page": "2"},
    "contacts:person_create": lambda owner: {"introducer_q": "山田"},
    "contacts:person_edit": lambda owner: {"introducer_q": "山田"},
    "contacts:person_end": lambda owner: {"page": "2"},
    "contacts:person_merge": lambda owner: {"q": "山田"},
    "contacts:meeting_create": lambda owner: {
        "people_q": "山田",
        "person": _person_id(owner),
        "people": _person_id(owner),
    },
    "contacts:meeting_edit": lambda owner: {"people_q": "山田", "people": _person_id(owner), "next": "/week/"},
    "contacts:event_list": lambda owner: {"page": "2"},
    "contacts:event_detail": lambda owner: {"page": "2"},
    "contacts:capture": lambda owner: {"event": str(factories.make_event(owner=owner).pk)},
    "contacts:capture_matches": lambda owner: {
        "name": "山田 太郎",
        "reading": "やまだ たろう",
        "company": "ABC商事",
        "email": "taro@example.com",
        "phone": "090-1234-5678",
    },
    "contacts:capture_log": lambda owner: {"shown": "3,2,1"},
    "ledger:overview": lambda owner: {
        "flag": "owe",
        "kind": "advice",
        "field": str(factories.make_field(owner=owner, name=f"分野{next(_serial)}").pk),
        "period": "custom",
        "start": "2026-01-01",
        "end": "2026-11-21",
        "page": "2",
    },
    "ledger:entry_create": lambda owner: {"meeting": "1", "direction": "received"},
    "insights:overview": lambda owner: {"period": "24"},
    "transfer:export_download": lambda owner: {"guessed": "1"},
}
