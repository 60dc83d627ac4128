"""Capture suggestions ranked by evidence, the duplicate guard on save, and a known person keeping what is new."""

import datetime
import random
import re

import pytest
from django.urls import reverse

from contacts import matching
from contacts.demo import seed_contacts
from contacts.models import CareerChange, ContactPoint, ContactPointKind, Meeting, Person
from tests.factories import make_event, make_meeting, make_person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


def row_url(event) -> str:
    return reverse("contacts:capture_row", args=[event.pk])


def matches_url(event) -> str:
    return reverse("contacts:capture_matches", args=[event.pk])


def existing_url(event, person) -> str:
    return reverse("contacts:capture_existing", args=[event.pk, person.pk])


def suggest(owner, **clues) -> list[matching.Match]:
    return matching.suggest(owner, matching.Clues(**clues))


def colleague(owner, n: int, company: str, last: datetime.date):
    family = ["佐藤", "鈴木", "高橋", "田中", "渡辺", "中村", "小林"][n]
    person = make_person(
        owner=owner, family_name=family, given_name="一郎", family_reading="", given_reading="", company=company
    )
    make_meeting(owner=owner, people=[person], date=last)
    return person


def test_exact_name_reading_and_company_comes_before_recently_met_colleagues(user):
    ikeda = make_person(
        owner=user,
        family_name="池田",
        given_name="拓也",
        family_reading="いけだ",
        given_reading="たくや",
        company="株式会社ネクストメディア",
    )
    make_meeting(owner=user, people=[ikeda], date=datetime.date(2024, 7, 13))
    sofia = make_person(owner=user, family_name="Garcia", given_name="Sofia", company="株式会社ネクストメディア")
    make_meeting(owner=user, people=[sofia], date=datetime.date(2026, 11, 1))
    for n in range(6):
        colleague(user, n, "株式会社ネクストメディア", datetime.date(2026, 10, 1 + n))

    matches = suggest(
        user, family_name="池田", given_name="拓也", reading="いけだ たくや", company="株式会社ネクストメディア"
    )

    assert matches[0].person == ikeda
    assert matches[0].same == ["name", "reading", "company"]
    assert matches[0].strong
    assert all(m.colleague for m in matches[1:])
    assert len(matches) == matching.SHOWN


def test_same_name_and_reading_is_never_missing_among_many_colleagues(user):
    ishii = make_person(
        owner=user,
        family_name="石井",
        given_name="恵",
        family_reading="いしい",
        given_reading="めぐみ",
        company="港区役所",
    )
    for n in range(7):
        colleague(user, n, "港区役所", datetime.date(2026, 11, 1 + n))

    matches = suggest(user, family_name="石井", given_name="恵", reading="いしい めぐみ", company="港区役所")

    assert matches[0].person == ishii


def test_evidence_is_ranked_in_the_order_of_its_strength(user):
    by_email = make_person(owner=user, family_name="別人", given_name="一", family_reading="", given_reading="")
    ContactPoint.objects.create(
        person=by_email, kind=ContactPointKind.EMAIL, value="taro@example.jp", normalized="taro@example.jp"
    )
    name_reading = make_person(owner=user, company="他社")
    name_company = make_person(owner=user, family_reading="", given_reading="", company="ABC商事")
    name_only = make_person(owner=user, family_reading="", given_reading="", company="")
    reading_company = make_person(owner=user, family_name="山多", given_name="太朗", company="ABC商事")
    colleague_only = make_person(
        owner=user, family_name="鈴木", given_name="花子", family_reading="", company="ABC商事"
    )
    for person in Person.objects.all():
        make_meeting(owner=user, people=[person], date=datetime.date(2026, 1, 1) + datetime.timedelta(days=person.pk))

    matches = suggest(
        user,
        family_name="山田",
        given_name="太郎",
        reading="やまだ たろう",
        company="ABC商事",
        email="taro@example.jp",
        phone="",
    )
    found = [m.person for m in matches]
    assert found == [by_email, name_reading, name_company, name_only, reading_company][: matching.SHOWN]
    assert [m.rank for m in matches] == [1, 2, 3, 4, 5]
    assert colleague_only not in found  # six ranks, five shown: the colleague is the one left out
    assert [m.strong for m in matches] == [True, True, True, False, False]


def test_a_mobile_number_in_any_width_finds_its_owner(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user, family_name="Kato", given_name="Ken", family_reading="", given_reading="")
    ContactPoint.objects.create(
        person=known, kind=ContactPointKind.MOBILE, value="090-1234-5678", normalized="+819012345678"
    )
    response = auth_client.get(matches_url(event), {"phone": "０９０－１２３４－５６７８"}, **HTMX, **JA)
    assert existing_url(event, known) in response.text
    assert "同じ携帯番号" in response.text


