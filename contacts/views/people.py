from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from accounts.views import AuthedRequest

from ..forms import PeopleFilterForm
from ..models import Event, Field, Person, Status

PAGE_SIZE = 50
EVENT_CHOICES_SHOWN = 100

SORTS = {
    "reading": ["sort_key", "pk"],
    "last_contact": [F("last_contact_on").desc(nulls_last=True), "sort_key", "pk"],
    "first_met": [F("first_met_on").desc(nulls_last=True), "sort_key", "pk"],
}


def filtered_people(owner, form: PeopleFilterForm):
    """Apply the valid parts of the filter form; an invalid value is ignored."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
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
        people = people.filter(meetings__event=data["event"]).distinct()
    return people.order_by(*SORTS[data.get("sort") or "reading"])


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET, owner=request.user)
    people = filtered_people(request.user, form)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = page.object_list.prefetch_related(Prefetch("fields", queryset=Field.objects.only("pk", "name")))
    recent_events = list(Event.objects.filter(owner=request.user).only("pk", "name", "date")[:EVENT_CHOICES_SHOWN])
    selected_event = form.cleaned_data.get("event") if hasattr(form, "cleaned_data") else None
    if selected_event and selected_event not in recent_events:
        recent_events.append(selected_event)
    form.fields["event"].choices = [("", "---------")] + [(e.pk, str(e)) for e in recent_events]
    context = {
        "form": form,
        "page": page,
        "invalid_filters": sorted(form.errors),
        "status_ended": Status.ENDED,
        "is_filtered": any(form.data.get(k) for k in ("q", "field", "tag", "tier", "stage", "want", "event")),
    }
    if request.htmx and request.htmx.target == "people-results":
        return render(request, "contacts/person_list.html#people-results", context)
    return render(request, "contacts/person_list.html", context)
