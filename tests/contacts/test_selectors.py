"""The person page's and the people list's hand-written statements (contacts.selectors)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import selectors
from contacts.models import ContactPoint, Status, Tier, Wish
from tests.factories import make_field, make_person, make_tag


def test_person_rows_keep_the_ids_order_and_each_persons_fields_in_the_fields_order(user):
    later = make_field(owner=user, name="不動産", position=2)
    earlier = make_field(owner=user, name="金融", position=1)
    same_position = make_field(owner=user, name="あ行", position=2)
    busy = make_person(
        owner=user,
        family_name="山田",
        given_name="太郎",
        family_reading="やまだ",
        given_reading="たろう",
        company="山田商事",
        title="部長",
        tier=Tier.NETWORK,
        status=Status.ENDED,
        i_want_to_meet_again=Wish.YES,
        they_want_to_meet_again=Wish.YES,
        last_contact_on=datetime.date(2026, 5, 1),
    )
    busy.fields.set([later, earlier, same_position])
    plain = make_person(owner=user, family_name="Smith", given_name="", family_reading="", given_reading="")
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.person_rows([plain.pk, busy.pk, 10**9])
    assert len(queries) == 1
    assert [row.pk for row in rows] == [plain.pk, busy.pk]
    assert rows[0].fields == [] and rows[0].reading == "" and rows[0].last_contact_on is None
    row = rows[1]
    assert row.fields == ["金融", "あ行", "不動産"]
    assert (row.display_name, row.reading, row.company, row.title) == ("山田 太郎", "やまだ たろう", "山田商事", "部長")
    assert row.is_ended and row.mutual_interest and row.tier == Tier.NETWORK
    assert row.reading_inferred is False
    assert row.last_contact_on == datetime.date(2026, 5, 1)


def test_card_lists_give_fields_tags_and_contact_details_in_their_order_in_one_query(user):
    person = make_person(owner=user)
    person.fields.set([make_field(owner=user, name="医療", position=2), make_field(owner=user, name="IT", position=1)])
    person.tags.set([make_tag(owner=user, name="ゴルフ"), make_tag(owner=user, name="VIP")])
    phone = ContactPoint.objects.create(person=person, kind="phone", value="03-1234-5678", normalized="+81312345678")
    email = ContactPoint.objects.create(person=person, kind="email", value="a@example.jp", normalized="a@example.jp")
    other = make_person(owner=user)
    other.tags.set([make_tag(owner=user, name="他人のタグ")])
    with CaptureQueriesContext(connection) as queries:
        lists = selectors.card_lists(person)
    assert len(queries) == 1
    assert lists.field_names == ["IT", "医療"]
    assert lists.tag_names == ["VIP", "ゴルフ"]
    assert [(p.pk, p.kind, p.value, p.person_id) for p in lists.contact_points] == [
        (email.pk, "email", "a@example.jp", person.pk),
        (phone.pk, "phone", "03-1234-5678", person.pk),
    ]


def test_page_person_is_the_owners_with_the_first_met_events_name(user, other_user):
    from tests.factories import make_event

    event = make_event(owner=user, name="交流会")
    person = make_person(owner=user, family_name="佐藤", first_met_event=event, notes="メモ")
    foreign = make_person(owner=other_user)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.page_person(person.pk, user.pk)
        assert (found.first_met_event.pk, found.first_met_event.name) == (event.pk, "交流会")
    assert len(queries) == 1
    assert (found.pk, found.family_name, found.notes, found.owner_id) == (person.pk, "佐藤", "メモ", user.pk)
    assert selectors.page_person(foreign.pk, user.pk) is None
    assert selectors.page_person(10**9, user.pk) is None
    assert selectors.page_person(make_person(owner=user).pk, user.pk).first_met_event is None
    # Whether there is a career to read (the page skips the query when there is none).
    assert not found.has_career_changes
    from contacts.models import CareerChange

    CareerChange.objects.create(owner=user, person=person, changed_on=datetime.date(2026, 1, 1), old_company="旧社")
    assert selectors.page_person(person.pk, user.pk).has_career_changes


def test_career_changes_are_the_latest_first_and_limited(user):
    from contacts.models import CareerChange

    person = make_person(owner=user)
    for day in (3, 1, 2):
        CareerChange.objects.create(
            owner=user, person=person, changed_on=datetime.date(2026, 1, day), old_company=f"旧{day}"
        )
    CareerChange.objects.create(owner=user, person=make_person(owner=user), changed_on=datetime.date(2026, 1, 9))
    changes = selectors.career_changes(person, 2)
    assert [(c.changed_on.day, c.old_company) for c in changes] == [(3, "旧3"), (2, "旧2")]


def test_person_timeline_reads_the_dates_as_far_as_asked_and_counts_them_all(user):
    from contacts.models import Meeting
    from tests.factories import make_meeting

    person = make_person(owner=user)
    for day in (3, 1, 2, 5, 4):
        make_meeting(owner=user, people=[person], date=datetime.date(2026, 3, day))
    make_meeting(owner=user, people=[make_person(owner=user)], date=datetime.date(2026, 3, 9))  # not theirs
    newest_first = [(m.pk, m.date) for m in Meeting.objects.filter(people=person).order_by("-date", "-pk")]
    with CaptureQueriesContext(connection) as queries:
        dates = selectors.person_timeline(person, 2)
    assert len(queries) == 1
    assert (len(dates), dates.head, dates[0:2]) == (5, newest_first[:2], newest_first[:2])
    assert all(isinstance(day, datetime.date) for _pk, day in dates.head)
    assert selectors.person_timeline(person, 10**30).head == newest_first
    assert len(selectors.person_timeline(make_person(owner=user), 20)) == 0