def test_the_reason_is_shown_in_the_users_language(auth_client, user):
    event = make_event(owner=user)
    make_person(owner=user, company="ABC商事")
    query = {"name": "山田 太郎", "reading": "やまだ たろう", "company": "ABC商事"}
    assert "同じ名前・読み・会社" in auth_client.get(matches_url(event), query, **HTMX, **JA).text
    english = auth_client.get(matches_url(event), query, HTTP_ACCEPT_LANGUAGE="en", **HTMX).text
    assert "same name, reading and company" in english


def test_the_demo_datas_ikeda_and_ishii_come_first(auth_client, user):
    seed_contacts(owner=user, people=80, rng=random.Random(42))
    event = make_event(owner=user)
    ikeda = Person.objects.filter(owner=user, family_name="池田", given_name="拓也").first()
    ishii = Person.objects.filter(owner=user, family_name="石井", given_name="恵").first()
    for person in (ikeda, ishii):
        if person is None:
            continue  # the demo data changed; the constructed cases above still hold
        query = {"name": person.display_name, "reading": person.reading, "company": person.company}
        response = auth_client.get(matches_url(event), query, **HTMX)
        assert re.findall(r'formaction="([^"]+)"', response.text)[0] == existing_url(event, person)


# --- The duplicate guard --------------------------------------------------------


def test_a_row_matching_name_and_reading_is_not_saved_without_a_choice(auth_client, user):
    event = make_event(owner=user)
    known = make_person(
        owner=user, family_name="伊藤", given_name="恵", family_reading="いとう", given_reading="めぐみ"
    )
    response = auth_client.post(
        row_url(event),
        {"name": "伊藤 恵", "reading": "いとう めぐみ", "title": "課長", "memo": "DXの話"},
        **HTMX,
        **JA,
    )
    assert response.status_code == 200
    assert Person.objects.count() == 1
    assert not Meeting.objects.filter(event=event).exists()
    assert 'value="課長"' in response.text and 'value="DXの話"' in response.text  # what was typed comes back
    assert "capture-matches--guard" in response.text
    assert existing_url(event, known) in response.text
    assert 'name="duplicate" value="new"' in response.text
    assert "別の人：新しく登録" in response.text
    assert "同じ人：面会を記録" in response.text


def test_choosing_a_different_person_saves_the_row_as_new(auth_client, user):
    event = make_event(owner=user)
    make_person(owner=user, family_name="伊藤", given_name="恵", family_reading="いとう", given_reading="めぐみ")
    response = auth_client.post(
        row_url(event), {"name": "伊藤 恵", "reading": "いとう めぐみ", "duplicate": "new"}, **HTMX
    )
    assert response.status_code == 200
    assert Person.objects.filter(family_name="伊藤").count() == 2


def test_the_guard_holds_without_javascript_too(client, user):
    client.force_login(user)
    event = make_event(owner=user)
    make_person(owner=user)
    response = client.post(row_url(event), {"name": "山田 太郎", "reading": "やまだ たろう"})
    assert response.status_code == 409
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    "row",
    [
        {"name": "花子 別人", "email": "ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｊｐ"},
        {"name": "山田 太郎", "company": "ABC商事"},
        {"name": "山田 太郎"},  # nothing else typed: nothing tells them apart
    ],
    ids=["same-email", "same-name-and-company", "only-the-name"],
)
def test_strong_matches_hold_the_row(auth_client, user, row):
    event = make_event(owner=user)
    known = make_person(owner=user, family_reading="", given_reading="", company="ABC商事")
    ContactPoint.objects.create(
        person=known, kind=ContactPointKind.EMAIL, value="taro@example.jp", normalized="taro@example.jp"
    )
    response = auth_client.post(row_url(event), row, **HTMX)
    assert "capture-matches--guard" in response.text
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    "row",
    [
        {"name": "鈴木 花子", "company": "ABC商事"},  # a colleague
        {"name": "山田 太郎", "reading": "やまだ たろう", "company": "XYZ"},  # known has no reading
    ],
    ids=["colleague", "same-name-other-company"],
)
def test_weak_matches_do_not_hold_the_row(auth_client, user, row):
    event = make_event(owner=user)
    make_person(owner=user, family_reading="", given_reading="", company="ABC商事")
    auth_client.post(row_url(event), row, **HTMX)
    assert Person.objects.count() == 2


def test_the_guard_leaves_other_owners_people_alone(auth_client, user, other_user):
    event = make_event(owner=user)
    make_person(owner=other_user)
    auth_client.post(row_url(event), {"name": "山田 太郎", "reading": "やまだ たろう"}, **HTMX)
    assert Person.objects.filter(owner=user).count() == 1


# --- Choosing the known person keeps what is new ----------------------------------


