"""Business cards (名刺): photos being read, the photos kept with each person, and my own card."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import Event, Person


def card_image_path(instance: "CardImage", filename: str) -> str:
    """An unguessable name per photo, in a folder per user (the files are served only by a view)."""
    return f"cards/{instance.owner_id}/{uuid.uuid4().hex}.jpg"


class ScanState(models.TextChoices):
    READING = "reading", _("Reading")
    READ = "read", _("Read")
    SAVED = "saved", _("Saved")


class CardScan(models.Model):
    """One card photographed at an event: read by the worker, then checked and saved by the user.

    Nothing read from the card reaches a person until the user saves the row;
    `fields` holds what was read, each field with its confidence
    (`{"name": {"value": "山田 太郎", "confidence": 0.93}, ...}`).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_scans")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="card_scans")
    state = models.CharField(max_length=10, choices=ScanState, default=ScanState.READING)
    fields = models.JSONField(default=dict, blank=True)
    # For the user when the reading found nothing or could not run.
    message = models.CharField(max_length=300, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["owner", "event", "state"], name="cards_scan_owner_event")]

    def __str__(self):
        return f"card scan {self.pk} ({self.state})"

    def value(self, name: str) -> str:
        return (self.fields.get(name) or {}).get("value", "")


class Side(models.TextChoices):
    FRONT = "front", _("Front")
    BACK = "back", _("Back")


class CardImage(models.Model):
    """A photo of a card, front or back, re-encoded without metadata, kept with the person.

    It goes to the trash and back with the person (the trash keeps every row
    that cascades from a person), and into the JSON backup with its pixels.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_images")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="card_images")
    scan = models.ForeignKey(CardScan, null=True, blank=True, on_delete=models.SET_NULL, related_name="images")
    side = models.CharField(_("side"), max_length=5, choices=Side, default=Side.FRONT)
    image = models.FileField(upload_to=card_image_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["owner", "person"], name="cards_image_owner_person")]

    def __str__(self):
        return f"card image {self.pk} ({self.side})"


MY_CARD_FIELDS = ("name", "reading", "company", "title", "email", "phone", "website", "address")


class MyCard(models.Model):
    """My own details, shown as a vCard QR code for another phone to read; only the chosen fields are shared."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="my_card")
    name = models.CharField(_("name"), max_length=200, blank=True)
    reading = models.CharField(_("reading"), max_length=200, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    shared = models.JSONField(_("shared fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("my card")

    def __str__(self):
        return f"my card of {self.owner_id}"
