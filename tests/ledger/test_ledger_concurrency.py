"""Ledger tallies rebuilt by two transactions at once: no error, and sums that count every entry.

Found by the load test: two ledger overview requests on a new day each
rebuilt every tally; the second one's INSERT collided with the first one's
rows (a 500 on PostgreSQL). Two entries saved for one person at once had the
same race. The second transaction here starts its rebuild while the first
holds its own, uncommitted, as two gunicorn workers would.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ledger import services
from ledger.models import LedgerSettings, LedgerTally
from tests.factories import make_ledger_entry, make_person, make_user

TODAY = datetime.date(2026, 11, 21)


def tallies(owner) -> dict:
    return {row["person_id"]: row for row in LedgerTally.objects.filter(owner=owner).values()}


def one_after_another(first, second) -> list:
    """Run `first` in a transaction held open for a moment, and `second` as soon as `first` is inside it."""
    errors = []
    inside = threading.Event()

    def run_first():
        try:
            with transaction.atomic():
                first()
                inside.set()
                time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            inside.set()
            connection.close()

    def run_second():
        try:
            inside.wait(timeout=10)
            second()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_full_rebuilds_at_once_both_succeed():
    owner = make_user()
    for weight in (1, 2, 3):
        make_ledger_entry(owner=owner, weight=weight)
    LedgerTally.objects.filter(owner=owner).delete()

    def rebuild():
        services.refresh_ledger_tallies(owner.pk, today=TODAY)

    assert one_after_another(rebuild, rebuild) == []
    written = tallies(owner)
    rebuild()
    assert len(written) == 3
    assert written == tallies(owner)


@pytest.mark.django_db(transaction=True)
def test_two_entries_for_one_person_at_once_are_both_in_the_tally():
    owner = make_user()
    person = make_person(owner=owner)
    make_ledger_entry(owner=owner, person=person, weight=1)

    def add(weight):
        return lambda: make_ledger_entry(owner=owner, person=person, weight=weight, date=TODAY)

    assert one_after_another(add(2), add(3)) == []
    written = tallies(owner)
    services.refresh_ledger_tallies(owner.pk, person_ids=[person.pk])
    assert written == tallies(owner)
    assert written[person.pk]["given_all"] > 0


@pytest.mark.django_db
def test_the_overview_rebuild_is_skipped_when_another_request_already_did_it():
    owner = make_user()
    make_ledger_entry(owner=owner)
    LedgerSettings.objects.update_or_create(owner=owner, defaults={"tallied_on": TODAY})
    stale_copy = LedgerSettings(owner=owner, tallied_on=TODAY - datetime.timedelta(days=1))

    with CaptureQueriesContext(connection) as queries:
        services.refresh_stale_ledger_tallies(owner_id=owner.pk, today=TODAY, ledger_settings=stale_copy)

    assert not [q for q in queries if q["sql"].startswith(("DELETE", "INSERT"))]
    assert stale_copy.tallied_on == TODAY
