"""Import: read an upload into rows, preview, then save them all in one transaction."""

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts import rules, text
from contacts.bulk import update_rows
from contacts.models import (
    CAREER_COLUMNS,
    NOTES_MAX_LENGTH,
    CareerChange,
    CareerSource,
    ContactPoint,
    ContactPointKind,
    Person,
    Tag,
)
from contacts.phones import is_verified
from contacts.services import build_search_text, ensure_tags, people_changed, refresh_search, with_guessed_reading
from jobs import enqueue

from . import progress
from .cards import Card, CleanCard, clean_card, warning
from .csvformats import cards_from_table, guess_mapping, mapped_card, read_csv
from .decoding import FileRejected, decode, looks_like_backup, looks_like_csv, looks_like_vcard
from .models import (
    DuplicateAction,
    ImportFormat,
    ImportJob,
    ImportRow,
    ImportStatus,
    ImportUpload,
    MatchReason,
    RowKind,
)
from .vcard import decode_lines, read_vcard_lines

logger = logging.getLogger(__name__)

# Stated on the import page.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# Files with more rows than this are saved by the background worker.
BACKGROUND_FROM_ROWS = 500
# Files larger than this are read by the worker too (about 1,500 vCards).
READ_HERE_BYTES = 512 * 1024
BATCH = 1000
# A job waiting this long after its message was sent is sent again (the broker lost it).
LOST_AFTER = datetime.timedelta(minutes=3)


def _chunks(items: list, size: int | None = None) -> Iterator[list]:
    size = size or BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


def start_import(*, owner: User, filename: str, data: bytes, read_here: bool | None = None) -> ImportJob:
    """Take an uploaded file: read a small one now, leave a big one to the worker (or as `read_here` says).

    A small file is read into a job ready to preview (or to map, for a generic
    CSV); FileRejected, with a message for the user, says it cannot be
    imported at all, and nothing is stored then. A big file is stored and read
    by the worker; a file it rejects ends as a failed job with that message.
    """
    from .tasks import read_import_task

    if len(data) > MAX_IMPORT_BYTES:
        raise FileRejected(_("The file is larger than %(size)d MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)})
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    filename = (filename or "upload")[:255]
    with transaction.atomic():
        job = ImportJob.objects.create(owner=owner, filename=filename, format="", status=ImportStatus.READING)
        if read_here is None:
            read_here = len(data) <= READ_HERE_BYTES
        if read_here:
            _read(job, data)
        else:
            ImportUpload.objects.create(job=job, data=data)
            ImportJob.objects.filter(pk=job.pk).update(sent_at=timezone.now())
            enqueue.send_on_commit(read_import_task, job.pk)
    return job


def read_upload(*, job_id: int) -> bool:
    """Read a stored upload into rows (the worker's half of start_import); False when already taken.

    All or nothing: a file that cannot be imported, or a failure, leaves a
    failed job with a message and no rows.
    """
    if (
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.READING, started_at__isnull=True).update(
            started_at=timezone.now()
        )
        != 1
    ):
        return False
    job = ImportJob.objects.get(pk=job_id)
    message = ""
    try:
        with transaction.atomic():
            upload = ImportUpload.objects.filter(job=job).first()
            if upload is None:
                raise FileRejected(_("The file is no longer here. Upload it again."))
            _read(job, bytes(upload.data))
            upload.delete()
    except FileRejected as error:
        message = str(error)
    except Exception:
        logger.exception("reading import %s failed", job_id)
        message = _("The file could not be read, and nothing was saved. Try again, or import a smaller file.")
    finally:
        progress.clear(job_id)
    if message:
        ImportUpload.objects.filter(job_id=job_id).delete()
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
        )
    ImportJob.objects.filter(pk=job_id).update(started_at=None)
    return True


