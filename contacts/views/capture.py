"""Capture at an event: log the people met there, one row at a time, on a phone."""

import re
import uuid
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.views import AuthedRequest
from ledger.services import add_captured_entry

from .. import firstrun, matching, services
from ..forms import CaptureRowForm, EventForm, normalize_phone, split_name, split_reading
from ..models import (
    Event,
    Meeting,
    Person,
    Wish,
)
from ..signals import RowConflict, capture_row_extras

TEMPLATE = "contacts/capture.html"
RECENT_EVENTS = 8
MATCH_QUERY_MAX = 200
EVENT_ID = re.compile(r"[0-9]{1,18}")
ROW_PERSON_COLUMNS = (
    "pk",
    "family_name",
    "given_name",
    "family_reading",
    "given_reading",
    "reading_inferred",
    "company",
    "title",
)


@dataclass
class Row:
    """One line of the log: a meeting at the event and whom it was with."""

    pk: int
    people: list[Person]
    memo: str = ""
    known: bool = False  # someone already in the notebook, met again
    undone: bool = False
    kept: list[Person] = field(default_factory=list)
    trashed: list[Person] = field(default_factory=list)
    can_undo: bool = True

    @classmethod
    def of(cls, meeting: Meeting) -> "Row":
        people = list(meeting.people.all())
        return cls(
            pk=meeting.pk,
            people=people,
            memo=meeting.summary,
            known=not meeting.created_person,
            can_undo=bool(people) and services.can_undo(meeting),
        )


def _capture_url(event: Event) -> str:
    return f"{reverse('contacts:capture')}?event={event.pk}"


def _row_form(request: AuthedRequest, data=None) -> CaptureRowForm:
    """The row form, dressed for fast typing on a phone."""
    form = CaptureRowForm(data, owner=request.user)
    form.identity_fields = ["name", "reading", "company", "title", "phone", "email"]
    placeholders = {
        "name": _("e.g. Jane Smith"),
        "reading": _("e.g. やまだ たろう"),
        "email": "name@example.com",
        "memo": _("What you talked about, in a line"),
        "ledger_description": _("e.g. Told them about a grant"),
    }
    placeholders["phone"] = "090-1234-5678"
    # The keyboard's action key moves on through the row; on the last field it saves.
    for name in [*form.identity_fields, "memo", "ledger_description"]:
        attrs = form.fields[name].widget.attrs
        attrs.update(autocomplete="off", enterkeyhint="done" if name in ("memo", "ledger_description") else "next")
        if name in placeholders:
            attrs["placeholder"] = placeholders[name]
    for name in ("name", "reading", "company", "email", "phone"):
        form.fields[name].widget.attrs["class"] = "capture-watch"
    form.fields["name"].widget.attrs.update({"autofocus": True, "data-reading-target": "id_reading"})
    form.fields["reading"].widget.attrs["data-reading-of"] = "id_name"
    form.fields["email"].widget.attrs.update(autocapitalize="off", inputmode="email")
    form.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
    want = form.fields["want_again"]
    want.widget = forms.RadioSelect()
    want.choices = [(w.value, w.label) for w in (Wish.YES, Wish.UNKNOWN, Wish.NO)]
    return form


def _row_extras(request: AuthedRequest, event: Event, data) -> list:
    """Forms other apps add to a row (cards: the details and photos of a scanned card)."""
    replies = capture_row_extras.send(sender=CaptureRowForm, request=request, data=data, event=event)
    return [extra for _receiver, extra in replies if extra is not None]


def _event_form(request: AuthedRequest, data=None) -> EventForm:
    """A short event form: name, kind, date and place, defaulting to today and the last place."""
    last_place = (
        Event.objects.filter(owner=request.user)
        .exclude(place="")
        .order_by("-created_at", "-pk")
        .values_list("place", flat=True)
        .first()
    )
    form = EventForm(data, initial={"date": timezone.localdate(), "place": last_place or ""})
    for name in ("goal", "notes"):
        del form.fields[name]
    form.fields["name"].widget.attrs.update(placeholder=_("e.g. Shibuya cross-industry mixer"), autocomplete="off")
    return form


def _picker_context(request: AuthedRequest, event_form: EventForm) -> dict:
    recent = (
        Event.objects.filter(owner=request.user)
        .annotate(logged=Count("meetings"))
        .order_by("-date", "-pk")[:RECENT_EVENTS]
    )
    return {"event": None, "event_form": event_form, "recent_events": recent}


