"""The full JSON backup of an account, and restoring it into an empty account.

Every model that holds a user's data has one entry in `REGISTRY`, in an
order where a row only points at rows of entries above it (or at its own
model, as Person.introduced_by does). Adding a model later is one entry.

Ids in the file are numbers local to the file (1, 2, 3… per model in id
order), not database ids, so backup → restore → backup gives the same bytes.
Columns derived from others (search text, sort key) are not stored; restore
recomputes them.
"""

import datetime
import decimal
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import (
    CareerChange,
    ContactPoint,
    Event,
    Field,
    KeyPerson,
    LedgerEntry,
    LedgerSettings,
    Meeting,
    Person,
    Profile,
    Tag,
)
from contacts.services import people_changed, refresh_ledger_tallies, refresh_search
from followups.models import FollowUp, FollowUpSettings
from insights.models import Dismissal, Goal

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


REGISTRY = [
    Entry("fields", Field, replaceable=True),
    Entry("tags", Tag),
    Entry("events", Event),
    Entry("people", Person, derived=("sort_key", "search_text")),
    Entry("contact_points", ContactPoint, owner="person__owner"),
    # Career history: previous companies and titles (searchable, so restored before the search text is rebuilt).
    Entry("career", CareerChange),
    Entry("meetings", Meeting),
    Entry("ledger_entries", LedgerEntry),
    # `tallied_on` says the overview's tallies are current: a restore rebuilds them instead.
    Entry("ledger_settings", LedgerSettings, derived=("tallied_on",), replaceable=True),
    Entry("followups", FollowUp),
    # The calendar feed's secret address is not carried over: the restored account makes its own.
    # … nor the day of the last nightly recompute: the restored account's first night recomputes all.
    Entry("followup_settings", FollowUpSettings, derived=("feed_token", "recomputed_on"), replaceable=True),
    Entry("key_persons", KeyPerson),
    Entry("profile", Profile, replaceable=True),
    Entry("goals", Goal),
    Entry("dismissals", Dismissal),
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
    if isinstance(value, datetime.datetime | datetime.date):
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
                n += 1
                if own is not None:
                    own[pk] = n
                row = {"id": n}
                for column, value in zip(columns, values, strict=True):
                    if column.is_relation and value is not None:
                        value = numbers[column.related_model][value]
                    row[column.name] = _encode(value)
                for relation in m2m:
                    target = numbers[relation.related_model]
                    row[relation.name] = sorted(target[t] for t in links[relation][pk])
                buffer.append(("," if n > 1 else "") + "\n" + json.dumps(row, ensure_ascii=False, sort_keys=True))
            yield "".join(buffer).encode()
        yield b"\n]"
    yield b"\n}}\n"


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


def restore(*, owner: User, data: bytes) -> int:
    """Restore a backup into `owner`'s empty account, all or nothing; return the number of people.

    Raise BackupRejected with a message for the user when the file is not a
    backup, the account is not empty, or a row is invalid (nothing saved).
    """
    document = _parse(data)
    if not is_empty(owner):
        raise BackupRejected(_("Restore needs an empty account: this one already has people or events."))
    try:
        with transaction.atomic():
            people = _restore(owner, document)
            refresh_ledger_tallies(owner.pk)
            transaction.on_commit(lambda: people_changed.send(sender=Person, owner_id=owner.pk, person_ids=people))
    except (IntegrityError, DatabaseError):
        raise BackupRejected(_("The backup has rows that contradict each other; nothing was restored.")) from None
    return len(people)


def _row_error(entry: Entry, index: int, detail: str) -> BackupRejected:
    return BackupRejected(
        _("Row %(row)d of “%(section)s” is invalid: %(detail)s")
        % {"row": index, "section": entry.key, "detail": detail}
    )


def _restore(owner: User, document: dict) -> list[int]:
    new_ids: dict[type, dict[int, int]] = {}
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
                    elif raw is None and not column.null:
                        value = column.get_default()
                    else:
                        value = column.clean(raw, obj)
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
        created = entry.model._default_manager.bulk_create(objects, batch_size=CHUNK)
        new_ids[entry.model] = {local: obj.pk for local, obj in zip(local_ids, created, strict=True)}
        # bulk_create stamps auto_now fields with the time of the restore: put the backup's back.
        stamped = list(stamps[0]) if stamps else []
        if stamped:
            for obj, stamp in zip(created, stamps, strict=True):
                for name, value in stamp.items():
                    setattr(obj, name, value)
            entry.model._default_manager.bulk_update(created, stamped, batch_size=CHUNK)
        if deferred:
            touched = {}
            for position, attname, raw in deferred:
                try:
                    setattr(created[position], attname, new_ids[entry.model][raw])
                except (KeyError, TypeError):
                    raise _row_error(entry, position + 1, attname) from None
                touched[position] = created[position]
            entry.model._default_manager.bulk_update(
                list(touched.values()), sorted({a for _p, a, _r in deferred}), batch_size=CHUNK
            )
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
        refresh_search(people[start : start + CHUNK])
    return people
