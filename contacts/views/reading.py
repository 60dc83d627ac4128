"""Accept or correct a reading guessed from the name dictionary, in one tap from the person page."""

import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.views import AuthedRequest

from .. import services
from ..models import Person

READING_MAX = 100


@login_required
@require_POST
def person_reading(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    action = request.POST.get("action", "")
    if action == "accept":
        services.settle_reading(person=person)
        note = _("The reading %(reading)s is confirmed.") % {"reading": person.reading}
    elif action == "correct":
        family, given = (
            unicodedata.normalize("NFKC", request.POST.get(name, "")).replace("\x00", "").strip()
            for name in ("family_reading", "given_reading")
        )
        if not (family or given):
            messages.error(request, _("Enter the reading of the family or the given name."))
            return redirect(person)
        if len(family) > READING_MAX or len(given) > READING_MAX:
            messages.error(request, _("A reading can be at most 100 characters long per name."))
            return redirect(person)
        services.settle_reading(person=person, family_reading=family, given_reading=given)
        note = _("The reading is now %(reading)s.") % {"reading": person.reading}
    else:
        messages.error(request, _("Choose whether the reading is right or type the right one."))
        return redirect(person)
    if request.htmx:
        return HttpResponse(
            format_html('<span class="reading-guess reading-guess--done" role="status">{}</span>', note)
        )
    messages.success(request, note)
    return redirect(person)