def _read(job: ImportJob, data: bytes) -> None:
    """Decode, recognise and check a file into `job`'s rows. Raise FileRejected."""
    if looks_like_vcard(data):
        # Unfolded before it is decoded: a character split across a folded line is whole again.
        lines, encoding = decode_lines(data)
        job.encoding, job.format = encoding, ImportFormat.VCARD
        job.save(update_fields=["encoding", "format"])
        estimate = min(MAX_IMPORT_ROWS, data.upper().count(b"BEGIN:VCARD"))
        if not _analyse(job, read_vcard_lines(lines, max_cards=MAX_IMPORT_ROWS), estimate=estimate):
            raise FileRejected(_("The file has no cards."))
        return
    content, encoding = decode(data)
    if looks_like_backup(content):
        raise FileRejected(_("This is a Jinmyaku backup. Restore it in the backup section instead."))
    job.encoding = encoding
    if job.filename.lower().endswith((".vcf", ".vcard")) and not looks_like_csv(content):
        raise FileRejected(
            _(
                "This file is named like a vCard but holds none: a vCard starts with BEGIN:VCARD. Export the contacts again as vCard (.vcf)."
            )
        )
    key, table = read_csv(content, max_rows=MAX_IMPORT_ROWS)
    if not table.rows:
        raise FileRejected(_("The file has a header row but no people."))
    job.format = key
    job.save(update_fields=["encoding", "format"])
    if key == ImportFormat.GENERIC:
        job.header, job.mapping, job.status = table.header, guess_mapping(table.header), ImportStatus.MAPPING
        job.total = len(table.rows)
        job.save(update_fields=["header", "mapping", "status", "total"])
        ImportRow.objects.bulk_create(
            [ImportRow(job=job, line=line, kind=RowKind.RAW, data={"cells": cells}) for line, cells in table.rows],
            batch_size=BATCH,
        )
    else:
        _analyse(job, cards_from_table(key, table), estimate=len(table.rows))


def apply_mapping(*, job: ImportJob, mapping: dict[str, int]) -> bool:
    """Read a generic CSV's rows with the chosen columns; False when the job is past that step."""
    with transaction.atomic():
        if (
            ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.MAPPING, ImportStatus.PREVIEW]).update(
                status=ImportStatus.PREVIEW, mapping=mapping
            )
            != 1
        ):
            return False
        job.refresh_from_db()
        job.rows.exclude(kind=RowKind.RAW).delete()
        raw = job.rows.filter(kind=RowKind.RAW).values_list("line", "data")
        _analyse(job, (mapped_card(line, data["cells"], mapping) for line, data in raw.iterator(chunk_size=BATCH)))
    return True


def reopen_mapping(*, job: ImportJob) -> bool:
    """Go back from the preview of a generic CSV to its column mapping."""
    if job.format != ImportFormat.GENERIC:
        return False
    with transaction.atomic():
        if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEW).update(status=ImportStatus.MAPPING) != 1:
            return False
        job.rows.exclude(kind=RowKind.RAW).delete()
    return True


def _analyse(job: ImportJob, cards: Iterable[Card], *, estimate: int = 0) -> int:
    """Check every card, find the ones that look like people already here or
    repeat an earlier card of the file, store the rows; return how many."""
    cleaned = []
    for i, card in enumerate(cards, start=1):
        cleaned.append(clean_card(card))
        if i % BATCH == 0:
            progress.report(job.pk, phase="reading", done=i, total=max(i, estimate))
    valid = [c for c in cleaned if not c.errors]
    matches = find_matches(owner_id=job.owner_id, cards=valid)
    _warn_notes_that_will_not_fit(valid, matches)
    repeats = find_repeats(valid)
    rows, by_card, repeating = [], {}, []
    for card in cleaned:
        row = ImportRow(job=job, line=card.line, kind=RowKind.NEW, data=card.to_json())
        if card.errors:
            row.kind, row.errors = RowKind.INVALID, card.errors
        elif id(card) in matches:
            row.kind, (row.match_id, row.match_reason) = RowKind.DUPLICATE, matches[id(card)]
        elif id(card) in repeats:
            first, reason = repeats[id(card)]
            row.kind, row.match_reason = RowKind.DUPLICATE, reason
            if id(first) in matches:
                # The card it repeats is someone already here: so is this one.
                row.match_id = matches[id(first)][0]
            else:
                repeating.append((row, by_card[id(first)]))
        by_card[id(card)] = row
        rows.append(row)
    ImportRow.objects.bulk_create(rows, batch_size=BATCH)
    # Now that the rows repeated have ids, point the repeats at them.
    for row, first in repeating:
        row.match_row_id = first.pk
    ImportRow.objects.bulk_update([row for row, _first in repeating], ["match_row"], batch_size=BATCH)
    ImportJob.objects.filter(pk=job.pk).update(total=len(rows), status=ImportStatus.PREVIEW)
    job.total, job.status = len(rows), ImportStatus.PREVIEW
    return len(rows)


