"""The give-and-take ledger: entries on the person page, the overview and its settings."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.views import AuthedRequest
from contacts.forms import MAX_ID
from contacts.models import Field, Meeting, Person
from contacts.selectors import person_meeting_ids, recent_people

from . import selectors, services
from .forms import LedgerEntryForm, LedgerFilterForm, LedgerSettingsForm, LoanReturnForm
from .models import LedgerEntry, LedgerSettings

PANEL = "ledger/person_ledger.html"
ENTRIES_SHOWN = 100
MEETING_CHOICES_SHOWN = 50
PEOPLE_CHOICES_SHOWN = 50
OVERVIEW_PAGE_SIZE = 50
MAX_PAGE = 10_000
LABEL_COLUMNS = ("pk", "family_name", "given_name", "family_reading", "given_reading", "company", "status")


def _one_id(value) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _label(person: Person) -> str:
    return f"{person.display_name} ({person.company})" if person.company else person.display_name


def _dress_entry_form(
    form: LedgerEntryForm, owner, person: Person, meeting_ids: list[int] | None = None
) -> LedgerEntryForm:
    """Offer the person's recent meetings and recently met people, plus whatever is selected.

    Validation still runs against every meeting with the person and every
    person of the owner.
    """
    if meeting_ids is None:
        meeting_ids = person_meeting_ids(person)
    meetings = list(Meeting.objects.filter(pk__in=meeting_ids).order_by("-date", "-pk")[:MEETING_CHOICES_SHOWN])
    chosen = _one_id(form["meeting"].value())
    if chosen and chosen not in {m.pk for m in meetings} and chosen in meeting_ids:
        meetings += list(Meeting.objects.filter(pk=chosen))
    form.fields["meeting"].choices = [("", _("No meeting"))] + [(m.pk, str(m)) for m in meetings]
    people = list(recent_people(owner, exclude_pk=person.pk).only(*LABEL_COLUMNS)[:PEOPLE_CHOICES_SHOWN])
    chosen = _one_id(form["introduced_person"].value())
    if chosen and chosen not in {p.pk for p in people}:
        people = list(Person.objects.filter(owner=owner, pk=chosen).exclude(pk=person.pk).only(*LABEL_COLUMNS)) + people
    form.fields["introduced_person"].choices = [("", _("Nobody named"))] + [(p.pk, _label(p)) for p in people]
    return form


def _entry_form(request: AuthedRequest, person: Person, data=None, **kwargs) -> LedgerEntryForm:
    form = LedgerEntryForm(data, owner=request.user, person=person, **kwargs)
    return _dress_entry_form(form, request.user, person)


def ledger_context(
    request: AuthedRequest, person: Person, form: LedgerEntryForm | None = None, *, with_form: bool = False, **extra
) -> dict:
    """The person page's give-and-take panel: balance, chart, entries, and the add form when it is open.

    The form (its meeting and people choices cost queries and widgets) is
    built only when asked for: `form`, or `with_form`.
    """
    today = timezone.localdate()
    entries = (
        selectors.person_entries(person)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("person", queryset=Person.objects.only(*LABEL_COLUMNS)),
            Prefetch("introduced_person", queryset=Person.objects.only(*LABEL_COLUMNS)),
        )
        .order_by("-date", "-pk")
    )
    return {
        "person": person,
        "ledger_entries": entries[:ENTRIES_SHOWN],
        "ledger_count": entries.count(),
        "balance": selectors.person_balance(person, today=today),
        "series": selectors.balance_series(person, today=today),
        "ledger_form": form or (_entry_form(request, person) if with_form else None),
        "today": today,
        **extra,
    }


def _page_person(request: AuthedRequest, entry: LedgerEntry) -> Person:
    """The person whose page sent the request: the entry's person or the one it introduced."""
    shown = _one_id(request.POST.get("on"))
    if shown and shown in (entry.person_id, entry.introduced_person_id):
        return Person.objects.get(pk=shown, owner=request.user)
    return entry.person


