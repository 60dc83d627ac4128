"""The full JSON backup of an account, and restoring it into an empty account.

Every model that holds a user's data has one entry in `REGISTRY`, in an
order where a row only points at rows of entries above it (or at its own
model, as Person.introduced_by does). Adding a model later is one entry.

Ids in the file are numbers local to the file (1, 2, 3… per model in id
order), not database ids, so backup → restore → backup gives the same bytes.
Columns derived from others (search text, sort key) are not stored; restore
recomputes them.
"""

import base64
import binascii
import datetime
import decimal
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cards.models import CardImage, MyCard
from contacts import dates
from contacts.bulk import update_rows
from contacts.models import CareerChange, ContactPoint, Event, Field, KeyPerson, Meeting, Person, Profile, Tag
from contacts.services import people_changed, refresh_search
from followups.models import DraftTemplate, FollowUp, FollowUpSettings
from insights.models import Dismissal, Goal
from ledger.models import LedgerEntry, LedgerSettings
from ledger.services import refresh_ledger_tallies

from .decoding import FileRejected

FORMAT = "jinmyaku-backup"
VERSION = 1
CHUNK = 2000


@dataclass(frozen=True)
class Entry:
    key: str
    model: type[models.Model]
    # The lookup from a row to its owner.
    owner: str = "owner"
    # Columns left out: derived ones, recomputed on restore.
    derived: tuple[str, ...] = ()
    # Whether restore may replace the rows a new account starts with (its default fields).
    replaceable: bool = False
    # One row of settings per owner, which the app creates when it first needs one
    # (the ledger overview stamps `tallied_on`): a row holding only the defaults is
    # left out, so an account that never saved these settings backs up the same
    # before and after a restore.
    settings_row: bool = False
    # File columns carried as their bytes (base64), stored anew on restore.
    files: tuple[str, ...] = ()


REGISTRY = [
    Entry("fields", Field, replaceable=True),
    Entry("tags", Tag),
    Entry("events", Event),
    Entry("people", Person, derived=("sort_key", "search_text")),
    Entry("contact_points", ContactPoint, owner="person__owner"),
    # Career history: previous companies and titles (searchable, so restored before the search text is rebuilt).
    Entry("career", CareerChange),
    # The capture screen's row key only keeps a row sent twice from being saved twice.
    Entry("meetings", Meeting, derived=("capture_key",)),
    Entry("ledger_entries", LedgerEntry),
    # `tallied_on` says the overview's tallies are current: a restore rebuilds them instead.
    Entry("ledger_settings", LedgerSettings, derived=("tallied_on",), replaceable=True, settings_row=True),
    # The urgency rank is set from the reason whenever a follow-up is saved.
    Entry("followups", FollowUp, derived=("urgency",)),
    # The calendar feed's secret address is not carried over: the restored account makes its own.
    # … nor the day of the last nightly recompute: the restored account's first night recomputes all.
    Entry(
        "followup_settings",
        FollowUpSettings,
        derived=("feed_token", "recomputed_on"),
        replaceable=True,
        settings_row=True,
    ),
    Entry("draft_templates", DraftTemplate),
    Entry("key_persons", KeyPerson),
    Entry("profile", Profile, replaceable=True),
    Entry("goals", Goal),
    Entry("dismissals", Dismissal),
    # Card photos (the pixels, base64); the scan they came from is a passing state, not kept.
    Entry("card_images", CardImage, derived=("scan",), files=("image",)),
    Entry("my_card", MyCard, replaceable=True),
    # Key-person suggestions (insights.Suggestion) are not in the backup: they are
    # derived from the rows above, and the weekly job (or "Refresh suggestions") rebuilds them.
    # Nor is the insights page's InsightsSnapshot, recomputed on the next visit.
]


class BackupRejected(FileRejected):
    pass


def _columns(entry: Entry) -> list[models.Field]:
    """The stored columns of an entry's model: concrete, not the id, not the owner, not derived."""
    return [
        f
        for f in entry.model._meta.concrete_fields
        if not f.primary_key and f.name not in entry.derived and f.name != "owner"
    ]


def _m2m(entry: Entry) -> list[models.ManyToManyField]:
    return list(entry.model._meta.local_many_to_many)


def _entry_for(model) -> Entry | None:
    return next((e for e in REGISTRY if e.model is model), None)


def _queryset(entry: Entry, owner: User):
    return entry.model._default_manager.filter(**{entry.owner: owner}).order_by("pk")


def _encode(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _referenced(entry: Entry) -> set[type]:
    """The models an entry's rows point at (foreign keys and many-to-many)."""
    return {c.related_model for c in _columns(entry) if c.is_relation} | {r.related_model for r in _m2m(entry)}


def _links(relation: models.ManyToManyField, pks: list[int]) -> dict[int, list[int]]:
    """The ids a chunk of rows point at through `relation`, read from the join table alone."""
    through = relation.remote_field.through
    source = through._meta.get_field(relation.m2m_field_name()).attname
    target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
    links: dict[int, list[int]] = {pk: [] for pk in pks}
    for source_id, target_id in through._default_manager.filter(**{f"{source}__in": pks}).values_list(source, target):
        links[source_id].append(target_id)
    return links


def _only_defaults(columns: list[models.Field], values: list) -> bool:
    """True for a row whose every column (time stamps aside) holds its default."""
    return all(
        getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False) or value == column.get_default()
        for column, value in zip(columns, values, strict=True)
    )


