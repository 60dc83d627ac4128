import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Status
from tests.factories import make_event, make_field, make_meeting, make_person, make_tag

pytestmark = pytest.mark.django_db

URL = reverse("contacts:person_list")


def names(response):
    return [p.display_name for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query",
    ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田", "yamada", "YAMADA", "ｙａｍａｄａ", "山田太郎", "やまだ たろう", "taro"],
)
def test_search_finds_yamada_in_every_script_and_width(auth_client, user, query):
    make_person(owner=user)  # 山田 太郎, reading やまだ たろう
    make_person(owner=user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ")
    response = auth_client.get(URL, {"q": query})
    assert names(response) == ["山田 太郎"]


@pytest.mark.parametrize("query", ["sato", "satou", "satō", "さとう", "サトウ"])
def test_romaji_long_vowels_are_folded(auth_client, user, query):
    make_person(owner=user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ")
    assert names(auth_client.get(URL, {"q": query})) == ["佐藤 花子"]


def test_one_character_queries_work(auth_client, user):
    make_person(owner=user)
    make_person(owner=user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ")
    assert names(auth_client.get(URL, {"q": "山"})) == ["山田 太郎"]
    assert names(auth_client.get(URL, {"q": "花"})) == ["佐藤 花子"]


def test_search_covers_company_department_notes_fields_tags_and_events(auth_client, user):
    it = make_field(owner=user, name="IT")
    golf = make_tag(owner=user, name="ゴルフ")
    person = make_person(
        owner=user, company="株式会社サンプル", department="営業部", notes="週末はサーフィン", fields=[it], tags=[golf]
    )
    event = make_event(owner=user, name="渋谷朝活")
    make_meeting(owner=user, people=[person], event=event)
    make_person(owner=user, family_name="Other", given_name="Person", family_reading="", given_reading="")
    for query in ["サンプル", "さんぷる", "営業", "サーフィン", "it", "ごるふ", "朝活"]:
        assert names(auth_client.get(URL, {"q": query})) == ["山田 太郎"], query


def test_every_term_must_match(auth_client, user):
    make_person(owner=user, company="Acme")
    make_person(owner=user, family_name="山田", given_name="花子", given_reading="はなこ", company="Beta")
    assert names(auth_client.get(URL, {"q": "山田 acme"})) == ["山田 太郎"]


def test_western_names_display_given_name_first_and_are_found(auth_client, user):
    make_person(owner=user, family_name="Smith", given_name="John", family_reading="", given_reading="")
    assert names(auth_client.get(URL, {"q": "john smith"})) == ["John Smith"]
    assert names(auth_client.get(URL, {"q": "JOHN"})) == ["John Smith"]


def test_latin_names_sort_after_kana_and_unread_kanji_last(auth_client, user):
    make_person(owner=user, family_name="Smith", given_name="John", family_reading="", given_reading="")
    make_person(owner=user, family_name="𠮷野", given_name="", family_reading="", given_reading="")
    make_person(owner=user, family_name="阿部", given_name="", family_reading="あべ", given_reading="")
    # A name the dictionary can read sorts by the guessed reading (わたなべ) until corrected.
    make_person(owner=user, family_name="渡辺", given_name="", family_reading="", given_reading="")
    assert names(auth_client.get(URL)) == ["阿部", "渡辺", "John Smith", "𠮷野"]


def test_default_sort_is_gojuon_by_reading(auth_client, user):
    for family, reading in [("渡辺", "わたなべ"), ("阿部", "あべ"), ("加藤", "かとう"), ("佐藤", "サトウ")]:
        make_person(owner=user, family_name=family, given_name="", family_reading=reading, given_reading="")
    assert names(auth_client.get(URL)) == ["阿部", "加藤", "佐藤", "渡辺"]


def test_sort_by_last_contact_puts_recent_first_and_never_met_last(auth_client, user):
    import datetime

    old = make_person(owner=user, family_name="古", family_reading="ふる")
    new = make_person(owner=user, family_name="新", family_reading="しん")
    make_person(owner=user, family_name="未", family_reading="み")
    make_meeting(owner=user, people=[old], date=datetime.date(2025, 1, 1))
    make_meeting(owner=user, people=[new], date=datetime.date(2026, 11, 1))
    assert [n.split()[0] for n in names(auth_client.get(URL, {"sort": "last_contact"}))] == ["新", "古", "未"]


def test_filters_by_field_tier_tag_stage_event_status_and_wish(auth_client, user):
    it = make_field(owner=user, name="IT")
    tag = make_tag(owner=user, name="golf")
    event = make_event(owner=user)
    match = make_person(
        owner=user, tier="network", stage="starting", i_want_to_meet_again="yes", fields=[it], tags=[tag]
    )
    make_meeting(owner=user, people=[match], event=event)
    make_person(owner=user, family_name="他", family_reading="ほか")
    params = {"field": it.pk, "tier": "network", "tag": tag.pk, "stage": "starting", "event": event.pk, "want": "yes"}
    for key, value in params.items():
        assert names(auth_client.get(URL, {key: value})) == ["山田 太郎"], key


def test_ended_people_are_hidden_unless_asked_for(auth_client, user):
    person = make_person(owner=user)
    services.end_relationship(person=person, on=person.created_at.date(), reason="moved away")
    assert names(auth_client.get(URL)) == []
    assert names(auth_client.get(URL, {"status": Status.ENDED})) == ["山田 太郎"]
    assert names(auth_client.get(URL, {"status": "all"})) == ["山田 太郎"]


def test_another_users_people_never_appear(auth_client, user, other_user):
    make_person(owner=other_user, family_name="秘密", family_reading="ひみつ")
    response = auth_client.get(URL, {"q": "秘密"})
    assert names(response) == []
    assert "秘密" not in response.text.split('id="people-results"')[1]


def test_another_users_field_in_the_query_string_is_ignored_with_a_message(auth_client, user, other_user):
    make_person(owner=user)
    foreign = make_field(owner=other_user, name="Secret")
    response = auth_client.get(URL, {"field": foreign.pk})
    assert response.status_code == 200
    assert names(response) == ["山田 太郎"]
    assert "field" in response.context["invalid_filters"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"sort": "password"},
        {"field": "x"},
        {"q": "x" * 500},
        {"tier": "boss"},
    ],
)
def test_bad_query_strings_never_fail(auth_client, user, params):
    make_person(owner=user)
    assert auth_client.get(URL, params).status_code == 200


def test_htmx_request_returns_only_the_results_fragment(auth_client, user):
    make_person(owner=user)
    response = auth_client.get(URL, {"q": "yamada"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results")
    assert response.text.lstrip().startswith('<section id="people-results"')
    assert "<html" not in response.text


def test_pagination_keeps_the_query(auth_client, user):
    for i in range(55):
        make_person(
            owner=user, family_name=f"山田{i:02d}", given_name="", family_reading=f"やまだ{i:02d}", given_reading=""
        )
    response = auth_client.get(URL, {"q": "やまだ"})
    assert response.context["page"].paginator.count == 55
    assert "q=%E3%82%84%E3%81%BE%E3%81%A0&amp;page=2" in response.text
    assert len(names(auth_client.get(URL, {"q": "やまだ", "page": 2}))) == 5


def _many_yamadas(user, count):
    for i in range(count):
        make_person(
            owner=user, family_name=f"山田{i:02d}", given_name="", family_reading=f"やまだ{i:02d}", given_reading=""
        )


@pytest.mark.parametrize("search", [{}, {"q": "やまだ"}], ids=["list", "search"])
def test_past_the_count_limit_the_list_says_more_than_and_pages_without_a_total(auth_client, user, monkeypatch, search):
    from contacts.views import people

    monkeypatch.setattr(people, "COUNT_LIMIT", 60)
    monkeypatch.setattr(people, "PAGE_SIZE", 25)
    _many_yamadas(user, 61)
    first = auth_client.get(URL, search, HTTP_ACCEPT_LANGUAGE="en")
    assert first.context["page"].paginator.count_capped
    assert "More than 60 people" in first.text
    assert "Page 1</span>" in first.text and "Page 1 of" not in first.text
    assert "page=2" in first.text
    third = auth_client.get(URL, search | {"page": 3}, HTTP_ACCEPT_LANGUAGE="en")
    assert names(third) == [f"山田{i}" for i in range(50, 61)]
    assert "page=4" not in third.text and "page=2" in third.text
    # A page past the end shows the last one, as below the limit.
    assert names(auth_client.get(URL, search | {"page": 9})) == names(third)


def test_past_the_count_limit_nothing_counts_every_row(auth_client, user, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.views import people

    monkeypatch.setattr(people, "COUNT_LIMIT", 3)
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    _many_yamadas(user, 5)
    for params in ({}, {"page": "x"}, {"page": 2}, {"q": "やまだ"}):
        with CaptureQueriesContext(connection) as queries:
            auth_client.get(URL, params)
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        assert all("LIMIT 4" in sql for sql in counts), (params, counts)


def test_at_the_count_limit_the_count_is_exact(auth_client, user, monkeypatch):
    from contacts.views import people

    monkeypatch.setattr(people, "COUNT_LIMIT", 60)
    _many_yamadas(user, 60)
    response = auth_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert not response.context["page"].paginator.count_capped
    assert "60 people" in response.text and "More than" not in response.text
    assert "Page 1 of 2" in response.text


def test_past_the_count_limit_the_count_is_in_japanese_too(auth_client, user, monkeypatch):
    from contacts.views import people

    monkeypatch.setattr(people, "COUNT_LIMIT", 2)
    _many_yamadas(user, 3)
    response = auth_client.get(URL, HTTP_ACCEPT_LANGUAGE="ja")
    assert "2人以上" in response.text


def test_query_count_does_not_grow_with_people(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    it = make_field(owner=user, name="IT")
    make_person(owner=user, fields=[it])
    auth_client.get(URL)
    with CaptureQueriesContext(connection) as small:
        auth_client.get(URL, {"q": "やまだ"})
    for i in range(30):
        make_person(owner=user, family_name=f"山田{i}", fields=[it])
    with CaptureQueriesContext(connection) as large:
        auth_client.get(URL, {"q": "やまだ"})
    assert len(large) == len(small) <= 5


def test_the_closed_filter_panel_is_not_rendered_until_opened(auth_client, user):
    make_field(owner=user, name="IT")
    make_event(owner=user, name="異業種交流会")
    response = auth_client.get(URL)
    assert 'name="field"' not in response.text
    assert "異業種交流会" not in response.text
    assert 'hx-get="/people/filters/?' in response.text
    assert 'href="?filters=1"' in response.text  # without JavaScript, a link shows the panel


def test_the_filter_panel_loads_with_the_users_choices_only(auth_client, user, other_user):
    make_field(owner=user, name="IT")
    make_event(owner=user, name="異業種交流会")
    make_field(owner=other_user, name="Secret")
    make_event(owner=other_user, name="秘密の会")
    response = auth_client.get(reverse("contacts:person_filters"), {"tier": "network"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="people-filters__grid" id="people-filters">')
    assert 'name="field"' in response.text and "IT" in response.text and "異業種交流会" in response.text
    assert '<option value="network" selected>' in response.text
    assert "Secret" not in response.text and "秘密の会" not in response.text


@pytest.mark.parametrize("params", [{"filters": "1"}, {"tier": "network"}])
def test_the_panel_is_rendered_open_when_asked_for_or_a_filter_is_in_use(auth_client, user, params):
    make_field(owner=user, name="IT")
    response = auth_client.get(URL, params)
    assert 'name="field"' in response.text
    assert '<details class="people-filters__more" open' in response.text


def test_the_filter_panel_runs_a_fixed_number_of_queries(auth_client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_field(owner=user, name="IT")
    url = reverse("contacts:person_filters")
    with CaptureQueriesContext(connection) as small:
        auth_client.get(url)
    for i in range(20):
        make_field(owner=user, name=f"F{i}")
        make_event(owner=user, name=f"E{i}")
    with CaptureQueriesContext(connection) as large:
        auth_client.get(url)
    assert len(large) == len(small)


def test_the_filter_panel_needs_signing_in(client):
    response = client.get(reverse("contacts:person_filters"))
    assert response.status_code == 302


@pytest.mark.parametrize("query", ["山田", "山", "やまだ"])
def test_search_works_inside_a_sub_query_on_the_same_table(user, query):
    """The short-term index condition must name the sub-query's own alias, not the outer table."""
    from contacts.models import Person

    yamada = make_person(owner=user)
    sato = make_person(
        owner=user, family_name="佐藤", given_name="花子", family_reading="さとう", given_reading="はなこ"
    )
    sato.introduced_by = yamada
    sato.save(update_fields=["introduced_by"])
    introduced_by_a_match = Person.objects.filter(
        owner=user, introduced_by__in=Person.objects.filter(owner=user).search(query)
    )
    assert list(introduced_by_a_match) == [sato]
    assert (
        list(Person.objects.filter(owner=user, introduced_by__in=Person.objects.filter(owner=user).search("佐藤")))
        == []
    )


@pytest.mark.parametrize(("language", "said"), [("en", "1,234 people"), ("ja", "1,234人")])
def test_the_people_count_is_written_with_thousands_separators(auth_client, user, language, said):
    from contacts.models import Person

    Person.objects.bulk_create(Person(owner=user, family_name=f"人{i}") for i in range(1234))
    response = auth_client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert f'<p class="muted people-count">{said}</p>' in response.text


def test_the_plain_list_is_the_same_as_the_default_filters(auth_client, user):
    from contacts.models import Status

    for reading, family in (("わたなべ", "渡辺"), ("あべ", "阿部"), ("かとう", "加藤")):
        make_person(owner=user, family_name=family, family_reading=reading)
    make_person(owner=user, family_name="終了", family_reading="しゅうりょう", status=Status.ENDED)
    plain = auth_client.get(URL)
    assert names(plain) == names(auth_client.get(URL, {"status": "active", "sort": "reading", "q": ""}))
    assert names(plain) == ["阿部 太郎", "加藤 太郎", "渡辺 太郎"]
    assert plain.context["form"] is None and plain.context["invalid_filters"] == []


def test_a_search_alone_is_the_same_as_through_the_filter_form(auth_client, user):
    """A search with nothing else in the query string (a page aside) needs no filter form, and finds the same."""
    from contacts.models import Status

    for i in range(55):
        make_person(owner=user, family_name=f"山田{i:02d}", family_reading=f"やまだ{i:02d}")
    make_person(owner=user, family_name="山田", family_reading="やまだ", status=Status.ENDED)
    make_person(owner=user, family_name="佐藤", family_reading="さとう")
    for page in ("1", "2"):
        alone = auth_client.get(URL, {"q": " 山田 ", "page": page})
        with_form = auth_client.get(URL, {"q": " 山田 ", "page": page, "sort": "reading", "status": "active"})
        assert alone.context["form"] is None and with_form.context["form"] is not None
        assert names(alone) == names(with_form) and len(names(alone)) == (50 if page == "1" else 5)
        assert alone.context["page"].paginator.count == 55
        assert 'value=" 山田 "' in alone.text and 'value=" 山田 "' in with_form.text
    # Too long, twice, or beside anything else: the form reads it, and says what it ignored.
    too_long = auth_client.get(URL, {"q": "山" * 101})
    assert too_long.context["form"] is not None and too_long.context["invalid_filters"] == ["q"]
    assert len(names(too_long)) == 50
    twice = auth_client.get(URL + "?q=佐藤&q=山田")
    assert twice.context["form"] is not None and names(twice) == names(auth_client.get(URL, {"q": "山田"}))
    assert auth_client.get(URL, {"q": "佐藤", "filters": "1"}).context["form"] is not None


@pytest.mark.parametrize("term", ["%", "_", "100%", "a_b", "\\"])
def test_wildcards_in_a_search_are_matched_as_written(user, term):
    from contacts.models import Person

    written = make_person(owner=user, family_name="佐藤", company=f"社{term}社")
    make_person(owner=user, family_name="鈴木", company="社x社 100 a-b")
    assert list(Person.objects.filter(owner=user).search(term)) == [written]


def test_sqlite_searches_the_texts_in_the_index_in_reading_order(user):
    """SQLite reads the owner's texts from the covering index (migration 0019), not the rows, and sorts nothing."""
    from django.db import connection

    from contacts.models import Person

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL searches through its trigram and character indexes")
    make_person(owner=user)
    found = Person.objects.filter(owner=user, status=Status.ACTIVE).search("山田").searched_in_reading_order()
    sql, params = found.values_list("pk", flat=True)[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), params)
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX person_search_cover" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
