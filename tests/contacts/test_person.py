"""The person page: card, timeline, introductions; create, edit, end, merge, delete."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.models import ContactPoint, Meeting, Person, Status, Tag
from tests.factories import make_event, make_field, make_meeting, make_person, make_tag

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def detail_url(person):
    return reverse("contacts:person_detail", args=[person.pk])


def introductions_url(person):
    return reverse("contacts:person_introductions", args=[person.pk])


def edit_url(person):
    return reverse("contacts:person_edit", args=[person.pk])


def person_post(**overrides):
    """A complete, valid PersonForm body."""
    return {
        "family_name": "山田",
        "given_name": "太郎",
        "family_reading": "やまだ",
        "given_reading": "たろう",
        "tier": "acquaintance",
        "i_want_to_meet_again": "unknown",
        "they_want_to_meet_again": "unknown",
    } | overrides


def edit_post(person, **overrides):
    return person_post(version=person.version, **overrides)


# The page


def test_person_page_shows_the_card(auth_client, user):
    it = make_field(owner=user, name="IT")
    event = make_event(owner=user, name="渋谷 異業種交流会")
    person = make_person(
        owner=user,
        company="株式会社サンプル",
        department="営業部",
        title="部長",
        address="東京都渋谷区1-2-3",
        website="https://example.com/yamada",
        x_handle="@yamada_taro",
        line="yamada-line",
        what_they_do="SaaS の営業",
        what_they_want="税理士を探している",
        stage="growing",
        tier="network",
        birthday=datetime.date(1985, 4, 1),
        first_met_on=datetime.date(2026, 11, 20),
        first_met_event=event,
        notes="週末はサーフィン",
        fields=[it],
        tags=[make_tag(owner=user, name="ゴルフ")],
    )
    services.set_contact_points(
        person=person,
        points=[("email", "taro@example.com", "taro@example.com"), ("mobile", "090-1234-5678", "+819012345678")],
    )
    html = auth_client.get(detail_url(person)).content.decode()
    for text in [
        "山田 太郎",
        "やまだ たろう",
        "株式会社サンプル",
        "営業部",
        "部長",
        "東京都渋谷区1-2-3",
        'href="mailto:taro@example.com"',
        'href="tel:+819012345678"',
        'href="https://example.com/yamada"',
        'href="https://x.com/yamada_taro"',
        "yamada-line",
        "1985-04-01",
        "2026-11-20",
        f'href="{event.get_absolute_url()}"',
        "SaaS の営業",
        "税理士を探している",
        "IT",
        "ゴルフ",
        "週末はサーフィン",
    ]:
        assert text in html, text


def test_both_wanting_to_meet_again_is_marked_as_mutual_interest(auth_client, user):
    mutual = make_person(owner=user, i_want_to_meet_again="yes", they_want_to_meet_again="yes")
    one_sided = make_person(owner=user, family_name="佐藤", i_want_to_meet_again="yes", they_want_to_meet_again="no")
    assert b"chip--mutual" in auth_client.get(detail_url(mutual)).content
    assert b"chip--mutual" not in auth_client.get(detail_url(one_sided)).content


def test_western_name_shows_given_name_first(auth_client, user):
    person = make_person(owner=user, family_name="Smith", given_name="John", family_reading="", given_reading="")
    assert "<h1" in (html := auth_client.get(detail_url(person)).content.decode())
    assert "John Smith</h1>" in html


def test_a_social_handle_that_is_not_a_web_address_is_not_a_link(auth_client, user):
    person = make_person(owner=user, facebook="javascript:alert(1)", linkedin="https://www.linkedin.com/in/taro")
    html = auth_client.get(detail_url(person)).content.decode()
    assert 'href="javascript:' not in html
    assert 'href="https://www.linkedin.com/in/taro"' in html


def test_another_users_person_page_is_404(auth_client, other_user):
    foreign = make_person(owner=other_user)
    assert auth_client.get(detail_url(foreign)).status_code == 404
    assert auth_client.get(reverse("contacts:person_detail", args=[10**9])).status_code == 404


def test_timeline_shows_the_newest_20_meetings_and_loads_older_ones_with_htmx(auth_client, user):
    person = make_person(owner=user)
    start = datetime.date(2026, 1, 1)
    for day in range(25):
        make_meeting(owner=user, people=[person], date=start + datetime.timedelta(days=day), summary=f"会議{day:02d}")
    response = auth_client.get(detail_url(person))
    shown = [m.summary for m in response.context["page"].object_list]
    assert shown == [f"会議{d:02d}" for d in range(24, 4, -1)]
    assert b'id="timeline-more"' in response.content

    more = auth_client.get(detail_url(person), {"page": 2}, headers=HTMX | {"HX-Target": "timeline-more"})
    html = more.content.decode()
    assert "<html" not in html
    assert "会議04" in html and "会議00" in html and "会議05" not in html
    assert 'id="timeline-more"' not in html  # the last page has no "show more"


def test_timeline_shows_the_other_people_and_the_event_of_a_meeting(auth_client, user):
    person = make_person(owner=user)
    friend = make_person(owner=user, family_name="佐藤", given_name="花子")
    event = make_event(owner=user, name="商工会議所 新年会")
    make_meeting(
        owner=user,
        people=[person, friend],
        event=event,
        next_step="資料を送る",
        next_step_on=datetime.date(2026, 12, 1),
    )
    html = auth_client.get(detail_url(person)).content.decode()
    assert f'href="{friend.get_absolute_url()}"' in html
    assert "商工会議所 新年会" in html
    assert "資料を送る" in html and "2026-12-01" in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_person_page_query_count_does_not_grow_with_meetings(auth_client, user, django_assert_num_queries):
    friend = make_person(owner=user, family_name="佐藤")
    event = make_event(owner=user)
    few = make_person(owner=user, family_name="少")
    many = make_person(owner=user, family_name="多")
    make_meeting(owner=user, people=[few, friend], event=event)
    for day in range(30):
        make_meeting(
            owner=user,
            people=[many, friend],
            event=event,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
        )
    expected = _count_queries(auth_client, detail_url(few))
    # Session and user, the person, the timeline (ids and dates, the page
    # with who else was there), career, and fields, tags and contact details;
    # the introductions load with the other panels.
    assert expected <= 7
    with django_assert_num_queries(expected):
        auth_client.get(detail_url(many))


def test_introducer_chain_goes_upward_and_lists_the_people_they_introduced(auth_client, user):
    root = make_person(owner=user, family_name="一")
    middle = make_person(owner=user, family_name="二", introduced_by=root)
    person = make_person(owner=user, family_name="三", introduced_by=middle)
    child = make_person(owner=user, family_name="四", introduced_by=person)
    response = auth_client.get(introductions_url(person), headers={"HX-Request": "true"})
    assert [p.pk for p in response.context["chain"]] == [middle.pk, root.pk]
    assert [p.pk for p in response.context["introduced"]] == [child.pk]


def test_the_person_page_loads_its_introductions_panel_by_htmx_with_a_plain_link(auth_client, user):
    introducer = make_person(owner=user, family_name="紹介者", company="紹介商事")
    person = make_person(owner=user, family_name="本人", introduced_by=introducer)
    make_person(owner=user, family_name="後輩", introduced_by=person)
    page = auth_client.get(detail_url(person)).content.decode()
    # The first response carries the panel's slot, not its people.
    assert f'hx-get="{introductions_url(person)}"' in page
    assert f'<a href="{introductions_url(person)}">' in page
    assert "紹介者" not in page and "後輩" not in page
    # htmx gets the panel alone; the plain link gets it on a page of its own, under the person's name.
    panel = auth_client.get(introductions_url(person), headers={"HX-Request": "true"}).content.decode()
    assert panel.lstrip().startswith('<section id="introductions"')
    assert "紹介者" in panel and "紹介商事" in panel and "後輩" in panel
    plain = auth_client.get(introductions_url(person)).content.decode()
    assert "<html" in plain and "本人" in plain and "紹介者" in plain and "後輩" in plain


def test_introductions_panel_of_another_users_person_is_404(auth_client, other_user):
    foreign = make_person(owner=other_user, introduced_by=make_person(owner=other_user, family_name="他人"))
    response = auth_client.get(introductions_url(foreign), headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "他人" not in response.content.decode()


def test_introductions_panel_counts_everyone_they_introduced_past_the_shown_ones(auth_client, user):
    from contacts.views.person import INTRODUCED_SHOWN

    person = make_person(owner=user, family_name="顔役")
    Person.objects.bulk_create(
        Person(owner=user, family_name=f"紹介{n}", introduced_by=person) for n in range(INTRODUCED_SHOWN + 2)
    )
    response = auth_client.get(introductions_url(person), headers={"HX-Request": "true"})
    assert len(response.context["introduced"]) == INTRODUCED_SHOWN
    assert response.context["introduced_count"] == INTRODUCED_SHOWN + 2


def test_introducer_chain_stops_after_ten_levels(auth_client, user):
    above = None
    for level in range(15):
        above = make_person(owner=user, family_name=f"紹介{level}", introduced_by=above)
    person = make_person(owner=user, family_name="本人", introduced_by=above)
    assert len(auth_client.get(introductions_url(person)).context["chain"]) == 10


def test_introducer_chain_stops_on_a_cycle(auth_client, user):
    a = make_person(owner=user, family_name="甲")
    b = make_person(owner=user, family_name="乙", introduced_by=a)
    c = make_person(owner=user, family_name="丙", introduced_by=b)
    Person.objects.filter(pk=a.pk).update(introduced_by=c)  # a cycle a → c → b → a
    response = auth_client.get(introductions_url(a))
    assert response.status_code == 200
    assert [p.pk for p in response.context["chain"]] == [c.pk, b.pk]


# Create


def test_creating_a_person_saves_the_card_contact_points_fields_and_tags(auth_client, user):
    it = make_field(owner=user, name="IT")
    response = auth_client.post(
        reverse("contacts:person_create"),
        person_post(
            company="株式会社サンプル",
            emails="taro@example.com",
            phones="０３－１２３４－５６７８\n090-1234-5678",
            tags_text="ゴルフ、朝活",
            fields=[it.pk],
            birthday="1985/04/01",
        ),
    )
    person = Person.objects.get(owner=user)
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert person.company == "株式会社サンプル"
    assert person.birthday == datetime.date(1985, 4, 1)
    assert list(person.fields.all()) == [it]
    assert sorted(t.name for t in person.tags.all()) == ["ゴルフ", "朝活"]
    assert sorted(person.contact_points.values_list("kind", "normalized")) == [
        ("email", "taro@example.com"),
        ("mobile", "+819012345678"),
        ("phone", "+81312345678"),
    ]


def test_missing_name_gets_a_message_and_saves_nothing(auth_client, user):
    response = auth_client.post(reverse("contacts:person_create"), person_post(family_name=" ", given_name=""))
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert not Person.objects.exists()


def test_invalid_phone_gets_a_message_and_saves_nothing(auth_client, user):
    response = auth_client.post(reverse("contacts:person_create"), person_post(phones="12", tags_text="新タグ"))
    assert response.status_code == 200
    assert "phones" in response.context["form"].errors
    assert b"field--error" in response.content
    assert not Person.objects.exists()
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("emails", "not-an-address"),
        ("birthday", "2026-13-45"),
        ("first_met_on", "yesterday"),
        ("website", "not a url"),
        ("notes", "あ" * 10_001),
        ("company", "x" * 201),
        ("tags_text", "t" * 61),
    ],
)
def test_bad_input_gets_a_message_on_the_field_and_saves_nothing(auth_client, user, field, value):
    response = auth_client.post(reverse("contacts:person_create"), person_post(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Person.objects.exists()


def test_errors_are_in_the_users_language(client, user):
    user.language = "ja"
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("contacts:person_create"), person_post(birthday="2026-13-45"), HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert "日付を正しく入力してください" in response.content.decode()


def test_foreign_person_in_introduced_by_is_rejected(auth_client, user, other_user):
    foreign = make_person(owner=other_user)
    response = auth_client.post(reverse("contacts:person_create"), person_post(introduced_by=foreign.pk))
    assert response.status_code == 200
    assert "introduced_by" in response.context["form"].errors
    assert not Person.objects.filter(owner=user).exists()

    mine = make_person(owner=user)
    response = auth_client.post(edit_url(mine), edit_post(mine, introduced_by=foreign.pk, company="変更"))
    assert "introduced_by" in response.context["form"].errors
    mine.refresh_from_db()
    assert mine.introduced_by is None and mine.company == ""


def test_foreign_field_and_first_met_event_are_rejected(auth_client, user, other_user):
    foreign_field = make_field(owner=other_user, name="IT")
    foreign_event = make_event(owner=other_user)
    response = auth_client.post(
        reverse("contacts:person_create"), person_post(fields=[foreign_field.pk], first_met_event=foreign_event.pk)
    )
    errors = response.context["form"].errors
    assert "fields" in errors and "first_met_event" in errors
    assert not Person.objects.filter(owner=user).exists()


def test_introducer_choices_offer_only_own_people_and_search_with_htmx(auth_client, user, other_user):
    make_person(owner=other_user, family_name="佐藤", given_name="他人", family_reading="さとう")
    mine = make_person(
        owner=user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ"
    )
    make_person(owner=user, family_name="鈴木", family_reading="すずき")
    response = auth_client.get(
        reverse("contacts:person_create"),
        {"introducer_q": "サトウ"},
        headers=HTMX | {"HX-Target": "introduced-by-choices"},
    )
    html = response.content.decode()
    assert html.strip().startswith('<span id="introduced-by-choices"')
    assert "佐藤 花子" in html and "他人" not in html and "鈴木" not in html
    assert f'value="{mine.pk}"' in html


# Edit and stale edits


def test_editing_saves_and_bumps_the_version(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(edit_url(person), edit_post(person, company="新会社", tier="network"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.company, person.tier, person.version) == ("新会社", "network", 2)


def test_edit_form_is_filled_with_the_current_values(auth_client, user):
    person = make_person(owner=user, company="株式会社サンプル")
    services.set_contact_points(person=person, points=[("email", "taro@example.com", "taro@example.com")])
    html = auth_client.get(edit_url(person)).content.decode()
    assert 'value="株式会社サンプル"' in html
    assert "taro@example.com" in html
    assert f'name="version" value="{person.version}"' in html


def test_second_save_from_a_stale_tab_is_refused_and_keeps_what_was_typed(auth_client, user):
    person = make_person(owner=user, company="旧社名", title="課長")
    opened_version = person.version
    # Tab A saves first.
    assert auth_client.post(edit_url(person), edit_post(person, company="A社", title="課長")).status_code == 302
    # Tab B, opened on the same version, saves second.
    typed = person_post(version=opened_version, company="B社", title="部長", notes="タブBのメモ")
    response = auth_client.post(edit_url(person), typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="card conflict"' in html
    labels = response.context["form"].fields
    rows = {row.label: (row.current, row.typed) for row in response.context["conflict"]}
    assert rows == {
        labels["company"].label: ("A社", "B社"),
        labels["title"].label: ("課長", "部長"),
        labels["notes"].label: ("", "タブBのメモ"),
    }
    # Nothing of tab B was saved…
    person.refresh_from_db()
    assert (person.company, person.title, person.notes, person.version) == ("A社", "課長", "", 2)
    # …and everything typed is still in the form, now on top of the current version.
    form = response.context["form"]
    assert form["company"].value() == "B社"
    assert form["title"].value() == "部長"
    assert form["notes"].value() == "タブBのメモ"
    assert str(form["version"].value()) == "2"
    assert 'value="B社"' in html and "タブBのメモ" in html


def test_saving_again_after_a_stale_refusal_replaces_the_other_save(auth_client, user):
    person = make_person(owner=user)
    auth_client.post(edit_url(person), edit_post(person, company="A社"))
    refused = auth_client.post(edit_url(person), person_post(version=1, company="B社"))
    again = refused.context["form"].data.dict()
    response = auth_client.post(edit_url(person), again)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.company, person.version) == ("B社", 3)


def test_stale_edit_lists_changed_contact_points_and_tags(auth_client, user):
    person = make_person(owner=user)
    auth_client.post(edit_url(person), edit_post(person, emails="new@example.com", tags_text="ゴルフ"))
    response = auth_client.post(edit_url(person), person_post(version=1, emails="mine@example.com"))
    labels = response.context["form"].fields
    rows = {row.label: (row.current, row.typed) for row in response.context["conflict"]}
    assert rows == {
        labels["emails"].label: ("new@example.com", "mine@example.com"),
        labels["tags_text"].label: ("ゴルフ", ""),
    }


def test_editing_another_users_person_is_404_and_changes_nothing(auth_client, other_user):
    foreign = make_person(owner=other_user)
    assert auth_client.get(edit_url(foreign)).status_code == 404
    assert auth_client.post(edit_url(foreign), edit_post(foreign, company="乗っ取り")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.company == ""


# End and reactivate


def test_ending_a_relationship_keeps_history(auth_client, user):
    person = make_person(owner=user, notes="長い付き合い")
    make_meeting(owner=user, people=[person], summary="最初の打ち合わせ")
    response = auth_client.post(
        reverse("contacts:person_end", args=[person.pk]), {"ended_on": "2026-11-21", "reason": "借金の申し込み"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == Status.ENDED
    assert person.ended_on == datetime.date(2026, 11, 21)
    assert person.ended_reason == "借金の申し込み"
    assert person.meetings.count() == 1 and person.notes == "長い付き合い"
    html = auth_client.get(detail_url(person)).content.decode()
    assert "借金の申し込み" in html and "2026-11-21" in html and "最初の打ち合わせ" in html
    assert reverse("contacts:person_reactivate", args=[person.pk]) in html


def test_end_form_opens_on_get_and_rejects_a_bad_date(auth_client, user):
    person = make_person(owner=user)
    url = reverse("contacts:person_end", args=[person.pk])
    assert auth_client.get(url).context["end_form"] is not None  # opened on the page
    # On the person page the box loads its form when opened (htmx).
    opened = auth_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert opened.lstrip().startswith("<form") and 'name="ended_on"' in opened
    response = auth_client.post(url, {"ended_on": "2026-02-30", "reason": "x" * 501})
    assert response.status_code == 200
    assert set(response.context["end_form"].errors) == {"ended_on", "reason"}
    person.refresh_from_db()
    assert person.status == Status.ACTIVE


def test_reactivating_brings_the_person_back(auth_client, user):
    person = make_person(owner=user)
    services.end_relationship(person=person, on=datetime.date(2026, 1, 1), reason="疎遠")
    assert auth_client.get(reverse("contacts:person_reactivate", args=[person.pk])).status_code == 405
    response = auth_client.post(reverse("contacts:person_reactivate", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.ended_on, person.ended_reason) == (Status.ACTIVE, None, "")


def test_ending_another_users_person_is_404(auth_client, other_user):
    foreign = make_person(owner=other_user)
    response = auth_client.post(reverse("contacts:person_end", args=[foreign.pk]), {"ended_on": "2026-11-21"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.ACTIVE


# Merge


def test_merge_keeps_every_meeting_note_and_link(auth_client, user):
    it = make_field(owner=user, name="IT")
    keep = make_person(owner=user, notes="本物のメモ", company="")
    dup = make_person(
        owner=user, family_name="山田", given_name="太朗", notes="重複側のメモ", company="株式会社サンプル", fields=[it]
    )
    services.set_contact_points(person=dup, points=[("email", "taro@example.com", "taro@example.com")])
    introduced = make_person(owner=user, family_name="紹介先", introduced_by=dup)
    shared = make_meeting(owner=user, people=[keep, dup], summary="二人とも")
    only_dup = make_meeting(owner=user, people=[dup], summary="重複だけ", date=datetime.date(2026, 12, 1))
    make_meeting(owner=user, people=[keep], summary="本物だけ")

    response = auth_client.post(reverse("contacts:person_merge", args=[keep.pk]), {"other": dup.pk})

    assert response.status_code == 302 and response.url == keep.get_absolute_url()
    assert not Person.objects.filter(pk=dup.pk).exists()
    keep.refresh_from_db()
    assert keep.meetings.count() == 3
    assert set(keep.meetings.values_list("pk", flat=True)) >= {shared.pk, only_dup.pk}
    assert "本物のメモ" in keep.notes and "重複側のメモ" in keep.notes
    assert keep.company == "株式会社サンプル"
    assert list(keep.fields.all()) == [it]
    assert keep.contact_points.get().value == "taro@example.com"
    introduced.refresh_from_db()
    assert introduced.introduced_by_id == keep.pk
    assert keep.last_contact_on == datetime.date(2026, 12, 1)


def test_merging_the_person_who_was_introduced_by_the_kept_one_does_not_make_a_self_introduction(auth_client, user):
    keep = make_person(owner=user)
    dup = make_person(owner=user, family_name="重複", introduced_by=keep)
    auth_client.post(reverse("contacts:person_merge", args=[keep.pk]), {"other": dup.pk})
    keep.refresh_from_db()
    assert keep.introduced_by_id is None


def test_merge_rejects_a_foreign_person_and_changes_nothing(auth_client, user, other_user):
    keep = make_person(owner=user)
    foreign = make_person(owner=other_user, notes="他人のメモ")
    make_meeting(owner=other_user, people=[foreign])
    response = auth_client.post(reverse("contacts:person_merge", args=[keep.pk]), {"other": foreign.pk})
    assert response.status_code == 200
    assert "other" in response.context["form"].errors
    assert Person.objects.filter(pk=foreign.pk, owner=other_user).exists()
    assert Meeting.objects.filter(owner=other_user, people=foreign).count() == 1
    keep.refresh_from_db()
    assert keep.notes == "" and keep.version == 1


def test_merge_with_oneself_is_rejected(auth_client, user):
    keep = make_person(owner=user)
    response = auth_client.post(reverse("contacts:person_merge", args=[keep.pk]), {"other": keep.pk})
    assert "other" in response.context["form"].errors
    assert Person.objects.filter(pk=keep.pk).exists()


def test_merge_search_lists_only_own_other_people(auth_client, user, other_user):
    keep = make_person(owner=user)
    dup = make_person(owner=user, family_name="山田", given_name="太朗")
    make_person(owner=other_user, family_name="山田", given_name="他人")
    response = auth_client.get(
        reverse("contacts:person_merge", args=[keep.pk]),
        {"q": "やまだ"},
        headers=HTMX | {"HX-Target": "merge-candidates"},
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="merge-candidates"')
    assert [p.pk for p in response.context["candidates"]] == [dup.pk]
    assert "他人" not in html


# Delete


def test_delete_confirmation_says_what_will_go(auth_client, user):
    person = make_person(owner=user)
    friend = make_person(owner=user, family_name="佐藤")
    make_person(owner=user, family_name="紹介先", introduced_by=person)
    make_meeting(owner=user, people=[person])
    make_meeting(owner=user, people=[person])
    make_meeting(owner=user, people=[person, friend])
    services.set_contact_points(person=person, points=[("email", "taro@example.com", "taro@example.com")])
    response = auth_client.get(reverse("contacts:person_delete", args=[person.pk]))
    ctx = response.context
    assert (ctx["meeting_count"], ctx["solo_meeting_count"], ctx["shared_meeting_count"]) == (3, 2, 1)
    assert (ctx["introduced_count"], ctx["contact_count"]) == (1, 1)
    assert Person.objects.filter(pk=person.pk).exists()


def test_deleting_removes_the_person_and_their_own_meetings_but_keeps_shared_ones(auth_client, user):
    person = make_person(owner=user)
    friend = make_person(owner=user, family_name="佐藤")
    solo = make_meeting(owner=user, people=[person])
    shared = make_meeting(owner=user, people=[person, friend])
    response = auth_client.post(reverse("contacts:person_delete", args=[person.pk]))
    assert response.status_code == 302 and response.url == reverse("contacts:person_list")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not ContactPoint.objects.filter(person_id=person.pk).exists()
    assert not Meeting.objects.filter(pk=solo.pk).exists()
    assert list(Meeting.objects.get(pk=shared.pk).people.all()) == [friend]


def test_deleting_with_htmx_redirects_the_client_to_the_people_list(auth_client, user):
    person = make_person(owner=user)
    response = auth_client.post(reverse("contacts:person_delete", args=[person.pk]), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("contacts:person_list")
    assert not Person.objects.filter(pk=person.pk).exists()


def test_deleting_another_users_person_is_404(auth_client, other_user):
    foreign = make_person(owner=other_user)
    assert auth_client.post(reverse("contacts:person_delete", args=[foreign.pk])).status_code == 404
    assert Person.objects.filter(pk=foreign.pk).exists()


def test_introducer_chain_costs_the_same_queries_at_any_depth(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    near = make_person(owner=user, family_name="近", introduced_by=make_person(owner=user, family_name="紹介"))
    above = None
    for level in range(12):
        above = make_person(owner=user, family_name=f"紹介{level}", introduced_by=above)
    far = make_person(owner=user, family_name="遠", introduced_by=above)
    counts = []
    for person in (near, far):
        with CaptureQueriesContext(connection) as queries:
            response = auth_client.get(introductions_url(person))
        counts.append(len(queries))
    assert len(response.context["chain"]) == 10
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("asked", "shown"), [(None, 1), ("2", 2), ("99", 2), ("0", 2), ("abc", 1), ("2.0", 1), ("9" * 40, 2)]
)
def test_timeline_pages_show_the_meetings_of_the_page_django_pages_to(auth_client, user, asked, shown):
    person = make_person(owner=user)
    meetings = [
        make_meeting(owner=user, people=[person], date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i))
        for i in range(25)
    ]
    newest_first = [m.pk for m in reversed(meetings)]
    response = auth_client.get(detail_url(person), {"page": asked} if asked else {})
    page = response.context["page"]
    assert page.number == shown
    expected = newest_first[:20] if shown == 1 else newest_first[20:]
    assert [m.pk for m in page.object_list] == expected