def _warn_notes_that_will_not_fit(cards: list[CleanCard], matches: dict[int, tuple[int, str]]) -> None:
    """Warn on rows whose notes, merged into the person they match, would go over the notes limit."""
    with_notes = {id(card): card for card in cards if card.values["notes"] and id(card) in matches}
    person_ids = sorted({matches[key][0] for key in with_notes})
    lengths = {}
    for chunk in _chunks(person_ids, 500):
        lengths.update(Person.objects.filter(pk__in=chunk).annotate(n=Length("notes")).values_list("pk", "n"))
    for key, card in with_notes.items():
        together = lengths.get(matches[key][0], 0) + 2 + len(card.values["notes"])
        if together > NOTES_MAX_LENGTH:
            card.warnings.append(warning("notes_not_merged", value=str(together), limit=NOTES_MAX_LENGTH))


def _repeat_keys(card: CleanCard) -> list[tuple[str, str]]:
    """What makes two cards of one file the same person: an e-mail, a mobile number, or name and company.

    Office phone and fax numbers are left out: colleagues share them.
    """
    keys = [
        (MatchReason.EMAIL if kind == ContactPointKind.EMAIL else MatchReason.PHONE, normalized)
        for kind, _value, normalized, *_label in card.points
        if kind in (ContactPointKind.EMAIL, ContactPointKind.MOBILE) and _matchable(kind, normalized)
    ]
    name, company = _name_key(card.values["family_name"], card.values["given_name"], card.values["company"])
    keys.append((MatchReason.NAME, f"{name}\x00{company}"))
    return keys


def _matchable(kind: str, normalized: str) -> bool:
    """An e-mail or a number that names one line: a number kept as written needs 7 digits or more."""
    return kind == ContactPointKind.EMAIL or is_verified(normalized) or (normalized.isdigit() and len(normalized) >= 7)


def find_repeats(cards: list[CleanCard]) -> dict[int, tuple[CleanCard, str]]:
    """Map id(card) to (the first card of the file it repeats, reason) for cards seen before in the same file."""
    first: dict[tuple[str, str], CleanCard] = {}
    repeats = {}
    for card in cards:
        keys = _repeat_keys(card)
        for key in keys:
            if key in first:
                original = first[key]
                repeats[id(card)] = (original, key[0])
                break
        else:
            original = card
        for key in keys:
            first.setdefault(key, original)
    return repeats


def _name_key(family: str, given: str, company: str) -> tuple[str, str]:
    return text.fold(family + given).replace(" ", ""), text.fold(company)


def find_matches(*, owner_id: int, cards: list[CleanCard]) -> dict[int, tuple[int, str]]:
    """Map id(card) to (person id, reason) for cards that look like someone already here.

    Same e-mail or phone number first, then the same name and company.
    A few queries per thousand distinct values, whatever the number of people.
    """
    by_value: dict[str, int] = {}
    values = sorted({p[2] for card in cards for p in card.points if _matchable(p[0], p[2])})
    for chunk in _chunks(values, 500):
        for normalized, person_id in (
            ContactPoint.objects.filter(person__owner_id=owner_id, normalized__in=chunk)
            .order_by("person_id")
            .values_list("normalized", "person_id")
        ):
            by_value.setdefault(normalized, person_id)
    by_name: dict[tuple[str, str], int] = {}
    families = sorted({card.values["family_name"] for card in cards})
    for chunk in _chunks(families, 500):
        for pk, family, given, company in (
            Person.objects.filter(owner_id=owner_id, family_name__in=chunk)
            .order_by("pk")
            .values_list("pk", "family_name", "given_name", "company")
        ):
            by_name.setdefault(_name_key(family, given, company), pk)
    matches = {}
    for card in cards:
        for kind, _value, normalized, *_label in card.points:
            if normalized in by_value and _matchable(kind, normalized):
                matches[id(card)] = (by_value[normalized], MatchReason.EMAIL if kind == "email" else MatchReason.PHONE)
                break
        else:
            key = _name_key(card.values["family_name"], card.values["given_name"], card.values["company"])
            if key in by_name:
                matches[id(card)] = (by_name[key], MatchReason.NAME)
    return matches


