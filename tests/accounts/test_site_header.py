"""`{% site_header %}`: the header kept per process is each user's own, in their language, for their page."""

import re

from django.test import Client
from django.urls import reverse

from tests.factories import make_user


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_each_user_sees_their_own_name_and_menu(client, user, other_user):
    client.force_login(user)
    mine = _header(client.get(reverse("contacts:person_list")).text)
    other = Client()
    other.force_login(other_user)
    theirs = _header(other.get(reverse("contacts:person_list")).text)
    assert '<summary class="menu__button">owner</summary>' in mine and "intruder" not in mine
    assert '<summary class="menu__button">intruder</summary>' in theirs and "owner" not in theirs
    # A renamed user is shown by their new name at once; staff get the administration link.
    user.username, user.is_staff = "<b>renamed</b>", True
    user.save()
    again = _header(client.get(reverse("contacts:person_list")).text)
    assert "&lt;b&gt;renamed&lt;/b&gt;" in again and reverse("admin:index") in again
    assert reverse("admin:index") not in theirs


def test_the_header_follows_the_language_and_marks_the_current_page(auth_client):
    ja = _header(auth_client.get(reverse("followups:week"), HTTP_ACCEPT_LANGUAGE="ja").text)
    en = _header(auth_client.get(reverse("contacts:person_list"), HTTP_ACCEPT_LANGUAGE="en").text)
    assert '<a href="/week/" aria-current="page">今週' in ja and "ログアウト" in ja
    assert '<a href="/people/" aria-current="page">People' in en and "Log out" in en
    assert 'aria-current="page">今週' not in en


def test_the_forms_carry_the_requests_csrf_token_and_address(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/people/?q=%22%3E%3Cscript%3E")
    header = _header(page.text)
    assert 'name="next" value="/people/?q=%22%3E%3Cscript%3E"' in header
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)
    assert len(tokens) == 2  # the language switcher and the logout form
    # The token works: the language switcher's form is accepted and goes back to the address.
    response = client.post(
        reverse("accounts:set_language"), {"csrfmiddlewaretoken": tokens[0], "language": "en", "next": "/people/"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/"


def test_signed_out_pages_have_no_menu_or_navigation(client, db):
    make_user(username="somebody")
    header = _header(client.get(reverse("accounts:login")).text)
    assert "menu__button" not in header and "site-nav" not in header and "somebody" not in header


def test_without_a_csrf_token_the_header_writes_no_token_field(rf, user):
    from django.template import Context, Template

    request = rf.get("/people/")
    request.user = user
    html = Template("{% load site_header %}{% site_header %}").render(Context({"request": request, "user": user}))
    assert "csrfmiddlewaretoken" not in html and "csrf-" not in html
    assert '<summary class="menu__button">owner</summary>' in html
