"""What leaves the app for one user (exports, backup, digest, calendar feed) holds nothing of another's."""

import datetime

import pytest
from django.urls import reverse

from followups import services as followup_services
from followups.digest import build_digest
from tests.factories import (
    make_event,
    make_field,
    make_followup,
    make_ledger_entry,
    make_meeting,
    make_person,
    make_tag,
)

pytestmark = pytest.mark.django_db
SECRET = "秘密XYZ"
TODAY = datetime.date.today()


def _notebook(owner, mark):
    field = make_field(owner=owner, name=f"分野{mark}")
    tag = make_tag(owner=owner, name=f"タグ{mark}")
    event = make_event(owner=owner, name=f"会{mark}")
    person = make_person(
        owner=owner, family_name=f"名{mark}", company=f"社{mark}", notes=mark, fields=[field], tags=[tag]
    )
    make_meeting(owner=owner, people=[person], date=TODAY, event=event, summary=mark, next_step=mark)
    make_ledger_entry(owner=owner, person=person, description=mark, date=TODAY)
    make_followup(owner=owner, person=person, note=f"連絡{mark}", due_on=TODAY)


def test_exports_backup_digest_and_feed_hold_only_their_owners_data(client, user, other_user):
    user.email, other_user.email = "me@example.com", "them@example.com"
    user.save()
    other_user.save()
    _notebook(user, "MINE")
    _notebook(other_user, SECRET)
    client.force_login(user)
    for fmt in ("vcard3", "vcard4", "csv", "json"):
        response = client.get(reverse("transfer:export_download", args=[fmt]))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "MINE" in body and SECRET not in body, fmt

    message = build_digest(user, today=TODAY)
    assert message is not None
    texts = [message.body] + [content for content, _type in message.alternatives]
    assert all("MINE" in text and SECRET not in text for text in texts)

    token = followup_services.enable_feed(owner=user).feed_token
    followup_services.enable_feed(owner=other_user)
    client.logout()
    feed = client.get(reverse("followups:calendar_feed", args=[token])).content.decode()
    assert "MINE" in feed and SECRET not in feed

    client.force_login(user)
    for name in (
        "followups:week",
        "ledger:overview",
        "contacts:person_list",
        "contacts:event_list",
        "contacts:field_list",
    ):
        assert SECRET not in client.get(reverse(name)).text, name