def confirm_import(*, job: ImportJob, duplicate_action: str, background: bool | None = None) -> bool:
    """Start saving a previewed job: here for a small file, on the worker for a big one
    (or as `background` says).

    False when the job was already started (a second click, another tab).
    """
    from .tasks import run_import_task

    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEW).update(
            status=ImportStatus.QUEUED,
            duplicate_action=duplicate_action,
            processed=0,
            message="",
            sent_at=timezone.now(),
        )
        if claimed != 1:
            return False
        if background is None:
            background = job.total > BACKGROUND_FROM_ROWS
        if background:
            enqueue.send_on_commit(run_import_task, job.pk)
    if not background:
        run_import(job_id=job.pk)
    job.refresh_from_db()
    return True


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _person_values(values: dict) -> dict:
    return values | {"birthday": _date(values.get("birthday")), "first_met_on": _date(values.get("first_met_on"))}


def set_row_action(*, row: ImportRow, action: str) -> bool:
    """Record the user's choice for one duplicate row; False once the job has left the preview."""
    return (
        ImportRow.objects.filter(pk=row.pk, kind=RowKind.DUPLICATE, job__status=ImportStatus.PREVIEW).update(
            action=action
        )
        == 1
    )


def set_duplicate_default(*, job: ImportJob, action: str, apply_to_all: bool = False) -> bool:
    """Set what happens to duplicates without a choice of their own; `apply_to_all` drops those choices."""
    with transaction.atomic():
        if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEW).update(duplicate_action=action) != 1:
            return False
        if apply_to_all:
            job.rows.filter(kind=RowKind.DUPLICATE).exclude(action="").update(action="")
    job.duplicate_action = action
    return True


def run_import(*, job_id: int) -> bool:
    """Save a queued job's rows; False when another run already claimed it.

    Preparing the people (search text, readings), then writing them a batch at
    a time, are reported as progress (transfer/progress.py, outside the
    transaction); every row is written in one transaction: all or nothing.
    """
    if (
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, started_at=timezone.now(), processed=0
        )
        != 1
    ):
        return False
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    try:
        new_rows, new_row_ids, duplicates, repeats, skipped = [], [], [], [], 0
        rows = job.rows.filter(kind__in=[RowKind.NEW, RowKind.DUPLICATE]).order_by("line", "pk")
        total = rows.count()
        fields = ("pk", "kind", "data", "match_id", "match_row_id", "action")
        for i, row in enumerate(rows.values(*fields).iterator(chunk_size=BATCH), start=1):
            action = row["action"] or job.duplicate_action
            if row["kind"] == RowKind.NEW or action == DuplicateAction.CREATE:
                new_rows.append(_draft(job.owner, row["data"]))
                new_row_ids.append(row["pk"])
            elif action == DuplicateAction.SKIP:
                skipped += 1
            elif row["match_id"] is not None:
                duplicates.append((row["match_id"], row["data"]))
            elif row["match_row_id"] is not None:
                repeats.append((row["match_row_id"], row["data"]))
            else:
                # The person it matched was deleted since the preview.
                new_rows.append(_draft(job.owner, row["data"]))
                new_row_ids.append(row["pk"])
            if i % BATCH == 0:
                progress.report(job.pk, phase="preparing", done=i, total=total)
        written = 0

        def saved(count: int) -> None:
            nonlocal written
            written += count
            progress.report(job.pk, phase="saving", done=written, total=total - skipped)

        with transaction.atomic():
            saved(0)
            created_ids = _create_people(job.owner, new_rows, on_batch=saved)
            person_of_row = dict(zip(new_row_ids, created_ids, strict=True))
            # A repeat whose first row was itself skipped goes with it.
            skipped += sum(1 for row_id, _data in repeats if row_id not in person_of_row)
            duplicates += [(person_of_row[row_id], data) for row_id, data in repeats if row_id in person_of_row]
            merged_ids = _merge_people(job.owner, duplicates, on_batch=saved)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE,
                processed=F("total"),
                created_count=len(created_ids),
                merged_count=len(duplicates),
                skipped_count=skipped,
                finished_at=timezone.now(),
            )
            # Their data now lives in the people; the invalid rows stay, to show what was left out.
            job.rows.filter(kind__in=[RowKind.NEW, RowKind.DUPLICATE]).delete()
            ids = sorted(set(created_ids) | set(merged_ids))
            owner_id = job.owner_id
            transaction.on_commit(lambda: people_changed.send(sender=Person, owner_id=owner_id, person_ids=ids))
    except Exception:
        logger.exception("import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=_("The import failed and nothing was saved. Try again, or import a smaller file."),
            finished_at=timezone.now(),
        )
    finally:
        progress.clear(job_id)
    return True


