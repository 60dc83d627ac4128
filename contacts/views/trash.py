"""The trash: people deleted in the last 30 days, to restore or delete for good."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.views import AuthedRequest

from .. import trash
from ..models import TRASH_DAYS, Person, TrashedPerson


@login_required
def trash_list(request: AuthedRequest) -> HttpResponse:
    items = TrashedPerson.objects.filter(owner=request.user).only("pk", "name", "trashed_at").order_by("-trashed_at")
    return render(request, "contacts/trash.html", {"items": items, "days": TRASH_DAYS})


@login_required
@require_POST
def trash_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    trashed = get_object_or_404(TrashedPerson.objects.only("pk"), pk=pk, owner=request.user)
    try:
        person = trash.restore(trashed=trashed)
    except Person.DoesNotExist:
        raise Http404 from None  # restored or purged in another tab a moment ago
    messages.success(request, _("%(name)s is back, with everything they had.") % {"name": person.display_name})
    return redirect(person)


@login_required
@require_POST
def trash_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    trashed = get_object_or_404(TrashedPerson.objects.only("pk", "name"), pk=pk, owner=request.user)
    trashed.delete()
    messages.success(request, _("%(name)s was deleted for good.") % {"name": trashed.name})
    return redirect("contacts:trash")
