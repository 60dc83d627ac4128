"""The trash: a deleted person can be put back, with everything that went with them, for 30 days.

Deleting serializes every row the deletion removes (found by Django's own
deletion collector, so a model added later that cascades from Person comes
along by itself), then deletes them. Restoring inserts the rows again with
their old ids (ids are never reused), leaving out links to rows deleted in
the meantime, and sets back the pointers that deletion had emptied.

Other apps tell the trash about their own models through `register` (in their
AppConfig.ready()): rows derived from the others, rebuilt after a restore
instead of kept; rows whose pointer at the deleted person names another
person, who is announced when it changes; and what to rebuild once a person
is back. This module names no other app's model.
"""

import datetime
import json
from collections.abc import Callable
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from django.db.models import Count
from django.db.models.deletion import Collector
from django.utils import timezone

from .models import TRASH_DAYS, Meeting, Person, TrashedPerson
from .services import _announce, refresh_search

# Filled by the apps in AppConfig.ready() through `register`.
# Labels of models whose rows are rebuilt from the others after a restore: not kept.
DERIVED: set[str] = set()
# {model label: the attribute naming the person a row is about}, for rows that
# point at the deleted person (a ledger entry naming them as the person introduced).
POINTER_OWNERS: dict[str, str] = {}
# Called with (owner_id, person_id) inside the restore's transaction, once the rows are back.
ON_RESTORE: list[Callable[[int, int], None]] = []
# {model label: test(row, meeting)}: whether a row of another app, found hanging off a person
# created by a capture row, came with that row (and so is no sign of anything recorded since).
CAME_WITH_ROW: dict[str, Callable[[Any, Meeting], bool]] = {}


def register(
    *,
    derived: tuple[str, ...] = (),
    pointer_owners: dict[str, str] | None = None,
    on_restore: Callable[[int, int], None] | None = None,
    came_with_row: dict[str, Callable[[Any, Meeting], bool]] | None = None,
) -> None:
    """Tell the trash about an app's models (call from its AppConfig.ready())."""
    DERIVED.update(derived)
    CAME_WITH_ROW.update(came_with_row or {})
    POINTER_OWNERS.update(pointer_owners or {})
    if on_restore is not None and on_restore not in ON_RESTORE:
        ON_RESTORE.append(on_restore)


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, keeping the microseconds it drops from times."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _derived(model) -> bool:
    return model._meta.label in DERIVED


def _solo_meetings(person: Person) -> list[int]:
    theirs = Meeting.people.through.objects.filter(person=person).values("meeting_id")
    return list(
        Meeting.objects.filter(pk__in=theirs).annotate(n=Count("people")).filter(n=1).values_list("pk", flat=True)
    )


def _restore_order(model) -> int:
    if model is Person:
        return 0
    if model is Meeting:
        return 1
    return 3 if model._meta.auto_created else 2  # link tables last


def recorded_since(person: Person, meeting: Meeting) -> bool:
    """Whether anything was recorded on `person` besides the capture row that created them
    with `meeting`: an edit of the card (its version moved), another meeting, a ledger entry
    of another meeting, a follow-up the user made or closed, a key-person tag, someone they
    introduced... Found by Django's deletion collector, so a model added later that hangs
    off Person counts by itself; rows rebuilt by the app (tallies, suggestions, follow-ups
    the rules opened) do not.
    """
    if person.version != 1:
        return True
    using = router.db_for_write(Person)
    collector = Collector(using=using, origin=person)
    collector.collect([person])
    objects = [obj for model, found in collector.data.items() for obj in found]
    objects += [obj for qs in collector.fast_deletes for obj in qs]
    if any(obj for batches in collector.field_updates.values() for batch in batches for obj in batch):
        return True  # someone points at them: they introduced a person, are named in an entry...
    meeting_links = Meeting.people.through
    for obj in objects:
        model = type(obj)
        if obj is person or _derived(model) or model._meta.label == "contacts.ContactPoint":
            continue  # contact points come with the row; later ones moved the version
        if model._meta.auto_created and model is not meeting_links:
            continue  # tags and fields: set with the card, changed later through an edit
        if model is meeting_links and obj.meeting_id == meeting.pk:
            continue
        if model is Meeting and obj.pk == meeting.pk:
            continue
        came_with_row = CAME_WITH_ROW.get(model._meta.label)
        if came_with_row is not None and came_with_row(obj, meeting):
            continue
        return True
    return False