@functools.cache
def _columns(model) -> list[tuple[str, object]]:
    """A model's columns in order, with their defaults (all constants for Person and ContactPoint)."""
    return [(field.attname, field.get_default()) for field in model._meta.concrete_fields]


def _draft(owner: User, data: dict) -> tuple[Person, list, list[str]]:
    """An unsaved person with the derived search and sort columns create_person would give
    (a reading guessed from the name dictionary when the row has none, marked as a guess).

    Built from positional values, as Django builds rows it reads: the keyword
    path of Model.__init__ costs about as much again, which shows at 10,000 people.
    """
    values = with_guessed_reading(_person_values(data["values"])) | {"owner_id": owner.pk}
    values["last_contact_on"] = values.get("first_met_on")
    person = Person(*[values.get(name, default) for name, default in _columns(Person)])
    numbers = [point[2] for point in data["points"] if point[0] != ContactPointKind.EMAIL]
    person.search_text = build_search_text(person, [], data["tags"], [], numbers=numbers)
    person.sort_key = text.sort_key(
        person.family_reading + person.given_reading, person.family_name + person.given_name
    )
    return person, data["points"], data["tags"]


def _point(person: Person, draft: list) -> ContactPoint:
    """A contact point from a row's (kind, value, normalized[, label]); rows read before labels have three."""
    kind, value, normalized, *label = draft
    values = {"person_id": person.pk, "kind": kind, "value": value, "normalized": normalized}
    values["label"] = label[0] if label else ""
    return ContactPoint(*[values.get(name, default) for name, default in _columns(ContactPoint)])


def _tags_by_name(owner: User, names: set[str]) -> dict[str, Tag]:
    return ensure_tags(owner=owner, names=names)


def _create_people(owner: User, drafts: list[tuple[Person, list, list[str]]], *, on_batch=None) -> list[int]:
    """bulk_create the drafts with their contact points and tags, a batch at a time; a few queries per batch."""
    if not drafts:
        return []
    tags = _tags_by_name(owner, {name for _p, _points, names in drafts for name in names})
    ids = []
    for batch in _chunks(drafts):
        people = Person.objects.bulk_create([person for person, _points, _tags in batch])
        points, links = [], []
        for person, (_p, draft_points, names) in zip(people, batch, strict=True):
            points += [_point(person, draft) for draft in draft_points]
            links += [Person.tags.through(person_id=person.pk, tag_id=tags[name].pk) for name in names]
        ContactPoint.objects.bulk_create(points, batch_size=BATCH)
        Person.tags.through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        ids += [person.pk for person in people]
        if on_batch:
            on_batch(len(batch))
    return ids