def _logged(request: AuthedRequest, event: Event) -> QuerySet:
    """The meetings logged at the event, as the log shows them: newest first."""
    return Meeting.objects.filter(owner=request.user, event=event).order_by("-created_at", "-pk")


def _event_context(request: AuthedRequest, event: Event, form: CaptureRowForm | None, meetings=None) -> dict:
    """The capture page's context; `meetings` when the log's meetings were read already."""
    meetings = list(_logged(request, event) if meetings is None else meetings)
    prefetch_related_objects(meetings, Prefetch("people", queryset=Person.objects.only(*ROW_PERSON_COLUMNS)))
    rows = [Row.of(meeting) for meeting in meetings]
    return {"event": event, "form": form, "rows": rows, "count": len(rows)}


def _logged_count(event: Event) -> int:
    return Meeting.objects.filter(owner=event.owner_id, event=event).count()


def _form_response(request: AuthedRequest, event: Event, form: CaptureRowForm, guard=None) -> HttpResponse:
    """Show the row form again with its messages (or the people it may duplicate); nothing was saved."""
    extra = {"guard": guard, "matches": guard} if guard else {}
    if request.htmx:
        return render(request, f"{TEMPLATE}#capture-form", {"event": event, "form": form, **extra})
    context = _event_context(request, event, form) | extra
    return render(request, TEMPLATE, context, status=409 if guard else 422)


def _conflict_response(request: AuthedRequest, event: Event, form: CaptureRowForm) -> HttpResponse:
    """The row again after an extra found its part taken meanwhile (the same card saved in another
    tab): nothing of it was saved, and the extras, validated afresh, say what happened."""
    for extra in form.extras:
        extra.full_clean()
    return _form_response(request, event, form)


def _row_clues(data: dict) -> matching.Clues:
    """What a valid row says about the person, for the duplicate guard."""
    family, given = split_name(data.get("name") or "")
    phone = data.get("phone")
    return matching.Clues(
        family_name=family,
        given_name=given,
        reading=data.get("reading") or "",
        company=data.get("company") or "",
        email=matching.email_key(data.get("email") or ""),
        phone=phone[2] if phone else "",
    )


def _saved_response(request: AuthedRequest, event: Event, meeting: Meeting, note: str = "") -> HttpResponse:
    """A fresh row form for the next person, with the saved row added to the log."""
    if not request.htmx:
        messages.success(request, note)
        return redirect(_capture_url(event))
    context = {
        "event": event,
        "form": _row_form(request),
        "saved": Row.of(meeting),
        "note": note,
        "count": _logged_count(event),
    }
    response = render(request, f"{TEMPLATE}#capture-form", context)
    # The offline queue (static/js/capture.js) learns from this that the row is saved.
    response["X-Capture-Saved"] = str(meeting.pk)
    return response


def _capture_key(request: AuthedRequest) -> uuid.UUID | None:
    """The row's key (a UUID the page or the phone made); anything else counts as no key."""
    try:
        return uuid.UUID(request.POST.get("capture_key", ""))
    except ValueError:
        return None


def _already_saved(request: AuthedRequest, event: Event, meeting: Meeting) -> HttpResponse:
    """The answer to a row sent again (retry, offline queue, double tap): saved once, nothing more."""
    names = ", ".join(p.display_name for p in meeting.people.all())
    note = _("Already saved: %(name)s.") % {"name": names}
    if not request.htmx:
        messages.info(request, note)
        return redirect(_capture_url(event))
    context = {"event": event, "form": _row_form(request), "note": note}
    response = render(request, f"{TEMPLATE}#capture-form", context)
    response["X-Capture-Saved"] = str(meeting.pk)
    return response


@login_required
def capture(request: AuthedRequest) -> HttpResponse:
    """Pick or create the event; with ?event=<id>, the rows to log people met there."""
    raw = request.GET.get("event", "")
    if not raw:
        # A new account lands on the first-run checklist, not on an empty picker.
        if "start" not in request.GET and firstrun.is_new(request.user):
            return render(request, "contacts/welcome.html", {"steps": firstrun.steps(request.user)})
        context = _picker_context(request, _event_form(request))
        return render(request, TEMPLATE, context | {"steps": firstrun.shown_on_capture(request.user)})
    if not EVENT_ID.fullmatch(raw):
        raise Http404
    event = get_object_or_404(Event, pk=int(raw), owner=request.user)
    return render(request, TEMPLATE, _event_context(request, event, _row_form(request)))


