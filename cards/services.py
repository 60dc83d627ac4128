"""Card scans: store the photos, read them on the worker, and attach them to the person saved."""

import logging
import time
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from accounts.models import User
from contacts.models import Event, Person

from . import extract, images, ocr, qr
from .models import CardImage, CardScan, ScanState, Side

log = logging.getLogger(__name__)
MAX_FILES = 20


@dataclass(frozen=True)
class Refused:
    """A file that was not taken, and why (for the user)."""

    filename: str
    reason: str


def start_scans(
    *, owner: User, event: Event, uploads: list, paired: bool = False
) -> tuple[list[CardScan], list[Refused]]:
    """Check each photo, store the good ones, and queue one scan per card (front and back when paired).

    A file that is not a usable photo is refused with its reason and leaves
    nothing behind; the others go ahead. Reading happens on the worker.
    """
    from .tasks import read_card

    photos, refused = [], []
    for upload in uploads[:MAX_FILES]:
        name = str(getattr(upload, "name", ""))[:80]
        try:
            if upload.size > images.MAX_BYTES:
                raise images.ImageRejected(_("This file is larger than 20 MB."))
            photos.append((name, images.load(upload.read())))
        except images.ImageRejected as error:
            refused.append(Refused(name, str(error)))
    refused += [
        Refused(str(getattr(u, "name", ""))[:80], _("Too many photos at once (at most 20)."))
        for u in uploads[MAX_FILES:]
    ]
    groups = [photos[i : i + 2] for i in range(0, len(photos), 2)] if paired else [[p] for p in photos]
    scans = []
    with transaction.atomic():
        for group in groups:
            scan = CardScan.objects.create(owner=owner, event=event)
            for side, (_name, photo) in zip((Side.FRONT, Side.BACK), group, strict=False):
                card_image = CardImage(owner=owner, scan=scan, side=side, width=photo.width, height=photo.height)
                card_image.image.save("card.jpg", ContentFile(photo.data), save=False)
                card_image.save()
            scans.append(scan)
            read_card.delay_on_commit(scan.pk)
    return scans, refused


def _merge(target: dict, found: dict[str, extract.Value] | dict[str, str], *, confidence: float | None = None) -> None:
    for name, value in found.items():
        if isinstance(value, extract.Value):
            value, score = value.value, value.confidence
        else:
            score = confidence if confidence is not None else 1.0
        if value and (name not in target or target[name]["confidence"] < score):
            target[name] = {"value": value, "confidence": score}


def read_scan(*, scan_id: int) -> CardScan | None:
    """Read a scan's photos (OCR and QR) and store the fields found; a scan already read is left alone."""
    scan = CardScan.objects.filter(pk=scan_id, state=ScanState.READING).first()
    if scan is None:
        return None
    started = time.monotonic()
    fields: dict = {}
    messages = []
    status = ocr.status()
    for card_image in scan.images.order_by("side", "pk"):  # "back" < "front": the front overwrites ties
        with card_image.image.open("rb") as stored:
            picture = Image.open(stored)
            picture.load()
        for text in qr.decode(picture):
            # A code on the card is what the person chose to share: taken as read.
            _merge(fields, qr.parse(text), confidence=1.0)
        if status.available:
            try:
                found = extract.extract(ocr.read_lines(picture))
            except Exception:  # a reader failure leaves the row to be typed, with the photo
                log.exception("card scan %s: OCR failed", scan.pk)
                found = {}
            if card_image.side == Side.BACK:
                found = {k: extract.Value(v.value, v.confidence * 0.95) for k, v in found.items()}
            _merge(fields, found)
    if not status.available:
        messages.append(
            _("Card text could not be read: this server lacks %(missing)s.") % {"missing": ", ".join(status.missing)}
        )
    elif not fields:
        messages.append(_("Nothing could be read from this photo. Type the details; the photo is kept with the row."))
    updated = CardScan.objects.filter(pk=scan.pk, state=ScanState.READING).update(
        state=ScanState.READ,
        fields=fields,
        message=" ".join(messages)[:300],
        seconds=round(time.monotonic() - started, 2),
    )
    return scan if updated else None


def claim(*, scan: CardScan, person: Person) -> bool:
    """Mark the scan saved as this person, once: False when another save (another tab) took it first.

    A conditional UPDATE: of two saves racing, the second waits for the
    first's row lock (PostgreSQL) or its write lock (SQLite), then finds the
    scan no longer unsaved and changes nothing.
    """
    claimed = (
        CardScan.objects.filter(pk=scan.pk, owner_id=scan.owner_id)
        .exclude(state=ScanState.SAVED)
        .update(state=ScanState.SAVED, person=person)
    )
    return claimed == 1


def attach(*, scan: CardScan, person: Person) -> bool:
    """Keep the scan's photos with the person saved from it, and mark the scan saved.

    Returns False, changing nothing, when the scan was already saved.
    """
    if not claim(scan=scan, person=person):
        return False
    scan.images.filter(person__isnull=True).update(person=person)
    scan.state, scan.person = ScanState.SAVED, person
    return True


def discard(*, scan: CardScan) -> None:
    """Drop a scan the user does not want, and its photos not yet kept with anyone."""
    for card_image in scan.images.filter(person__isnull=True):
        card_image.image.delete(save=False)
        card_image.delete()
    scan.delete()
