"""The calendar feed's secret address: never cached, and replaced when the password changes (issue #16, finding 10)."""

import pytest
from django.urls import reverse

from followups import services
from followups.models import FollowUpSettings
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_the_feed_is_never_kept_by_a_browser_or_proxy(client, user):
    token = services.enable_feed(owner=user).feed_token
    response = client.get(reverse("followups:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_password_change_gives_the_feed_a_new_address(client, user):
    old = services.enable_feed(owner=user).feed_token
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a brand new secret 77", "new_password2": "a brand new secret 77"},
    )
    assert response.status_code == 302
    new = FollowUpSettings.objects.get(owner=user).feed_token
    assert new and new != old
    assert client.get(reverse("followups:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("followups:calendar_feed", args=[new])).status_code == 200


def test_a_password_change_leaves_a_feed_that_is_off_off(client, user):
    client.force_login(user)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a brand new secret 77", "new_password2": "a brand new secret 77"},
    )
    assert not FollowUpSettings.objects.filter(owner=user).exclude(feed_token="").exists()


def test_a_password_set_in_the_admin_also_gives_the_feed_a_new_address(client, user, db):
    old = services.enable_feed(owner=user).feed_token
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "a brand new secret 77", "password2": "a brand new secret 77", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert FollowUpSettings.objects.get(owner=user).feed_token != old
