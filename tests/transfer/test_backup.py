"""The full JSON backup and restoring it into an empty account."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts import services as contacts_services
from contacts.models import ContactPoint, Event, Field, Meeting, Person, Tag
from ledger import services as ledger_services
from ledger.models import LedgerEntry, LedgerSettings
from tests.factories import make_event, make_field, make_ledger_entry, make_meeting, make_person, make_tag, make_user
from transfer import backup

pytestmark = pytest.mark.django_db


def _everything(owner):
    """An account with a row of every kind the backup registry holds."""
    it = make_field(owner=owner, name="IT")
    golf = make_tag(owner=owner, name="ゴルフ")
    event = make_event(owner=owner, name="異業種交流会 渋谷")
    introducer = make_person(owner=owner, family_name="紹介", given_name="者", fields=[it])
    taro = make_person(owner=owner, tags=[golf], company="旧商事", birthday=datetime.date(1980, 4, 1))
    # A job change: the career history keeps the previous company.
    taro = contacts_services.update_person(
        person=taro, expected_version=taro.version, values={"company": "株式会社サンプル"}
    )
    Person.objects.filter(pk=taro.pk).update(introduced_by=introducer, first_met_event=event)
    # An introduction pointing forward: the introducer was created after the person introduced.
    late = make_person(owner=owner, family_name="後から", given_name="来た")
    Person.objects.filter(pk=introducer.pk).update(introduced_by=late)
    ContactPoint.objects.create(person=taro, kind="email", value="taro@example.jp", normalized="taro@example.jp")
    meeting = make_meeting(owner=owner, people=[taro, introducer], event=event, summary="名刺交換")
    make_ledger_entry(owner=owner, person=taro, meeting=meeting, description="税理士を紹介")
    loan = make_ledger_entry(owner=owner, person=taro, kind="money", amount=Decimal("100000"), description="立て替え")
    ledger_services.mark_loan_returned(entry=loan, on=datetime.date(2026, 12, 1), returned=Decimal("40000"))
    LedgerSettings.objects.update_or_create(owner=owner, defaults={"owe_after_days": 20})
    from followups import services as followup_services
    from followups.models import FollowUpSettings

    followup_services.add_manual(owner=owner, person=taro, due_on=datetime.date(2026, 12, 5), note="年末の挨拶")
    FollowUpSettings.objects.create(owner=owner, network_days=45)
    from followups.models import DraftTemplate

    DraftTemplate.objects.create(owner=owner, reason="thank_you", language="ja", subject="お礼", body="{name}様\n感謝")
    followup_services.enable_feed(owner=owner)
    from contacts.models import KeyPerson, Profile
    from insights.models import Dismissal
    from tests.factories import make_goal

    KeyPerson.objects.create(owner=owner, person=taro, field=it, tagged_on=datetime.date(2026, 6, 1), note="月一ランチ")
    Profile.objects.create(owner=owner, stage="starting", what_i_do="Web 制作", what_i_want="税理士の紹介")
    make_goal(owner=owner, description="税理士", fields=[it])
    make_goal(owner=owner, description="ゴルフ仲間", met_on=datetime.date(2026, 10, 1))
    Dismissal.objects.create(owner=owner, person=introducer, field=it, until=datetime.date(2027, 5, 1))
    return taro


def test_backup_holds_every_kind_of_row(user):
    _everything(user)
    document = json.loads(backup.backup_text(user))
    assert (document["format"], document["version"]) == ("jinmyaku-backup", 1)
    data = document["data"]
    assert {key: len(rows) for key, rows in data.items()} == {
        "fields": Field.objects.filter(owner=user).count(),
        "tags": 1, "events": 1, "people": 3, "contact_points": 1, "career": 1, "meetings": 1, "ledger_entries": 2,
        "ledger_settings": 1, "followups": 1, "followup_settings": 1,
        "key_persons": 1, "profile": 1, "goals": 2, "dismissals": 1, "draft_templates": 1,
        "card_images": 0, "my_card": 0,  # tests/cards/test_scan.py backs up card photos
    }  # fmt: skip
    assert "feed_token" not in data["followup_settings"][0] and "tallied_on" not in data["ledger_settings"][0]
    taro = next(p for p in data["people"] if p["family_name"] == "山田")
    assert "search_text" not in taro and "sort_key" not in taro
    assert taro["introduced_by"] == 1 and taro["tags"] == [1]
    loan = next(e for e in data["ledger_entries"] if e["kind"] == "money")
    assert (loan["amount"], loan["returned_amount"]) == ("100000.00", "40000.00")
    assert (data["career"][0]["old_company"], data["career"][0]["new_company"]) == ("旧商事", "株式会社サンプル")


def test_backup_restore_backup_gives_identical_output(user):
    _everything(user)
    first = backup.backup_text(user)
    fresh = make_user(username="fresh")
    assert backup.restore(owner=fresh, data=first.encode()) == 3
    assert backup.backup_text(fresh) == first
    taro = Person.objects.get(owner=fresh, family_name="山田")
    assert taro.introduced_by.family_name == "紹介"
    assert taro.introduced_by.introduced_by.family_name == "後から"
    assert taro.sort_key == "やまだたろう" and "yamada" in taro.search_text
    assert list(Person.objects.filter(owner=fresh).search("旧商事")) == [taro]  # the previous company, from the history
    assert Meeting.objects.get(owner=fresh).people.count() == 2
    assert LedgerEntry.objects.filter(owner=fresh, meeting__isnull=False).count() == 1
    assert LedgerSettings.for_owner(fresh.pk).owe_after_days == 20
    from followups.models import FollowUp, FollowUpSettings

    assert FollowUp.objects.get(owner=fresh).person == taro
    assert FollowUpSettings.objects.get(owner=fresh).network_days == 45
    from contacts.models import KeyPerson, Profile
    from insights.models import Dismissal, Goal

    key = KeyPerson.objects.get(owner=fresh)
    assert (key.person, key.field.name, key.note) == (taro, "IT", "月一ランチ")
    assert Profile.objects.get(owner=fresh).what_i_want == "税理士の紹介"
    assert [f.name for f in Goal.objects.get(owner=fresh, description="税理士").fields.all()] == ["IT"]
    assert Dismissal.objects.get(owner=fresh).person.family_name == "紹介"


def test_restore_refuses_an_account_with_people(user, other_user):
    _everything(user)
    make_person(owner=other_user)
    with pytest.raises(backup.BackupRejected, match="empty account"):
        backup.restore(owner=other_user, data=backup.backup_text(user).encode())
    assert Person.objects.filter(owner=other_user).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not a Jinmyaku backup"),
        (b"[1, 2]", "not a Jinmyaku backup"),
        (b'{"format": "jinmyaku-backup", "version": 99, "data": {}}', "version 99"),
        (
            b'{"format": "jinmyaku-backup", "version": 1, "data": {"people": [{"id": 1, "family_name": "", "given_name": ""}]}}',
            "contradict",
        ),
        (
            b'{"format": "jinmyaku-backup", "version": 1, "data": {"people": [{"id": 1, "family_name": "x", "tier": "boss"}]}}',
            "Row 1",
        ),
        (
            b'{"format": "jinmyaku-backup", "version": 1, "data": {"people": [{"id": 1, "family_name": "x", "tags": [7]}]}}',
            "Row 1",
        ),
        (
            b'{"format": "jinmyaku-backup", "version": 1, "data": {"people": [{"id": 1, "family_name": "x", "birthday": "soon"}]}}',
            "birthday",
        ),
        (b'{"format": "jinmyaku-backup", "version": 1, "data": {"people": "everyone"}}', "not a Jinmyaku backup"),
    ],
)
def test_a_bad_backup_is_refused_and_nothing_is_restored(user, data, message):
    contacts_services.ensure_default_fields(owner=user)
    with pytest.raises(backup.BackupRejected, match=message):
        backup.restore(owner=user, data=data)
    assert not Person.objects.filter(owner=user).exists()
    assert Field.objects.filter(owner=user).count() == len(Field.DEFAULTS)  # the defaults stay


def test_restore_upload_restores_and_redirects_to_people(auth_client, user, other_user):
    _everything(other_user)
    upload = SimpleUploadedFile("backup.json", backup.backup_text(other_user).encode())
    response = auth_client.post(reverse("transfer:restore_upload"), {"file": upload})
    assert response.status_code == 302 and response.url == reverse("contacts:person_list")
    assert Person.objects.filter(owner=user).count() == 3
    assert Event.objects.filter(owner=user).count() == 1 and Tag.objects.filter(owner=user).count() == 1


def test_restore_upload_shows_why_a_file_is_refused(auth_client, user):
    upload = SimpleUploadedFile("backup.json", b"\x89PNG\r\n")
    response = auth_client.post(reverse("transfer:restore_upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "not a Jinmyaku backup" in response.text


def test_index_offers_restore_only_to_an_empty_account(auth_client, user):
    assert 'action="/transfer/restore/"' in auth_client.get(reverse("transfer:index")).text
    make_person(owner=user)
    assert 'action="/transfer/restore/"' not in auth_client.get(reverse("transfer:index")).text


def test_commands_export_json_and_restore_it(user, tmp_path):
    _everything(user)
    path = tmp_path / "backup.json"
    call_command("export_contacts", user=user.username, format="json", output=str(path))
    fresh = make_user(username="fresh")
    call_command("restore_backup", str(path), user="fresh")
    assert backup.backup_text(fresh) == path.read_text()
    with pytest.raises(CommandError, match="empty account"):
        call_command("restore_backup", str(path), user="fresh")


def test_every_model_with_a_user_owner_is_in_the_registry_or_known_not_to_be_user_data():
    from django.apps import apps

    from accounts.models import User

    registered = {entry.model for entry in backup.REGISTRY}
    not_user_data = {
        "jobs.JobCheck", "transfer.ImportJob", "transfer.ImportRow", "admin.LogEntry",
        # Derived or operational rows, rebuilt from the data above: tallies, pending work, digests sent.
        "ledger.LedgerTally", "followups.PendingRecompute", "followups.DigestDelivery",
        # A browser's push subscription belongs to this server's keys and that browser; the notices sent.
        "followups.PushSubscription", "followups.PushNotice",
        # Key-person suggestions: derived by the weekly job, left out of the backup.
        "insights.Suggestion",
        # The insights page's figures: computed from the rows above.
        "insights.InsightsSnapshot",
        # The trash holds deleted people as this database's rows (ids and all), for 30 days:
        # the backup carries what is live, and a restore into another account could not use them.
        "contacts.TrashedPerson",
        # A card being read or waiting to be checked at an event: its photos join the backup once saved.
        "cards.CardScan",
        # Second-factor secrets belong to this server's sign-in, not to the notebook: a restored
        # account enrols its authenticator again.
        "otp_totp.TOTPDevice", "otp_static.StaticDevice", "accounts.Passkey", "accounts.RecoveryCodes",
        "accounts.PasskeyChallenge",
    }  # fmt: skip
    for model in apps.get_models():
        if model._meta.label in not_user_data or model is User:
            continue
        owned = any(f.is_relation and f.related_model is User for f in model._meta.concrete_fields)
        assert not owned or model in registered, f"add {model._meta.label} to transfer.backup.REGISTRY"


def test_backup_reads_links_from_join_tables_in_a_few_queries_per_chunk(user, other_user, monkeypatch):
    """Prefetching the linked people made SQLite scan everyone's people for every chunk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _everything(user)
    _everything(other_user)
    for i in range(4):
        make_person(owner=user, family_name=f"追加{i}", tags=[Tag.objects.get(owner=user)])
    monkeypatch.setattr(backup, "CHUNK", 2)
    with CaptureQueriesContext(connection) as queries:
        text = backup.backup_text(user)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("_prefetch_related_val" in s for s in sql)
    # One query per section, one for the people's own numbers (they point at each other),
    # and one per many-to-many relation for each chunk of rows that has one.
    link_queries = 0
    for entry in backup.REGISTRY:
        if links := len(entry.model._meta.local_many_to_many):
            rows = entry.model.objects.filter(**{entry.owner: user}).count()
            link_queries += -(-rows // 2) * links  # people: fields and tags; meetings: people; goals: fields
    assert link_queries >= 5
    assert len(sql) == len(backup.REGISTRY) + 1 + link_queries
    assert "後から" in text and "追加3" in text


def test_restore_upload_into_an_account_with_people_is_refused_and_changes_nothing(auth_client, user, other_user):
    _everything(other_user)
    mine = make_person(owner=user, family_name="既存")
    upload = SimpleUploadedFile("backup.json", backup.backup_text(other_user).encode())
    response = auth_client.post(reverse("transfer:restore_upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert "空のアカウント" in response.text  # said in the user's language
    assert list(Person.objects.filter(owner=user)) == [mine]
    assert not Event.objects.filter(owner=user).exists()


def test_restore_upload_then_backup_download_gives_the_same_bytes(auth_client, user, other_user):
    _everything(other_user)
    original = b"".join(backup.backup_stream(other_user))
    auth_client.post(reverse("transfer:restore_upload"), {"file": SimpleUploadedFile("b.json", original)})
    response = auth_client.get(reverse("transfer:export_download", args=["json"]))
    assert b"".join(response.streaming_content) == original


def test_restore_upload_over_the_limit_is_refused_before_it_is_read(auth_client, user, monkeypatch):
    from transfer import views

    monkeypatch.setattr(views, "MAX_RESTORE_BYTES", 10)
    upload = SimpleUploadedFile("b.json", b"{" + b" " * 100_000 + b"}")
    response = auth_client.post(reverse("transfer:restore_upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and "larger than" in response.text
    assert not Person.objects.filter(owner=user).exists()