def trash_person(*, person: Person) -> TrashedPerson:
    """Delete a person, and the meetings that had nobody else, keeping all of it restorable."""
    using = router.db_for_write(Person)
    with transaction.atomic(using=using):
        # As stored now (the caller's copy may predate meetings logged since).
        person = Person.objects.select_for_update().get(pk=person.pk)
        owner_id, pk = person.owner_id, person.pk
        collector = Collector(using=using, origin=person)
        collector.collect([person])
        collector.collect(list(Meeting.objects.filter(pk__in=_solo_meetings(person))))
        objects = [obj for model, found in collector.data.items() if not _derived(model) for obj in found]
        objects += [obj for qs in collector.fast_deletes if not _derived(qs.model) for obj in qs]
        # A link row can be found twice (from the person and from their meeting): keep one.
        objects = list({(type(obj), obj.pk): obj for obj in objects}.values())
        objects.sort(key=lambda obj: (_restore_order(type(obj)), type(obj)._meta.label, obj.pk))
        pointers = []
        named_in = set()
        for (field, _value), batches in collector.field_updates.items():
            # Each row as it is before the deletion empties the pointer: [id, what it pointed at].
            was = sorted({(obj.pk, getattr(obj, field.attname)) for batch in batches for obj in batch})
            if was and not _derived(field.model):
                pointers.append([field.model._meta.label, field.name, [list(pair) for pair in was]])
                about = POINTER_OWNERS.get(field.model._meta.label)
                if about:
                    rows = field.model._base_manager.filter(pk__in=[pk for pk, _ in was])
                    named_in.update(rows.values_list(about, flat=True))
        trashed = TrashedPerson.objects.create(
            owner_id=owner_id,
            person_id=pk,
            name=person.display_name[:250],
            trashed_at=timezone.now(),
            rows=json.dumps(serializers.serialize("python", objects), cls=_Encoder),
            pointers=pointers,
        )
        collector.delete()
        _announce(owner_id, named_in)
    return trashed


def restore(*, trashed: TrashedPerson) -> Person:
    """Put a trashed person back with every row that went with them."""
    from django.apps import apps

    using = router.db_for_write(Person)
    with transaction.atomic(using=using):
        claimed = TrashedPerson.objects.filter(pk=trashed.pk).select_for_update().first()
        if claimed is None:
            raise Person.DoesNotExist
        items = list(serializers.deserialize("python", json.loads(claimed.rows), ignorenonexistent=True))
        # Which rows the restored ones point at still exist (one query per model pointed at).
        wanted: dict = {}
        for item in items:
            for field in item.object._meta.concrete_fields:
                if field.many_to_one or field.one_to_one:
                    value = getattr(item.object, field.attname)
                    if value is not None:
                        wanted.setdefault(field.related_model, set()).add(value)
        restored_ids = {(type(item.object), item.object.pk) for item in items}
        existing = {
            model: set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
            | {pk for m, pk in restored_ids if m is model}
            for model, ids in wanted.items()
        }
        for item in items:
            obj = item.object
            keep = True
            for field in obj._meta.concrete_fields:
                if not (field.many_to_one or field.one_to_one):
                    continue
                value = getattr(obj, field.attname)
                if value is None or value in existing[field.related_model]:
                    continue
                if field.null:
                    setattr(obj, field.attname, None)  # e.g. the event they were met at was deleted since
                else:
                    keep = False  # e.g. a link to a field or a shared meeting deleted since
            if keep:
                item.save(using=using, save_m2m=False, force_insert=True)
        named_in = []
        for label, field_name, was in claimed.pointers:
            model = apps.get_model(label)
            attname = model._meta.get_field(field_name).attname
            for target in {value for _pk, value in was}:
                ids = [pk for pk, value in was if value == target]
                # Only where nobody has set it to something else since.
                model._base_manager.filter(pk__in=ids, **{attname: None}).update(**{attname: target})
            about = POINTER_OWNERS.get(model._meta.label)
            if about:
                named_in += list(model._base_manager.filter(pk__in=[pk for pk, _ in was]).values_list(about, flat=True))
        claimed.delete()
        person = Person.objects.get(pk=claimed.person_id)
        refresh_search([person.pk])
        for rebuild in ON_RESTORE:
            rebuild(person.owner_id, person.pk)
        _announce(person.owner_id, [person.pk, *named_in])
    return person


def purge(*, now: datetime.datetime | None = None) -> int:
    """Delete for good what has been in the trash longer than TRASH_DAYS days. Returns how many."""
    now = now or timezone.now()
    return TrashedPerson.objects.filter(trashed_at__lt=now - datetime.timedelta(days=TRASH_DAYS)).delete()[0]