def backup_stream(owner: User) -> Iterator[bytes]:
    """Yield the backup as UTF-8 JSON, one row per line, a chunk of rows at a time.

    Rows are read as tuples of column values, and many-to-many links from
    their join tables by the ids of a chunk: a few queries per chunk, each on
    an index, whatever else the database holds (prefetching the related
    objects instead made SQLite scan every user's people for each chunk).
    Local numbers are kept only for models that rows point at.
    """
    referenced = set().union(*(_referenced(e) for e in REGISTRY))
    numbers: dict[type, dict[int, int]] = {}
    yield f'{{"format": "{FORMAT}", "version": {VERSION}, "data": {{'.encode()
    for position, entry in enumerate(REGISTRY):
        qs = _queryset(entry, owner)
        columns = _columns(entry)
        m2m = _m2m(entry)
        if entry.model in _referenced(entry):
            # A row may point at a later row of its own model: number them all first.
            numbers[entry.model] = {pk: n for n, pk in enumerate(qs.values_list("pk", flat=True).iterator(), 1)}
        elif entry.model in referenced:
            numbers[entry.model] = {}
        own = numbers.get(entry.model)
        yield (("," if position else "") + f'\n"{entry.key}": [').encode()
        n = 0
        rows = qs.values_list("pk", *(c.attname for c in columns)).iterator(chunk_size=CHUNK)
        for chunk in itertools.batched(rows, CHUNK):
            links = {relation: _links(relation, [row[0] for row in chunk]) for relation in m2m}
            buffer = []
            for pk, *values in chunk:
                if entry.settings_row and _only_defaults(columns, values):
                    continue
                n += 1
                if own is not None:
                    own[pk] = n
                row = {"id": n}
                for column, value in zip(columns, values, strict=True):
                    if column.is_relation and value is not None:
                        value = numbers[column.related_model][value]
                    if column.name in entry.files:
                        value = _file_bytes(column, value)
                    row[column.name] = _encode(value)
                for relation in m2m:
                    target = numbers[relation.related_model]
                    row[relation.name] = sorted(target[t] for t in links[relation][pk])
                buffer.append(("," if n > 1 else "") + "\n" + json.dumps(row, ensure_ascii=False, sort_keys=True))
            yield "".join(buffer).encode()
        yield b"\n]"
    yield b"\n}}\n"


def _file_bytes(column: models.FileField, name: str) -> str:
    if not name:
        return ""
    with column.storage.open(name, "rb") as handle:
        return base64.b64encode(handle.read()).decode("ascii")


def _store_file(column: models.FileField, obj, raw) -> str:
    """Store a file carried in a backup; return its stored name."""
    from django.core.files.base import ContentFile

    if not raw:
        return ""
    if not isinstance(raw, str):
        raise ValidationError(_("not a file"))
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("not a file")) from None
    from cards.images import ImageRejected, load

    try:
        photo = load(data)  # checked like an upload
    except ImageRejected as error:
        raise ValidationError(str(error)) from None
    # Our own photos (JPEG without metadata) are kept byte for byte, so backup → restore → backup is identical.
    if not photo.plain_jpeg:
        data = photo.data
    return column.storage.save(column.generate_filename(obj, "card.jpg"), ContentFile(data))


def backup_text(owner: User) -> str:
    return b"".join(backup_stream(owner)).decode()


def is_empty(owner: User) -> bool:
    """True when the account holds nothing a restore would overwrite (default fields aside)."""
    return not any(_queryset(e, owner).exists() for e in REGISTRY if not e.replaceable)