def _merge_people(owner: User, duplicates: list[tuple[int, dict]], *, on_batch=None) -> list[int]:
    """Fold the rows into the people already here that they match, by the rule merge_people follows
    (contacts.rules.merge_card). Notes that would go over the limit are left out (the preview warned)."""
    if not duplicates:
        return []
    tags = _tags_by_name(owner, {name for _pk, data in duplicates for name in data["tags"]})
    by_person: dict[int, list[dict]] = defaultdict(list)
    for pk, data in duplicates:
        by_person[pk].append(data)
    merged = []
    now = timezone.now()
    today = timezone.localdate()
    for chunk in _chunks(sorted(by_person), BATCH):
        people = list(Person.objects.filter(owner=owner, pk__in=chunk).prefetch_related("contact_points", "tags"))
        points, links, career = [], [], []
        for person in people:
            have_points = {(p.kind, p.normalized) for p in person.contact_points.all()}
            have_tags = {t.pk for t in person.tags.all()}
            for data in by_person[person.pk]:
                values = _person_values(data["values"])
                before = {name: getattr(person, name) for name in CAREER_COLUMNS}
                # A reading the row gives replaces one guessed from the name dictionary.
                if person.reading_inferred and (values.get("family_reading") or values.get("given_reading")):
                    person.family_reading = values.get("family_reading") or ""
                    person.given_reading = values.get("given_reading") or ""
                    person.reading_inferred = False
                try:
                    rules.merge_card(person, values)
                except rules.NotesTooLong:
                    # Never cut: the person keeps their own notes whole.
                    rules.merge_card(person, values | {"notes": ""})
                # Blanks filled are no change of job; should a merge replace a company,
                # department or title, the career history keeps the previous card.
                after = {name: getattr(person, name) for name in CAREER_COLUMNS}
                if any(before[name] and before[name] != after[name] for name in CAREER_COLUMNS):
                    career.append(
                        CareerChange(
                            owner=owner,
                            person=person,
                            changed_on=today,
                            source=CareerSource.IMPORT,
                            **{f"old_{name}": before[name] for name in CAREER_COLUMNS},
                            **{f"new_{name}": after[name] for name in CAREER_COLUMNS},
                        )
                    )
                for draft in data["points"]:
                    if (draft[0], draft[2]) not in have_points:
                        have_points.add((draft[0], draft[2]))
                        points.append(_point(person, draft))
                for name in data["tags"]:
                    if tags[name].pk not in have_tags:
                        have_tags.add(tags[name].pk)
                        links.append(Person.tags.through(person_id=person.pk, tag_id=tags[name].pk))
            person.version += 1
            person.updated_at = now
        update_rows(Person, people, [*rules.MERGE_COLUMNS, "reading_inferred", "version", "updated_at"])
        CareerChange.objects.bulk_create(career, batch_size=BATCH)
        ContactPoint.objects.bulk_create(points, batch_size=BATCH)
        Person.tags.through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        refresh_search([person.pk for person in people])
        merged += [person.pk for person in people]
        if on_batch:
            on_batch(sum(len(by_person[person.pk]) for person in people))
    return merged


def discard_import(*, job: ImportJob) -> bool:
    """Delete a job that is not being saved right now (its rows go with it)."""
    return (
        ImportJob.objects.filter(pk=job.pk).exclude(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).delete()[0]
        > 0
    )


# Jobs whose worker or request died, and messages the broker lost


def _stale_after() -> datetime.timedelta:
    """Longer than any import or restore may run (its task's hard time limit), so a job
    still running after this has lost its worker or its request."""
    return datetime.timedelta(seconds=settings.TRANSFER_TIME_LIMIT + 60)


