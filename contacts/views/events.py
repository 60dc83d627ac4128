"""Events: the list, the page of everyone met there, and editing them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.views import AuthedRequest

from .. import selectors, services
from ..forms import EventForm
from ..models import Event, Meeting, Person

PAGE_SIZE = 30
PEOPLE_PAGE_SIZE = 50


@login_required
def event_list(request: AuthedRequest) -> HttpResponse:
    # One query for the page, counting people with a JOIN instead of one per event.
    events = (
        Event.objects.filter(owner=request.user)
        .annotate(people_count=Count("meetings__people", distinct=True))
        .order_by("-date", "-pk")
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page}
    if request.htmx and request.htmx.target == "event-results":
        return render(request, "contacts/event_list.html#event-results", context)
    return render(request, "contacts/event_list.html", context)


def _people_met_at(event: Event):
    """Everyone met at the event: in a meeting there, or first met there."""
    met = Meeting.people.through.objects.filter(meeting__event=event).values("person_id")
    return Person.objects.filter(Q(pk__in=met) | Q(first_met_event=event), owner=event.owner_id).order_by(
        "sort_key", "pk"
    )


@login_required
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk, owner=request.user)
    page = Paginator(_people_met_at(event), PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.person_rows(list(page.object_list.values_list("pk", flat=True)))
    return render(
        request,
        "contacts/event_detail.html",
        {
            "event": event,
            "page": page,
            "meeting_count": event.meetings.count(),
        },
    )


def _search_affected(event: Event) -> list[int]:
    """People whose search text holds this event's name."""
    return list(_people_met_at(event).values_list("pk", flat=True))


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            form.instance.owner = request.user
            event = form.save()
            messages.success(request, _("The event was saved."))
            return redirect(event)
    else:
        form = EventForm(initial={"date": timezone.localdate()})
    return render(request, "contacts/event_form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk, owner=request.user)
    if request.method == "POST":
        form = EventForm(request.POST, instance=event)
        if form.is_valid():
            with transaction.atomic():
                event = form.save()
                # People are found by the names of the events they met the user at.
                services.refresh_search(_search_affected(event))
            messages.success(request, _("The event was saved."))
            return redirect(event)
    else:
        form = EventForm(instance=event)
    return render(request, "contacts/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk, owner=request.user)
    with transaction.atomic():
        affected = _search_affected(event)
        name = event.name
        # Meetings stay, with the event cleared (the foreign key is SET_NULL).
        event.delete()
        services.refresh_search(affected)
    messages.success(
        request,
        _("The event “%(name)s” was deleted; its meetings were kept.") % {"name": name},
    )
    url = reverse("contacts:event_list")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
