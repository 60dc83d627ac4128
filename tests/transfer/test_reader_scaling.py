"""Issue #16, finding 4: joining folded and quoted-printable lines copied the whole value
each time (quadratic: 4.9 M soft line breaks in 19.6 MB took 943 s). The reader is linear
now; `scripts/bench.py --reader` shows the time per soft line break staying flat as the
value grows. These tests would not finish with the old reader (100,000 breaks took 24 s,
a million about 40 minutes); the alarm fails them instead of hanging the run."""

import contextlib
import signal

import pytest

from transfer import services
from transfer.models import RowKind
from transfer.vcard import logical_lines, read_vcards

# Far above what the linear reader needs (a few seconds on a loaded machine).
DEADLINE_SECONDS = 120


@contextlib.contextmanager
def deadline(seconds: int):
    def expired(_signum, _frame):
        raise TimeoutError(f"not finished in {seconds} s: the reader is not linear")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def soft_broken_vcard(breaks: int) -> bytes:
    note = "=\r\n".join(["=E3=81=82"] * breaks)  # あ per physical line
    return (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:中川;翔;;;\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:"
        + note
        + "\r\nEND:VCARD\r\n"
    ).encode()


def test_a_value_folded_over_a_million_soft_line_breaks_is_read_whole():
    with deadline(DEADLINE_SECONDS):
        (card,) = read_vcards(soft_broken_vcard(1_000_000), max_cards=10)
    assert card.notes == "あ" * 1_000_000


def test_a_value_folded_over_many_rfc_folds_is_read_whole():
    line = b"NOTE:" + b"\r\n ".join([b"\xe3\x81"] + [b"\x82\xe3\x81"] * 999_999 + [b"\x82"])
    with deadline(DEADLINE_SECONDS):
        ((number, unfolded),) = list(logical_lines(line))
    assert number == 1 and unfolded.decode("utf-8") == "NOTE:" + "あ" * 1_000_000


@pytest.mark.django_db
def test_importing_such_a_file_keeps_the_person_and_leaves_out_the_overlong_note(user):
    with deadline(DEADLINE_SECONDS):
        job = services.start_import(owner=user, filename="big.vcf", data=soft_broken_vcard(500_000), read_here=True)
    row = job.rows.get()
    assert row.kind == RowKind.NEW and row.values["family_name"] == "中川"
    assert [w["code"] for w in row.data["warnings"]] == ["too_long"]