def _parse(data: bytes) -> dict:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BackupRejected(_("This is not a Jinmyaku backup file.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("data"), dict):
        raise BackupRejected(_("This is not a Jinmyaku backup file."))
    if document.get("version") != VERSION:
        raise BackupRejected(
            _("This backup has format version %(version)s; this app reads version %(supported)s.")
            % {"version": str(document.get("version"))[:10], "supported": VERSION}
        )
    return document["data"]


def restore(*, owner: User, data: bytes, on_progress=None) -> int:
    """Restore a backup into `owner`'s empty account, all or nothing; return the number of people.

    Raise BackupRejected with a message for the user when the file is not a
    backup, the account is not empty, or a row is invalid (nothing saved).
    `on_progress(phase, done, total)` hears how far it got, a chunk at a time.
    """
    document = _parse(data)
    if not is_empty(owner):
        raise BackupRejected(_("Restore needs an empty account: this one already has people or events."))
    try:
        with transaction.atomic():
            people = _restore(owner, document, on_progress=on_progress or (lambda phase, done, total: None))
            refresh_ledger_tallies(owner.pk)
            transaction.on_commit(lambda: people_changed.send(sender=Person, owner_id=owner.pk, person_ids=people))
    except (IntegrityError, DatabaseError):
        raise BackupRejected(_("The backup has rows that contradict each other; nothing was restored.")) from None
    return len(people)


# The date columns the forms bound (contacts.dates), checked the same way on restore.
BOUNDED_DATES = {
    (Person, "birthday"): dates.validate_birthday,
    (Person, "first_met_on"): dates.validate_event_date,
    (CareerChange, "changed_on"): dates.validate_event_date,
    (Event, "date"): dates.validate_event_date,
    (Meeting, "date"): dates.validate_event_date,
    (Meeting, "next_step_on"): dates.validate_event_date,
    (LedgerEntry, "date"): dates.validate_event_date,
    (LedgerEntry, "returned_on"): dates.validate_event_date,
}


def _check_bounds(entry: Entry, column: models.Field, value) -> None:
    """Refuse what the forms refuse and `clean` lets through: a date out of bounds, a text field
    longer than its limit (Django checks max_length on CharField only). Raise ValidationError."""
    check = BOUNDED_DATES.get((entry.model, column.name))
    if check is not None and value is not None:
        check(value)
    if isinstance(column, models.TextField) and column.max_length and isinstance(value, str):
        MaxLengthValidator(column.max_length)(value)


def _row_error(entry: Entry, index: int, detail: str) -> BackupRejected:
    return BackupRejected(
        _("Row %(row)d of “%(section)s” is invalid: %(detail)s")
        % {"row": index, "section": entry.key, "detail": detail}
    )


def _restore(owner: User, document: dict, *, on_progress) -> list[int]:
    new_ids: dict[type, dict[int, int]] = {}
    total = sum(len(rows) for e in REGISTRY if isinstance(rows := document.get(e.key, []), list))
    done = 0
    on_progress("restoring", done, total)
    for entry in REGISTRY:
        if entry.replaceable:
            _queryset(entry, owner).delete()
        rows = document.get(entry.key, [])
        if not isinstance(rows, list):
            raise BackupRejected(_("This is not a Jinmyaku backup file."))
        columns = _columns(entry)
        m2m = _m2m(entry)
        objects, local_ids, deferred, links, stamps = [], [], [], [], []
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                raise _row_error(entry, index, _("no id"))
            obj = entry.model(**({"owner": owner} if entry.owner == "owner" else {}))
            stamp = {}
            for column in columns:
                raw = row.get(column.name)
                try:
                    if column.is_relation:
                        if raw is None:
                            value = None
                        elif column.related_model is entry.model:
                            deferred.append((len(objects), column.attname, raw))
                            value = None
                        else:
                            value = new_ids[column.related_model][raw]
                    elif column.name in entry.files:
                        value = _store_file(column, obj, raw)
                    elif raw is None and not column.null:
                        value = column.get_default()
                    else:
                        value = column.clean(raw, obj)
                        _check_bounds(entry, column, value)
                except (KeyError, TypeError, ValidationError) as error:
                    detail = "; ".join(error.messages) if isinstance(error, ValidationError) else column.name
                    raise _row_error(entry, index, f"{column.name}: {detail}") from None
                setattr(obj, column.attname, value)
                if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
                    stamp[column.attname] = value
            for relation in m2m:
                try:
                    targets = [new_ids[relation.related_model][n] for n in row.get(relation.name, [])]
                except (KeyError, TypeError):
                    raise _row_error(entry, index, relation.name) from None
                links.append((relation, len(objects), targets))
            objects.append(obj)
            local_ids.append(row["id"])
            stamps.append(stamp)
        created = []
        for batch in itertools.batched(objects, CHUNK):
            created += entry.model._default_manager.bulk_create(batch)
            done += len(batch)
            on_progress("restoring", done, total)
        new_ids[entry.model] = {local: obj.pk for local, obj in zip(local_ids, created, strict=True)}
        # bulk_create stamps auto_now fields with the time of the restore: put the backup's back.
        stamped = list(stamps[0]) if stamps else []
        if stamped:
            for obj, stamp in zip(created, stamps, strict=True):
                for name, value in stamp.items():
                    setattr(obj, name, value)
            update_rows(entry.model, created, stamped)
        if deferred:
            touched = {}
            for position, attname, raw in deferred:
                try:
                    setattr(created[position], attname, new_ids[entry.model][raw])
                except (KeyError, TypeError):
                    raise _row_error(entry, position + 1, attname) from None
                touched[position] = created[position]
            update_rows(entry.model, list(touched.values()), sorted({a for _p, a, _r in deferred}))
        for relation in m2m:
            through = relation.remote_field.through
            source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
            through._default_manager.bulk_create(
                [
                    through(**{f"{source}_id": created[position].pk, f"{target}_id": t})
                    for rel, position, targets in links
                    if rel is relation
                    for t in targets
                ],
                batch_size=CHUNK,
                ignore_conflicts=True,
            )
    people = sorted(new_ids.get(Person, {}).values())
    for start in range(0, len(people), CHUNK):
        on_progress("indexing", start, len(people))
        refresh_search(people[start : start + CHUNK])
    return people
