"""Export: vCard 3.0 / 4.0 and CSV for Excel, streamed in chunks of people.

Each chunk costs a fixed number of queries (the people, their contact points,
their tags), so memory and queries per chunk stay flat at any size.
"""

import csv
from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import ContactPoint, Person, Tag

from .csvformats import EXPORT_TARGETS, TARGETS
from .vcard import write_vcard

CHUNK = 2000
# Bytes gathered before a piece of the response is sent.
FLUSH_AT = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def people_for_export(owner: User) -> Iterator[Person]:
    return (
        Person.objects.filter(owner=owner)
        .order_by("sort_key", "pk")
        .prefetch_related(
            Prefetch("contact_points", queryset=ContactPoint.objects.order_by("kind", "pk")),
            Prefetch("tags", queryset=Tag.objects.only("pk", "name").order_by("name")),
        )
        .iterator(chunk_size=CHUNK)
    )


def _buffered(pieces: Iterator[str]) -> Iterator[bytes]:
    buffer, size = [], 0
    for piece in pieces:
        data = piece.encode("utf-8")
        buffer.append(data)
        size += len(data)
        if size >= FLUSH_AT:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def without_guessed_reading(person: Person) -> Person:
    """The person as recorded: a reading guessed from the name dictionary and never
    checked is left out, so a phone or a later import does not take it for one the
    user typed (the JSON backup keeps it, marked as a guess)."""
    if person.reading_inferred:
        person.family_reading = person.given_reading = ""
    return person


def _exported(owner: User, guessed: bool) -> Iterator[Person]:
    people = people_for_export(owner)
    return people if guessed else (without_guessed_reading(person) for person in people)


def vcard_stream(owner: User, *, version: str, guessed: bool = False) -> Iterator[bytes]:
    return _buffered(
        write_vcard(
            person, version=version, points=person.contact_points.all(), tags=[t.name for t in person.tags.all()]
        )
        for person in _exported(owner, guessed)
    )


def neutralise(value: str) -> str:
    """Keep Excel from running a cell as a formula: prefix those that start like one with '."""
    return "'" + value if value.startswith(FORMULA_START) else value


class _Line:
    """A file-like object that hands back what csv.writer writes."""

    def write(self, value: str) -> str:
        return value


def csv_row(person: Person) -> list[str]:
    points = list(person.contact_points.all())

    def joined(kind):
        return "\n".join(p.value for p in points if p.kind == kind)

    values = {key: getattr(person, "line" if key == "line_id" else key, "") for key in EXPORT_TARGETS}
    values |= {
        "email": joined("email"),
        "phone": joined("phone"),
        "mobile": joined("mobile"),
        "fax": joined("fax"),
        "tags": ", ".join(t.name for t in person.tags.all()),
        "birthday": person.birthday.isoformat()
        if person.birthday
        else f"--{person.birthday_month:02d}-{person.birthday_day:02d}"
        if person.birthday_month and person.birthday_day
        else "",
        "first_met_on": person.first_met_on.isoformat() if person.first_met_on else "",
    }
    return [neutralise(str(values[key] or "")) for key in EXPORT_TARGETS]


def csv_stream(owner: User, *, guessed: bool = False) -> Iterator[bytes]:
    """UTF-8 with a BOM, so Excel opens the Japanese correctly; headers in the user's language."""
    writer = csv.writer(_Line())

    def pieces():
        yield "\ufeff" + writer.writerow([str(label) for key, label in TARGETS if key in EXPORT_TARGETS])
        for person in _exported(owner, guessed):
            yield writer.writerow(csv_row(person))

    return _buffered(pieces())


EXPORT_FORMATS = {
    # key: (label, content type, file extension)
    "vcard3": (lambda: _("vCard 3.0 (iPhone, Android, Google)"), "text/vcard; charset=utf-8", "vcf"),
    "vcard4": (lambda: _("vCard 4.0"), "text/vcard; charset=utf-8", "vcf"),
    "csv": (lambda: _("CSV for Excel"), "text/csv; charset=utf-8", "csv"),
    "json": (lambda: _("Full backup (JSON)"), "application/json", "json"),
}


def export_stream(owner: User, fmt: str, *, guessed: bool = False) -> Iterator[bytes]:
    """The export in `fmt`; `guessed` also writes readings guessed from the name dictionary."""
    from .backup import backup_stream

    if fmt == "vcard3":
        return vcard_stream(owner, version="3.0", guessed=guessed)
    if fmt == "vcard4":
        return vcard_stream(owner, version="4.0", guessed=guessed)
    if fmt == "csv":
        return csv_stream(owner, guessed=guessed)
    if fmt == "json":
        return backup_stream(owner)
    raise ValueError(fmt)