@login_required
@require_POST
def capture_event_create(request: AuthedRequest) -> HttpResponse:
    form = _event_form(request, request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, f"{TEMPLATE}#capture-event-form", {"event_form": form})
        return render(request, TEMPLATE, _picker_context(request, form), status=422)
    event = form.save(commit=False)
    event.owner = request.user
    event.save()
    if request.htmx:
        return HttpResponseClientRedirect(_capture_url(event))
    return redirect(_capture_url(event))


@login_required
@require_POST
def capture_row(request: AuthedRequest, event_id: int) -> HttpResponse:
    """Save one row: a new person and their first meeting at the event."""
    event = get_object_or_404(Event, pk=event_id, owner=request.user)
    key = _capture_key(request)
    saved = services.capture_saved(owner=request.user, key=key)
    if saved is not None:
        return _already_saved(request, event, saved)
    form = _row_form(request, request.POST)
    form.extras = _row_extras(request, event, request.POST)
    if not all([form.is_valid(), *(extra.is_valid() for extra in form.extras)]):
        return _form_response(request, event, form)
    # The guard runs here, on the server, whatever the suggestions showed (or
    # had not shown yet when Enter was pressed): a strong match and no choice
    # sends the row back with both choices, saving nothing.
    if request.POST.get("duplicate") != "new":
        clues = _row_clues(form.cleaned_data)
        guard = matching.strong(matching.suggest(request.user, clues), clues)
        if guard:
            # The same row sent again while its first send was saving: that send stands.
            saved = services.capture_saved(owner=request.user, key=key)
            if saved is not None:
                return _already_saved(request, event, saved)
            return _form_response(request, event, form, guard=guard)
    try:
        with transaction.atomic():
            result = services.capture_person(
                owner=request.user,
                event=event,
                values=form.person_values(),
                fields=form.cleaned_data["fields"],
                memo=form.cleaned_data["memo"].strip(),
                contact_points=form.contact_points(),
                capture_key=key,
            )
            add_captured_entry(
                owner=request.user, person=result.person, meeting=result.meeting, values=form.ledger_values()
            )
            for extra in form.extras:
                extra.save(person=result.person)
    except IntegrityError:
        # The same row, sent twice at once: the other send saved it.
        saved = services.capture_saved(owner=request.user, key=key)
        if saved is None:
            raise
        return _already_saved(request, event, saved)
    except RowConflict:
        return _conflict_response(request, event, form)
    note = _("Saved %(name)s.") % {"name": result.person.display_name}
    return _saved_response(request, event, result.meeting, note)


@login_required
@require_GET
def capture_log(request: AuthedRequest, event_id: int) -> HttpResponse:
    """The event's log as it is now, for a page that may be behind: rows saved or undone in
    another tab or on another device. `?shown=` holds the ids of the rows the page shows, newest
    first, comma-separated; when they are the log's, the answer is 204 and the page changes
    nothing. Anything else gets the whole log."""
    event = get_object_or_404(Event, pk=event_id, owner=request.user)
    shown = request.GET.get("shown", "")
    logged = list(_logged(request, event))
    if shown == ",".join(str(meeting.pk) for meeting in logged):
        return HttpResponse(status=204)
    return render(request, f"{TEMPLATE}#capture-log", _event_context(request, event, None, logged))


@login_required
@require_GET
def capture_matches(request: AuthedRequest, event_id: int) -> HttpResponse:
    """People already in the notebook who may be the one being typed."""
    event = get_object_or_404(Event, pk=event_id, owner=request.user)

    def typed(key: str) -> str:
        return request.GET.get(key, "").replace("\x00", "").strip()[:MATCH_QUERY_MAX]

    family, given = split_name(typed("name"))
    phone = ""
    if typed("phone"):
        try:
            phone = normalize_phone(typed("phone"))[1]
        except ValidationError:
            phone = ""
    clues = matching.Clues(
        family_name=family,
        given_name=given,
        reading=typed("reading"),
        company=typed("company"),
        email=matching.email_key(typed("email")),
        phone=phone,
    )
    matches = matching.suggest(request.user, clues)
    logged_here = Meeting.people.through.objects.filter(
        meeting__event=event, person_id__in=[m.person.pk for m in matches]
    )
    met_here = set(logged_here.values_list("person_id", flat=True))
    context = {"event": event, "matches": matches, "met_here": met_here}
    return render(request, f"{TEMPLATE}#capture-matches", context)