def _ledger_response(request: AuthedRequest, person: Person, note: str = "", **extra) -> HttpResponse:
    """After a save: the panel again (htmx), telling the page the ledger changed; else back to the person."""
    if request.htmx:
        response = render(request, PANEL, ledger_context(request, person, note=note, **extra))
        # Other panels that follow the ledger (follow-ups) reload on this event.
        response["HX-Trigger"] = "ledger-changed"
        return response
    if note:
        messages.success(request, note)
    return redirect(person.get_absolute_url() + "#ledger")


def _initial(request: AuthedRequest, person: Person) -> dict:
    """The add form's starting values: today, or the meeting (and direction) the link named."""
    initial = {"date": timezone.localdate()}
    meeting_id = _one_id(request.GET.get("meeting"))
    meeting = Meeting.objects.filter(owner=request.user, people=person, pk=meeting_id).first() if meeting_id else None
    if meeting:
        initial |= {"meeting": meeting.pk, "date": meeting.date}
    if request.GET.get("direction") in ("gave", "received"):
        initial["direction"] = request.GET["direction"]
    return initial


@login_required
@require_GET
def person_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person page's give-and-take panel, fetched by the page (htmx) or opened by its plain link.

    The add form comes along when a link asks for it (`?meeting=`, `?form=1`)
    and on the plain page; otherwise it loads when opened.
    """
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    wants_form = not request.htmx or any(request.GET.get(key) for key in ("meeting", "direction", "form"))
    form = _entry_form(request, person, initial=_initial(request, person)) if wants_form else None
    context = ledger_context(request, person, form, form_open=form is not None)
    if request.htmx:
        return render(request, PANEL, context)
    return render(request, "components/panel_page.html", context | {"panel_template": PANEL})


@login_required
@require_http_methods(["GET", "POST"])
def ledger_entry_create(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.method == "POST":
        form = _entry_form(request, person, request.POST)
        if form.is_valid():
            services.add_ledger_entry(owner=request.user, person=person, values=form.ledger_values())
            # The form stays open, empty, for the next entry.
            return _ledger_response(request, person, _("The entry was added."), with_form=True)
        if request.htmx:
            return render(request, PANEL, ledger_context(request, person, form, form_open=True))
        return render(request, "ledger/entry_form.html", {"form": form, "person": person}, status=422)
    form = _entry_form(request, person, initial=_initial(request, person))
    if request.htmx and request.htmx.target == "ledger-form":
        # Opened from a meeting, the details below (where the meeting is) show open too.
        context = {"person": person, "ledger_form": form, "form_open": bool(request.GET.get("meeting"))}
        return render(request, f"{PANEL}#ledger-form", context)
    return render(request, "ledger/entry_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def ledger_entry_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(LedgerEntry.objects.select_related("person"), pk=pk, owner=request.user)
    person = entry.person
    if request.method == "POST":
        form = _entry_form(request, person, request.POST, instance=entry)
        if form.is_valid():
            services.update_ledger_entry(entry=entry, values=form.ledger_values())
            messages.success(request, _("The entry was saved."))
            return redirect(person.get_absolute_url() + "#ledger")
        status = 422
    else:
        form = _entry_form(request, person, instance=entry)
        status = 200
    return render(request, "ledger/entry_form.html", {"form": form, "person": person, "entry": entry}, status=status)


@login_required
@require_POST
def ledger_entry_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(LedgerEntry.objects.select_related("person"), pk=pk, owner=request.user)
    shown = _page_person(request, entry)
    services.delete_ledger_entry(entry=entry)
    return _ledger_response(request, shown, _("The entry was deleted."))


@login_required
@require_POST
def ledger_entry_return(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record how much of a loan has come back (all of it when no amount is typed)."""
    entry = get_object_or_404(LedgerEntry.objects.select_related("person"), pk=pk, owner=request.user)
    shown = _page_person(request, entry)
    form = LoanReturnForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.mark_loan_returned(
                entry=entry, on=form.cleaned_data["returned_on"], returned=form.cleaned_data["returned"]
            )
        except ValueError as refused:
            error = str(refused)
    else:
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    if error:
        if request.htmx:
            return render(request, PANEL, ledger_context(request, shown, return_error=(entry.pk, error)))
        messages.error(request, error)
        return redirect(shown.get_absolute_url() + "#ledger")
    return _ledger_response(request, shown, _("The return was recorded."))


