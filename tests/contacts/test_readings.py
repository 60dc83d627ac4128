"""Readings guessed from the name dictionary: marked, used for sorting and search, accepted or corrected in one tap."""

import pytest
from django.urls import reverse

from contacts import readings
from contacts.models import Person
from tests.factories import make_event, make_person

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    ("family", "given", "expected"),
    [
        ("池田", "拓也", ("いけだ", "たくや")),
        ("池田", "学", ("いけだ", "まなぶ")),  # read as a person's name, not がく
        ("佐藤", "", ("さとう", "")),
        ("", "さくら", ("", "さくら")),
        ("Smith", "John", None),
        ("山田", "John", None),
    ],
)
def test_a_japanese_name_gets_a_guess_and_a_western_one_none(family, given, expected):
    assert readings.guess(family, given) == expected


def test_a_row_saved_without_a_reading_gets_a_guess_marked_as_such(auth_client, user):
    event = make_event(owner=user)
    auth_client.post(reverse("contacts:capture_row", args=[event.pk]), {"name": "池田 拓也"}, **HTMX)
    person = Person.objects.get()
    assert (person.family_reading, person.given_reading, person.reading_inferred) == ("いけだ", "たくや", True)
    assert person.sort_key == "いけだたくや"
    assert list(Person.objects.search("ikeda")) == [person]


def test_a_typed_reading_is_never_replaced_by_a_guess(user):
    person = make_person(owner=user, family_name="角田", given_name="", family_reading="かくた", given_reading="")
    assert (person.family_reading, person.reading_inferred) == ("かくた", False)


def test_the_person_page_marks_the_guess_and_one_tap_accepts_it(auth_client, user):
    person = make_person(owner=user, family_name="池田", given_name="拓也", family_reading="", given_reading="")
    page = auth_client.get(person.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "推定" in page and reverse("contacts:person_reading", args=[person.pk]) in page
    response = auth_client.post(reverse("contacts:person_reading", args=[person.pk]), {"action": "accept"}, **HTMX)
    assert response.status_code == 200 and "reading-guess--done" in response.text
    person.refresh_from_db()
    assert (person.reading, person.reading_inferred) == ("いけだ たくや", False)


def test_correcting_the_guess_saves_the_new_reading_for_sorting_and_search(auth_client, user):
    person = make_person(owner=user, family_name="菅", given_name="", family_reading="", given_reading="")
    assert person.reading_inferred
    response = auth_client.post(
        reverse("contacts:person_reading", args=[person.pk]),
        {"action": "correct", "family_reading": "すが", "given_reading": ""},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.family_reading, person.reading_inferred, person.sort_key) == ("すが", False, "すが")
    assert list(Person.objects.search("suga")) == [person]


def test_an_empty_correction_is_refused_and_changes_nothing(auth_client, user):
    person = make_person(owner=user, family_name="菅", given_name="", family_reading="", given_reading="")
    auth_client.post(reverse("contacts:person_reading", args=[person.pk]), {"action": "correct"})
    person.refresh_from_db()
    assert person.reading_inferred and person.family_reading == "かん"


def test_editing_the_person_with_the_guess_unchanged_keeps_it_a_guess(auth_client, user):
    person = make_person(owner=user, family_name="池田", given_name="拓也", family_reading="", given_reading="")
    form = auth_client.get(reverse("contacts:person_edit", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="ja")
    assert "名前の辞書から推定した読みです" in form.content.decode()
    data = {
        "family_name": "池田",
        "given_name": "拓也",
        "family_reading": "いけだ",
        "given_reading": "たくや",
        "tier": "acquaintance",
        "i_want_to_meet_again": "unknown",
        "they_want_to_meet_again": "unknown",
        "version": person.version,
    }
    auth_client.post(reverse("contacts:person_edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.reading_inferred
    auth_client.post(
        reverse("contacts:person_edit", args=[person.pk]),
        data | {"given_reading": "たくなり", "version": person.version},
    )
    person.refresh_from_db()
    assert (person.given_reading, person.reading_inferred) == ("たくなり", False)


def test_another_users_reading_cannot_be_touched(auth_client, other_user):
    theirs = make_person(owner=other_user, family_name="池田", given_name="拓也", family_reading="", given_reading="")
    response = auth_client.post(reverse("contacts:person_reading", args=[theirs.pk]), {"action": "accept"})
    assert response.status_code == 404


def test_guesses_from_several_threads_at_once_never_fail():
    """A SudachiPy tokenizer refuses concurrent use: each thread gets its own."""
    import threading

    from contacts import readings

    errors, results = [], []

    def guess_many():
        try:
            results.extend(readings.guess("池田", "拓也") for _ in range(200))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=guess_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert set(results) == {("いけだ", "たくや")}