def test_choosing_the_known_person_keeps_the_new_title_email_phone_and_memo(auth_client, user):
    event = make_event(owner=user, date=datetime.date(2026, 11, 20))
    ikeda = make_person(
        owner=user,
        family_name="池田",
        given_name="拓也",
        family_reading="いけだ",
        given_reading="たくや",
        company="株式会社ネクストメディア",
        department="制作部",
        title="デザイナー",
    )
    ContactPoint.objects.create(
        person=ikeda, kind=ContactPointKind.EMAIL, value="old@example.jp", normalized="old@example.jp"
    )
    response = auth_client.post(
        existing_url(event, ikeda),
        {
            "name": "池田 拓也",
            "reading": "いけだ たくや",
            "company": "株式会社ネクストメディア",
            "title": "部長",
            "email": "ｉｋｅｄａ＠ｎｅｗ．ｊｐ",
            "phone": "０９０－１１１１－２２２２",
            "memo": "部長に昇進したそうだ",
        },
        **HTMX,
        **JA,
    )
    assert response.status_code == 200
    ikeda.refresh_from_db()
    assert ikeda.title == "部長"
    assert ikeda.department == "制作部"
    points = set(ikeda.contact_points.values_list("kind", "normalized"))
    assert points == {("email", "old@example.jp"), ("email", "ikeda@new.jp"), ("mobile", "+819011112222")}
    assert Meeting.objects.get(event=event).summary == "部長に昇進したそうだ"
    change = CareerChange.objects.get(person=ikeda)
    assert (change.old_company, change.old_department, change.old_title) == (
        "株式会社ネクストメディア",
        "制作部",
        "デザイナー",
    )
    assert change.new_title == "部長"
    assert change.changed_on == event.date
    assert change.source == "capture"


def test_a_new_company_is_applied_and_the_old_one_stays_searchable(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user, company="旧商事", department="営業部", title="課長")
    auth_client.post(existing_url(event, known), {"company": "新興業"}, **HTMX)
    known.refresh_from_db()
    assert (known.company, known.department, known.title) == ("新興業", "", "課長")
    assert CareerChange.objects.get(person=known).old_department == "営業部"
    assert list(Person.objects.filter(owner=user).search("旧商事")) == [known]


def test_empty_fields_are_filled_without_a_career_change(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user, family_reading="", given_reading="")
    auth_client.post(
        existing_url(event, known), {"reading": "やまだ たろう", "company": "ABC商事", "title": "部長"}, **HTMX
    )
    known.refresh_from_db()
    assert (known.reading, known.company, known.title) == ("やまだ たろう", "ABC商事", "部長")
    assert not CareerChange.objects.exists()


def test_a_known_persons_row_with_a_bad_email_is_refused_and_nothing_saved(auth_client, user):
    event = make_event(owner=user)
    known = make_person(owner=user)
    response = auth_client.post(existing_url(event, known), {"title": "部長", "email": "not-an-address"}, **HTMX)
    assert "field__error" in response.text
    known.refresh_from_db()
    assert known.title == ""
    assert not Meeting.objects.exists()


# --- The row's e-mail and phone ----------------------------------------------------


def test_a_full_width_email_and_phone_are_saved_normalised(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.post(
        row_url(event),
        {"name": "高橋 花子", "email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ", "phone": "０９０（１２３４）５６７８"},
        **HTMX,
    )
    assert response.status_code == 200
    person = Person.objects.get()
    assert set(person.contact_points.values_list("kind", "value", "normalized")) == {
        ("email", "hanako@example.jp", "hanako@example.jp"),
        ("mobile", "090-1234-5678", "+819012345678"),
    }


def test_a_landline_in_the_row_is_kept_as_a_phone(auth_client, user):
    event = make_event(owner=user)
    auth_client.post(row_url(event), {"name": "高橋 花子", "phone": "03-1234-5678"}, **HTMX)
    assert Person.objects.get().contact_points.get().kind == ContactPointKind.PHONE


def test_a_phone_that_is_not_a_number_is_refused_with_the_row_kept(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.post(row_url(event), {"name": "高橋 花子", "phone": "abc"}, **HTMX)
    assert "field__error" in response.text and 'value="abc"' in response.text
    assert not Person.objects.exists()


def test_the_person_form_accepts_full_width_email_and_website(auth_client, user):
    from tests.contacts.test_career import edit

    person = make_person(owner=user)
    response = edit(
        auth_client,
        person,
        emails="ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        website="ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｊｐ／",
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.website == "https://example.jp/"
    assert person.contact_points.get().value == "hanako@example.jp"


def test_suggestions_and_the_guarded_save_run_a_fixed_number_of_queries(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = make_event(owner=user)
    query = {"name": "山田 太郎", "reading": "やまだ たろう", "company": "ABC商事", "email": "x@example.jp"}

    def counts():
        with CaptureQueriesContext(connection) as suggestions:
            auth_client.get(matches_url(event), query, **HTMX)
        with CaptureQueriesContext(connection) as held:
            auth_client.post(row_url(event), {"name": "山田 太郎", "reading": "やまだ たろう"}, **HTMX)
        return len(suggestions), len(held)

    make_person(owner=user, company="ABC商事")
    few = counts()
    for n in range(30):
        make_person(owner=user, given_name=f"太郎{n}", company="ABC商事")
        make_person(owner=user, company="ABC商事", family_reading="", given_reading="")
    assert counts() == few
