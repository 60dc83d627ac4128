"""Card scanning on the capture screen, the card photos of a person, and My card."""

import datetime

import segno
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.views import AuthedRequest
from contacts.models import Event, Person
from contacts.views.capture import TEMPLATE as CAPTURE_TEMPLATE
from contacts.views.capture import _row_form

from . import ocr, services, vcard
from .extract import CHECK_BELOW
from .forms import CardExtrasForm, MyCardForm, ScanUploadForm
from .models import MY_CARD_FIELDS, CardImage, CardScan, MyCard, ScanState

PANEL = "cards/scan_panel.html"
# Identity fields of the capture row filled from a card, by the name the card reader gives them.
ROW_FIELDS = ("name", "reading", "company", "title", "email", "phone")
EXTRA_FIELDS = ("department", "phone", "mobile", "fax", "address", "website", "linkedin")
# A card still unread after this long: the worker is probably not running.
STALE = datetime.timedelta(minutes=2)


def _open_scans(owner, event: Event):
    return CardScan.objects.filter(owner=owner, event=event).exclude(state=ScanState.SAVED).prefetch_related("images")


def _panel_context(request: AuthedRequest, event: Event, **extra) -> dict:
    return {
        "event": event,
        "scans": list(_open_scans(request.user, event)),
        "reader": ocr.status(),
        "upload_form": ScanUploadForm(),
        **extra,
    }


@login_required
@require_GET
def scan_panel(request: AuthedRequest, event_id: int) -> HttpResponse:
    """The scan buttons and the cards of this event waiting to be checked."""
    event = get_object_or_404(Event, pk=event_id, owner=request.user)
    return render(request, f"{PANEL}#card-scans", _panel_context(request, event))


@login_required
@require_POST
def scan_upload(request: AuthedRequest, event_id: int) -> HttpResponse:
    """Take one or more card photos; each becomes a row read by the worker."""
    event = get_object_or_404(Event, pk=event_id, owner=request.user)
    form = ScanUploadForm(request.POST, request.FILES)
    refused = []
    if form.is_valid():
        _scans, refused = services.start_scans(
            owner=request.user, event=event, uploads=form.cleaned_data["photos"], paired=form.cleaned_data["paired"]
        )
    if not request.htmx:
        return redirect(f"{_capture_url(event)}")
    context = _panel_context(request, event, refused=refused)
    context["upload_form"] = form if not form.is_valid() else ScanUploadForm()
    return render(request, f"{PANEL}#card-scans", context, status=200 if form.is_valid() else 422)


def _capture_url(event: Event) -> str:
    from django.urls import reverse

    return f"{reverse('contacts:capture')}?event={event.pk}"


def _scan(request: AuthedRequest, scan_id: int) -> CardScan:
    return get_object_or_404(CardScan.objects.select_related("event"), pk=scan_id, owner=request.user)


@login_required
@require_GET
def scan_row(request: AuthedRequest, scan_id: int) -> HttpResponse:
    """One scanned card's row; polled while the worker reads it."""
    scan = _scan(request, scan_id)
    stale = scan.state == ScanState.READING and timezone.now() - scan.created_at > STALE
    return render(request, f"{PANEL}#card-scan", {"scan": scan, "event": scan.event, "stale": stale})


@login_required
@require_GET
def scan_form(request: AuthedRequest, scan_id: int) -> HttpResponse:
    """The capture row filled in from a read card, for the user to check, correct and save."""
    scan = _scan(request, scan_id)
    if scan.state == ScanState.SAVED:
        raise Http404
    event = scan.event
    found = scan.fields
    form = _row_form(request)
    form.initial = {name: found[name]["value"] for name in ROW_FIELDS if name in found and name in form.fields}
    for name in ROW_FIELDS:
        if name in found and name in form.fields and found[name]["confidence"] < CHECK_BELOW:
            form.fields[name].widget.attrs["class"] = (
                form.fields[name].widget.attrs.get("class", "") + " card-check"
            ).strip()
            form.fields[name].widget.attrs["aria-description"] = _("Read from the card with low confidence: check it.")
    extras = CardExtrasForm(
        owner=request.user,
        event=event,
        initial={"scan": scan.pk} | {n: found[n]["value"] for n in EXTRA_FIELDS if n in found and n not in form.fields},
    )
    extras.scan_obj = scan
    for name in EXTRA_FIELDS:
        if name in found and name in extras.fields and found[name]["confidence"] < CHECK_BELOW:
            extras.fields[name].widget.attrs["class"] = "card-check"
    form.extras = [extras]
    return render(request, f"{CAPTURE_TEMPLATE}#capture-form", {"event": event, "form": form})


@login_required
@require_POST
def scan_discard(request: AuthedRequest, scan_id: int) -> HttpResponse:
    scan = _scan(request, scan_id)
    if scan.state == ScanState.SAVED:
        raise Http404
    event = scan.event
    services.discard(scan=scan)
    if not request.htmx:
        return redirect(_capture_url(event))
    return HttpResponse("")


@login_required
@require_GET
def card_image(request: AuthedRequest, image_id: int) -> FileResponse:
    """A card photo, to its owner only: never a public URL, never sniffed as anything but a JPEG."""
    image = get_object_or_404(CardImage, pk=image_id, owner=request.user)
    try:
        handle = image.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="card-{image.pk}.jpg"'
    return response


@login_required
@require_GET
def person_cards(request: AuthedRequest, person_id: int) -> HttpResponse:
    """The card photos kept with a person (a panel of the person page)."""
    person = get_object_or_404(Person, pk=person_id, owner=request.user)
    card_images = CardImage.objects.filter(owner=request.user, person=person).order_by("side", "pk")
    # Front first: "back" sorts before "front", so reverse the side order.
    card_images = sorted(card_images, key=lambda i: (i.side != "front", i.pk))
    return render(request, "cards/person_cards.html", {"person": person, "card_images": card_images})


@login_required
def my_card(request: AuthedRequest) -> HttpResponse:
    """My own details as a vCard QR code, with the fields I chose to share."""
    card = MyCard.objects.filter(owner=request.user).first() or MyCard(owner=request.user)
    if request.method == "POST":
        form = MyCardForm(request.POST, instance=card)
        if form.is_valid():
            card = form.save()
            return redirect("cards:my_card")
        status = 422
    else:
        form = MyCardForm(instance=card)
        status = 200
    text = vcard.my_vcard(card) if card.pk else ""
    # A PNG data URI (the CSP allows data: images): the page stays one request and works offline.
    qr_png = segno.make(text, error="m").png_data_uri(scale=6, border=4) if text else ""
    shared = [
        (MyCard._meta.get_field(n).verbose_name, getattr(card, n))
        for n in MY_CARD_FIELDS
        if n in card.shared and getattr(card, n)
    ]
    return render(
        request,
        "cards/my_card.html",
        {"form": form, "card": card, "qr_png": qr_png, "vcard": text, "shared": shared},
        status=status,
    )
