from collections.abc import Mapping

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.views import AuthedRequest

from .. import selectors
from ..forms import PeopleFilterForm
from ..models import Event, Meeting, Person, Status
from ..pagination import IdFirstPaginator

PAGE_SIZE = 50
# The list counts its people up to here and says "more than" past it.
COUNT_LIMIT = 10_000
FILTERS = ("field", "tag", "tier", "stage", "want", "event", "status", "sort")
EVENT_CHOICES_SHOWN = 100

SORTS = {
    "reading": ["sort_key", "pk"],
    "last_contact": [F("last_contact_on").desc(nulls_last=True), "sort_key", "pk"],
    "first_met": [F("first_met_on").desc(nulls_last=True), "sort_key", "pk"],
}


def filtered_people(owner, data: Mapping):
    """The owner's people narrowed and sorted by `data`: a filter form's cleaned data (its valid
    values; an invalid one is left out, so ignored), or {} for the defaults."""
    people = Person.objects.filter(owner=owner)
    status = data.get("status") or "active"
    if status != "all":
        people = people.filter(status=status)
    if data.get("q"):
        people = people.search(data["q"])
    if data.get("field"):
        people = people.filter(fields=data["field"])
    if data.get("tag"):
        people = people.filter(tags=data["tag"])
    if data.get("tier"):
        people = people.filter(tier=data["tier"])
    if data.get("stage"):
        people = people.filter(stage=data["stage"])
    if data.get("want"):
        people = people.filter(i_want_to_meet_again=data["want"])
    if data.get("event"):
        met_there = Meeting.people.through.objects.filter(person_id=OuterRef("pk"), meeting__event=data["event"])
        people = people.filter(Exists(met_there))
    ordering = SORTS[data.get("sort") or "reading"]
    if data.get("q") and ordering is SORTS["reading"]:
        return people.searched_in_reading_order()
    return people.order_by(*ordering)


def _with_event_choices(form: PeopleFilterForm, owner) -> PeopleFilterForm:
    """Offer the most recent events in the event filter, and the chosen one if older."""
    recent_events = list(Event.objects.filter(owner=owner).only("pk", "name", "date")[:EVENT_CHOICES_SHOWN])
    selected_event = form.cleaned_data.get("event") if hasattr(form, "cleaned_data") else None
    if selected_event and selected_event not in recent_events:
        recent_events.append(selected_event)
    form.fields["event"].choices = [("", _("Any event"))] + [(e.pk, str(e)) for e in recent_events]
    return form


def _search_alone(query: QueryDict) -> str | None:
    """The search words when the query string holds them alone (a page number aside) and they are valid.

    The plain list and a search alone are the pages most visited, and neither
    needs the filter form: making one, with its choices limited to the
    owner's rows, cost 0.3–0.5 ms. Anything else (None) goes through the form.
    """
    if not set(query) <= {"q", "page"} or len(query.getlist("q")) > 1:
        return None
    try:
        return PeopleFilterForm.base_fields["q"].clean(query.get("q", ""))
    except ValidationError:
        return None


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    words = _search_alone(request.GET)
    form = None if words is not None else PeopleFilterForm(request.GET, owner=request.user)
    if form is not None:
        form.is_valid()
    data = form.cleaned_data if form is not None else {"q": words}
    people = filtered_people(request.user, data)
    # A search reads its matches' ids once, for the count and the page (IdFirstPaginator).
    searching = bool(data.get("q"))
    paginator = IdFirstPaginator(
        people, PAGE_SIZE, load_rows=selectors.person_rows, count_limit=COUNT_LIMIT, ids_up_front=searching
    )
    page = paginator.get_page(request.GET.get("page"))
    filters_active = any(request.GET.get(k) for k in FILTERS)
    # The filter panel starts closed, so its choices are loaded when it is
    # first opened (person_filters); open when a filter is in use.
    show_filters = filters_active or "filters" in request.GET
    if show_filters:
        _with_event_choices(form, request.user)
    context = {
        "form": form,
        "search_words": request.GET.get("q", ""),
        "page": page,
        "count_limit": f"{COUNT_LIMIT:,}",
        "invalid_filters": sorted(form.errors) if form else [],
        "status_ended": Status.ENDED,
        "is_filtered": any(request.GET.get(k) for k in ("q", *FILTERS)),
        "filters_active": filters_active,
        "show_filters": show_filters,
    }
    if request.htmx and request.htmx.target == "people-results":
        return render(request, "contacts/person_list.html#people-results", context)
    return render(request, "contacts/person_list.html", context)


@login_required
def person_filters(request: AuthedRequest) -> HttpResponse:
    """The filter panel's fields, with the current choices, for the people list."""
    form = PeopleFilterForm(request.GET, owner=request.user)
    form.is_valid()
    _with_event_choices(form, request.user)
    return render(request, "contacts/person_list.html#people-filters", {"form": form, "show_filters": True})