@login_required
@require_POST
def capture_existing(request: AuthedRequest, event_id: int, person_id: int) -> HttpResponse:
    """Log a meeting at the event with someone already known instead of a duplicate."""
    event = get_object_or_404(Event, pk=event_id, owner=request.user)
    person = get_object_or_404(Person, pk=person_id, owner=request.user)
    key = _capture_key(request)
    saved = services.capture_saved(owner=request.user, key=key)
    if saved is not None:
        return _already_saved(request, event, saved)
    # The tap sends the whole row: what it adds to the card is kept (the name,
    # which may be spelt differently, is not). A row that is wrong anywhere
    # else comes back with its messages, nothing saved.
    form = _row_form(request, request.POST)
    # A number an import kept as written on this person may be typed again as it is.
    form.fields["phone"].known = {p.value for p in person.contact_points.all() if p.is_unverified}
    # A scanned card's details and photos come along: the photos are kept with this person.
    form.extras = _row_extras(request, event, request.POST)
    form.is_valid()
    if "name" in form.errors:
        del form.errors["name"]
    if not all([not form.errors, *(extra.is_valid() for extra in form.extras)]):
        return _form_response(request, event, form)
    if Meeting.objects.filter(owner=request.user, event=event, people=person).exists():
        note = _("%(name)s is already logged at this event.") % {"name": person.display_name}
        if not request.htmx:
            messages.info(request, note)
            return redirect(_capture_url(event))
        context = {"event": event, "form": _row_form(request), "note": note}
        return render(request, f"{TEMPLATE}#capture-form", context)
    data = form.cleaned_data
    family_reading, given_reading = split_reading(data.get("reading") or "")
    values = {}
    contact_points = list(form.contact_points())
    for extra in form.extras:
        # What a card adds (department, address, more numbers) is kept like what the row says.
        values |= extra.details()
        contact_points += extra.contact_points()
    values |= {
        "family_reading": family_reading,
        "given_reading": given_reading,
        "company": (data.get("company") or "").strip(),
        "title": (data.get("title") or "").strip(),
        "i_want_to_meet_again": data.get("want_again") or "",
    }
    try:
        with transaction.atomic():
            result = services.capture_existing(
                owner=request.user,
                event=event,
                person=person,
                memo=data.get("memo", "").strip(),
                capture_key=key,
                values=values,
                fields=data.get("fields") or (),
                contact_points=contact_points,
            )
            add_captured_entry(owner=request.user, person=person, meeting=result.meeting, values=form.ledger_values())
            for extra in form.extras:
                extra.save(person=person, known=True)
    except IntegrityError:
        saved = services.capture_saved(owner=request.user, key=key)
        if saved is None:
            raise
        return _already_saved(request, event, saved)
    except RowConflict:
        return _conflict_response(request, event, form)
    note = _("Logged %(name)s, met again.") % {"name": person.display_name}
    if result.updated:
        note = _("Logged %(name)s, met again; their card took the new details.") % {"name": person.display_name}
    return _saved_response(request, event, result.meeting, note)


@login_required
@require_POST
def capture_undo(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    """Take a row back: its meeting, and the person when the row created them."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("event"),
        pk=meeting_id,
        owner=request.user,
        event__isnull=False,
    )
    event = meeting.event
    row = Row.of(meeting)
    if not row.can_undo:
        # A stale page (or another tab) still showed the button: show the row without it.
        if request.htmx:
            return render(request, f"{TEMPLATE}#capture-row", {"event": event, "row": row})
        messages.warning(request, _("This row can no longer be undone. Edit or delete the meeting instead."))
        return redirect(_capture_url(event))
    undone = services.undo_capture(meeting=meeting)
    row.undone, row.kept, row.trashed = True, undone.kept, undone.trashed
    if not request.htmx:
        if undone.kept:
            messages.success(request, _("Only the meeting was removed: something was recorded on them after this row."))
        elif undone.trashed:
            messages.success(request, _("The row was undone. The person is in the trash for 30 days."))
        else:
            messages.success(request, _("The row was undone."))
        return redirect(_capture_url(event))
    context = {"event": event, "row": row, "count": _logged_count(event)}
    return render(request, f"{TEMPLATE}#capture-row", context)
