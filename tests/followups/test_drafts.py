"""Editing the message drafts in the follow-up settings, with a preview."""

import pytest
from django.urls import reverse

from followups.models import DraftTemplate, Reason

pytestmark = pytest.mark.django_db


def edit_url(reason="thank_you", language="ja"):
    return reverse("followups:draft_edit", args=[reason, language])


def test_the_form_starts_from_the_default_with_a_preview_of_a_sample_person(auth_client):
    page = auth_client.get(edit_url()).content.decode()
    assert "{event}" in page and "渋谷異業種交流会" in page and "山田 太郎様" in page


def test_saving_keeps_the_users_wording_and_this_week_uses_it(auth_client, user):
    response = auth_client.post(edit_url(), {"subject": "お礼 {event}", "body": "{name}様\r\nありがとうございました"})
    assert response.status_code == 302
    saved = DraftTemplate.objects.get(owner=user, reason=Reason.THANK_YOU, language="ja")
    assert (saved.subject, saved.body) == ("お礼 {event}", "{name}様\nありがとうございました")
    auth_client.post(reverse("followups:draft_reset", args=["thank_you", "ja"]))
    assert not DraftTemplate.objects.filter(owner=user).exists()


def test_an_unknown_placeholder_is_refused_with_the_text_kept(auth_client, user):
    response = auth_client.post(edit_url(language="en"), {"subject": "Hi {name}", "body": "Call me at {phone}"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "{phone}" in page and "Call me at" in page
    assert not DraftTemplate.objects.exists()


def test_the_preview_alone_answers_htmx_and_saves_nothing(auth_client):
    response = auth_client.post(
        edit_url(language="en"),
        {"subject": "Hello {name}", "body": "Dear {name},\nabout {memo}", "preview": "1"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'id="draft-preview"' in page and "Hello Jane Smith" in page and "about hiking in Nagano" in page
    assert "<html" not in page
    assert not DraftTemplate.objects.exists()


@pytest.mark.parametrize("reason, language", [("nope", "ja"), ("thank_you", "fr"), ("key_person", "ja")])
def test_an_unknown_reason_or_language_is_404(auth_client, reason, language):
    assert auth_client.get(edit_url(reason, language)).status_code == 404


def test_the_list_links_every_reason_in_both_languages(auth_client):
    page = auth_client.get(reverse("followups:draft_list")).content.decode()
    assert edit_url("birthday", "en") in page and edit_url("thank_you", "ja") in page