def _period(data: dict) -> tuple[str, datetime.date | None, datetime.date | None]:
    period = data.get("period") or selectors.PERIOD_YEAR
    if period == "custom":
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            start, end = end, start
        return period, start, end
    return period, None, None


@login_required
@require_GET
def ledger_overview(request: AuthedRequest) -> HttpResponse:
    """Everyone with entries, most unbalanced first, with the flags to act on."""
    ledger_settings = LedgerSettings.for_owner(request.user.pk)
    form = LedgerFilterForm(request.GET, owner=request.user, flags=selectors.Flag.CHOICES)
    return _render_overview(request, form, ledger_settings, LedgerSettingsForm(instance=ledger_settings))


def _render_overview(request, form, ledger_settings, settings_form, status=200) -> HttpResponse:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    today = timezone.localdate()
    period, start, end = _period(data)
    if ledger_settings.tallied_on != today:
        # The windows moved since the tallies were built (the nightly job had not run).
        services.refresh_stale_ledger_tallies(owner_id=request.user.pk, today=today, ledger_settings=ledger_settings)
    field = data.get("field")
    rows = selectors.overview(
        request.user.pk,
        today=today,
        settings=ledger_settings,
        period=period,
        start=start,
        end=end,
        kind=data.get("kind") or "",
        field_id=field.pk if isinstance(field, Field) else None,
        flag=data.get("flag") or "",
    )
    number = _one_id(request.GET.get("page")) or 1
    number = min(number, MAX_PAGE)
    bottom = (number - 1) * OVERVIEW_PAGE_SIZE
    chunk = list(rows[bottom : bottom + OVERVIEW_PAGE_SIZE + 1])
    has_next = len(chunk) > OVERVIEW_PAGE_SIZE
    chunk = chunk[:OVERVIEW_PAGE_SIZE]
    people = {}
    if chunk:
        people = {
            p.pk: p
            for p in Person.objects.filter(owner=request.user, pk__in=[row["person_id"] for row in chunk])
            .only(*LABEL_COLUMNS, "title")
            .prefetch_related(Prefetch("fields", queryset=Field.objects.only("pk", "name")))
        }
    items = []
    for row in chunk:
        if row["person_id"] in people:
            row["person"] = people[row["person_id"]]
            row["money_age"] = (today - row["money_since"]).days if row["money_since"] else None
            items.append(row)
    context = {
        "form": form,
        "items": items,
        "number": number,
        "has_next": has_next,
        "has_previous": number > 1,
        "period": period,
        "invalid_filters": sorted(form.errors),
        "ledger_settings": ledger_settings,
        "settings_form": settings_form,
        "is_filtered": any(request.GET.get(k) for k in ("flag", "kind", "field", "start", "end")),
    }
    if request.htmx and request.htmx.target == "ledger-results":
        return render(request, "ledger/overview.html#ledger-results", context)
    return render(request, "ledger/overview.html", context, status=status)


@login_required
@require_POST
def ledger_settings(request: AuthedRequest) -> HttpResponse:
    current = LedgerSettings.for_owner(request.user.pk)
    form = LedgerSettingsForm(request.POST, instance=current)
    if form.is_valid():
        saved = form.save(commit=False)
        saved.owner = request.user
        saved.save()
        services.refresh_ledger_tallies(request.user.pk)
        messages.success(request, _("The ledger settings were saved."))
        return redirect(reverse("ledger:overview"))
    messages.error(request, _("The settings were not saved: check the values below."))
    filters = LedgerFilterForm({}, owner=request.user, flags=selectors.Flag.CHOICES)
    return _render_overview(request, filters, current, form, status=422)
