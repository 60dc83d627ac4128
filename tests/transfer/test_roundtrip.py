"""Import → export → import gives the same people, in every export format."""

import pytest

from tests.factories import make_user
from tests.transfer.helpers import FIXTURES, import_file, snapshot
from transfer.exporting import export_stream

pytestmark = pytest.mark.django_db

# Every file that imports people, less: generic.csv (its columns are chosen first), the
# files meant to be refused (rejected_*), and the files of issue #17's causes, whose
# people share e-mails with the others on purpose: merged file by file or all in one
# file, they pair up differently (tests/transfer/test_real_files.py covers them).
FILES = sorted(
    p.name for p in FIXTURES.iterdir() if p.name != "generic.csv" and not p.name.startswith(("rejected_", "cause"))
)


@pytest.mark.parametrize("fmt", ["vcard3", "vcard4", "csv"])
def test_import_export_import_gives_the_same_people(user, fmt):
    for name in FILES:
        import_file(user, name)
    before = snapshot(user)
    assert len(before) >= 15
    exported = b"".join(export_stream(user, fmt))

    other = make_user(username=f"copy-{fmt}")
    job = import_file(other, f"export.{fmt}", data=exported)
    assert job.rows.filter(kind="invalid").count() == 0
    assert snapshot(other) == before
    # And once more: the second generation exports the same bytes.
    assert b"".join(export_stream(other, fmt)) == exported


def test_importing_an_export_into_the_same_account_finds_only_duplicates(user):
    for name in FILES:
        import_file(user, name)
    before = snapshot(user)
    exported = b"".join(export_stream(user, "vcard3"))
    job = import_file(user, "again.vcf", data=exported)
    assert (job.created_count, job.merged_count) == (0, len(before))
    assert snapshot(user) == before  # merging a person with their own card changes nothing
