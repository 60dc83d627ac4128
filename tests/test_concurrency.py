"""Two clients editing the same person at once, hundreds of saves: stale saves are refused, none is lost.

Each client reads the person (its version and notes), then saves the notes
with one more line of its own. A save made on an old version must be refused;
then every accepted line is in the final notes, in the order accepted, and
the version counts exactly the accepted saves.
"""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from contacts.models import Person
from tests.factories import make_person, make_user

ROUNDS = 50


def _edit(client: Client, pk: int, name: str, round_: int, accepted: list, refused: list, errors: list):
    url = reverse("contacts:person_edit", args=[pk])
    page = client.get(url).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    notes = re.search(r'<textarea name="notes"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)
    line = f"{name}{round_}"
    body = {
        "family_name": "山田",
        "given_name": "太郎",
        "tier": "acquaintance",
        "i_want_to_meet_again": "unknown",
        "they_want_to_meet_again": "unknown",
        "version": version,
        "notes": (notes + "\n" + line).strip(),
    }
    response = client.post(url, body)
    if response.status_code == 302:
        accepted.append((int(version), line))
    elif response.status_code == 200 and 'name="version"' in response.text:
        refused.append(line)
    else:
        errors.append((line, response.status_code))


@pytest.mark.django_db(transaction=True)
def test_interleaved_saves_from_two_clients_lose_no_update():
    owner = make_user(username="owner")
    person = make_person(owner=owner, family_name="山田", given_name="太郎")
    accepted, refused, errors = [], [], []
    barrier = threading.Barrier(2)

    def client_loop(name):
        client = Client()
        client.force_login(owner)
        try:
            for i in range(ROUNDS):
                barrier.wait(timeout=30)  # both read, then both save: as interleaved as it gets
                _edit(client, person.pk, name, i, accepted, refused, errors)
        finally:
            connection.close()

    threads = [threading.Thread(target=client_loop, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(accepted) + len(refused) == 2 * ROUNDS
    assert refused, "two clients saving the same version at once: one of them must be refused"
    person = Person.objects.get(pk=person.pk)
    assert person.version == 1 + len(accepted)
    # Every accepted save was made on the version before it: the chain has no gap and no fork.
    assert sorted(version for version, _ in accepted) == list(range(1, 1 + len(accepted)))
    in_order = [line for _, line in sorted(accepted)]
    assert person.notes.split("\n") == in_order
    assert not set(refused) & set(person.notes.split("\n"))
