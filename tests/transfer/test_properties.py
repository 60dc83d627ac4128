"""Property tests: whatever text or bytes arrive, the readers end in rows or a clean FileRejected."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from contacts.models import Person
from transfer import services
from transfer.backup import BackupRejected, restore
from transfer.cards import Card, clean_card
from transfer.csvformats import read_csv
from transfer.decoding import FileRejected, decode
from transfer.vcard import fold, logical_lines, read_vcards


def _owner() -> User:
    """One account for all examples (no password: hashing one per example is slow)."""
    return User.objects.get_or_create(username="property")[0]


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

vcard_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "VERSION:4.0", "N:山田;太郎;;;", "FN:山田 太郎",
                "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=B1=B1=", "=E7=94=B0;;;", "SOUND;X-IRMC-N:ﾔﾏﾀﾞ;;;",
                'N;SORT-AS="a,b,,":x', "TEL;CELL:090-1234-5678", "TEL:tel:+81", "EMAIL:a@b", "BDAY:--0102", "BDAY:2024-13-45",
                "ORG:;;;", "ADR:;;;;;;;;", "PHOTO;ENCODING=b:AAAA", " continued", "\tcontinued", "X-PHONETIC-ORG:\\",
                "CATEGORIES:,,,", "URL:javascript:alert(1)", "NOTE:" + "長" * 300,
            ]
        ),
        st.text(max_size=80),
    ),
    max_size=40,
)  # fmt: skip


@PROPERTY
@given(vcard_lines, st.sampled_from(["\r\n", "\n", "\r"]))
def test_vcard_reader_never_fails_on_any_text(lines, newline):
    for card in read_vcards(newline.join(lines), max_cards=1000):
        clean_card(card)  # checking a card never raises either


@PROPERTY
@given(st.text(max_size=2000))
def test_csv_reader_raises_only_file_rejected(text):
    try:
        key, table = read_csv(text, max_rows=1000)
    except FileRejected:
        return
    assert key in {"google", "linkedin", "outlook", "eight", "jinmyaku", "generic"}
    assert all(isinstance(line, int) for line, _cells in table.rows)


@PROPERTY
@given(st.binary(max_size=3000))
def test_decode_returns_text_or_raises_file_rejected(data):
    try:
        text, encoding = decode(data)
    except FileRejected as error:
        assert str(error)
        return
    assert isinstance(text, str) and encoding


@PROPERTY
@given(st.builds(Card, line=st.integers(1, 10**6), family_name=st.text(max_size=120), given_name=st.text(max_size=20),
                 reading=st.text(max_size=30), website=st.text(max_size=40), birthday=st.text(max_size=20),
                 first_met_on=st.text(max_size=20), emails=st.lists(st.text(max_size=30), max_size=12),
                 phones=st.lists(st.tuples(st.sampled_from(["phone", "mobile", "fax"]), st.text(max_size=20)), max_size=3),
                 tags=st.lists(st.text(max_size=70), max_size=25)))  # fmt: skip
def test_clean_card_reports_problems_instead_of_raising(card):
    result = clean_card(card)
    if not result.errors:
        assert result.values["family_name"] or result.values["given_name"]
        assert len(result.values["family_name"]) <= 100


@PROPERTY
@given(st.text(max_size=300))
def test_fold_never_splits_a_character_and_unfolds_to_the_same_line(value):
    value = value.replace("\r", "").replace("\n", "")
    folded = fold("NOTE:" + value)
    for part in folded.encode("utf-8").split(b"\r\n"):
        assert len(part) <= 75
        part.decode("utf-8")
    unfolded = logical_lines(folded.removesuffix("\r\n").encode("utf-8"))
    assert [line.decode("utf-8") for _n, line in unfolded] == ["NOTE:" + value]


@pytest.mark.django_db
@PROPERTY
@given(st.one_of(st.binary(max_size=1500), vcard_lines.map(lambda lines: "\r\n".join(lines).encode("utf-8"))))
def test_start_import_stores_a_job_or_rejects_the_file_cleanly(data):
    owner = _owner()
    jobs = owner.import_jobs.count()
    try:
        job = services.start_import(owner=owner, filename="random", data=data)
    except FileRejected:
        assert owner.import_jobs.count() == jobs
        return
    assert job.total == job.rows.count()


@pytest.mark.django_db
@PROPERTY
@given(st.one_of(st.binary(max_size=500), st.text(max_size=500).map(str.encode)))
def test_restore_rejects_random_files_cleanly(data):
    owner = _owner()
    with pytest.raises(BackupRejected):
        restore(owner=owner, data=data)
    assert not Person.objects.filter(owner=owner).exists()