def reap(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Put jobs left behind by a dead worker or request where the user can go on, and send
    again the messages a broker outage lost. Returns counts per kind, for the log.

    - Reading, taken and never finished: failed, with a message (upload again or discard).
    - Saving an import, taken and never finished: back to the preview, with a message; its
      transaction rolled back, so nothing was saved and it can be confirmed again or discarded.
    - Restoring, taken and never finished: failed, with a message; nothing was restored.
    - Waiting (reading or queued) and sent more than a few minutes ago: sent again. Taking a
      job is a conditional UPDATE, so a second message for it does nothing.
    """
    from .tasks import read_import_task, run_import_task, run_restore_task

    now = now or timezone.now()
    dead = now - _stale_after()
    stalled = ImportJob.objects.filter(started_at__lt=dead)
    counts = {
        "read": stalled.filter(status=ImportStatus.READING).update(
            status=ImportStatus.FAILED,
            started_at=None,
            finished_at=now,
            message=_(
                "Reading the file stopped before it finished (the worker stopped), and nothing was saved. "
                "Upload the file again, or discard this import."
            ),
        ),
        "restore": stalled.filter(status=ImportStatus.RUNNING, format=ImportFormat.BACKUP).update(
            status=ImportStatus.FAILED,
            finished_at=now,
            message=_(
                "The restore stopped before it finished (the worker stopped), and nothing was restored. "
                "Upload the backup again."
            ),
        ),
        "import": stalled.filter(status=ImportStatus.RUNNING)
        .exclude(format=ImportFormat.BACKUP)
        .update(
            status=ImportStatus.PREVIEW,
            started_at=None,
            processed=0,
            message=_("The import stopped before it finished, and nothing was saved. Import again, or discard it."),
        ),
    }
    ImportUpload.objects.filter(job__status=ImportStatus.FAILED).delete()
    lost = now - LOST_AFTER
    waiting = ImportJob.objects.filter(started_at__isnull=True, sent_at__lt=lost)
    resend = [
        *((read_import_task, pk) for pk in waiting.filter(status=ImportStatus.READING).values_list("pk", flat=True)),
        *(
            (run_restore_task if fmt == ImportFormat.BACKUP else run_import_task, pk)
            for pk, fmt in waiting.filter(status=ImportStatus.QUEUED).values_list("pk", "format")
        ),
    ][:1000]
    for task, pk in resend:
        if enqueue.send(task, pk):
            ImportJob.objects.filter(pk=pk).update(sent_at=now)
    counts["resent"] = len(resend)
    return counts


# Restoring a backup


# Backups up to this size are restored in the request; bigger ones by the worker, with progress.
RESTORE_HERE_BYTES = 1024 * 1024


def start_restore(*, owner: User, filename: str, data: bytes, here: bool | None = None) -> ImportJob | int:
    """Restore a small backup now (return the number of people), or queue a big one for the
    worker (return its job, whose page shows the progress). Raise FileRejected (BackupRejected)
    when the account is not empty or a restore is already under way; nothing is stored then.
    """
    from .backup import BackupRejected, is_empty, restore
    from .tasks import run_restore_task

    if not is_empty(owner) or restore_under_way(owner):
        raise BackupRejected(_("Restore needs an empty account: this one already has people or events."))
    if here if here is not None else len(data) <= RESTORE_HERE_BYTES:
        return restore(owner=owner, data=data)
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=owner,
            filename=(filename or "backup.json")[:255],
            format=ImportFormat.BACKUP,
            status=ImportStatus.QUEUED,
            sent_at=timezone.now(),
        )
        ImportUpload.objects.create(job=job, data=data)
        enqueue.send_on_commit(run_restore_task, job.pk)
    return job


def restore_under_way(owner: User) -> bool:
    return ImportJob.objects.filter(
        owner=owner, format=ImportFormat.BACKUP, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).exists()


def run_restore(*, job_id: int) -> bool:
    """Restore a queued backup (the worker's half of start_restore); False when already taken.

    All or nothing, like an import: a backup refused, or any failure (the time
    budget included), leaves a failed job with a message and nothing restored.
    """
    from .backup import BackupRejected, restore

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED, format=ImportFormat.BACKUP).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if claimed != 1:
        return False
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    message = ""
    try:
        upload = ImportUpload.objects.filter(job=job).first()
        if upload is None:
            raise BackupRejected(_("The file is no longer here. Upload it again."))

        def report(phase: str, done: int, total: int) -> None:
            progress.report(job_id, phase=phase, done=done, total=total)

        count = restore(owner=job.owner, data=bytes(upload.data), on_progress=report)
    except FileRejected as error:
        message = str(error)
    except Exception:
        logger.exception("restore %s failed", job_id)
        message = _("The restore failed and nothing was restored. Try again; a very large backup may take too long.")
    finally:
        progress.clear(job_id)
    ImportUpload.objects.filter(job_id=job_id).delete()
    if message:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
        )
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE, total=count, processed=count, created_count=count, finished_at=timezone.now()
        )
    return True
