"""The user's own lists of fields (分野) and tags: add, rename, reorder, delete."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.views import AuthedRequest

from .. import rules, services
from ..models import Field, Tag

MAX_FIELDS = 100


class NameForm(forms.Form):
    """The name of a field or a tag, measured as stored (NFKC: ㍿ is four characters)."""

    name = rules.LimitedCharField(label=gettext_lazy("Name"), max_length=rules.FIELD_NAME_MAX_LENGTH, nfkc=True)

    def clean_name(self):
        return rules.clean_grouping_name(self.cleaned_data["name"], rules.FIELD_NAME_MAX_LENGTH)


def _render(request, *, field_form=None, status=200):
    fields = Field.objects.filter(owner=request.user).annotate(people_count=Count("people"))
    tags = Tag.objects.filter(owner=request.user).annotate(people_count=Count("people"))
    return render(
        request,
        "contacts/field_list.html",
        {"fields": fields, "tags": tags, "field_form": field_form or NameForm()},
        status=status,
    )


def _rename(request, obj, kind_label) -> bool:
    form = NameForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["name"]))
        return False
    try:
        with transaction.atomic():
            obj.name = form.cleaned_data["name"]
            obj.save(update_fields=["name"])
            services.refresh_search(obj.people.values_list("pk", flat=True))
    except IntegrityError:
        messages.error(request, _("There is already a %(kind)s with that name.") % {"kind": kind_label})
        return False
    messages.success(request, _("Renamed to “%(name)s”.") % {"name": obj.name})
    return True


@login_required
def field_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = NameForm(request.POST)
        if form.is_valid():
            if Field.objects.filter(owner=request.user).count() >= MAX_FIELDS:
                form.add_error("name", _("You can have at most %(count)d fields.") % {"count": MAX_FIELDS})
            elif Field.objects.filter(owner=request.user, name=form.cleaned_data["name"]).exists():
                form.add_error("name", _("There is already a field with that name."))
            else:
                last = Field.objects.filter(owner=request.user).order_by("-position").first()
                Field.objects.create(
                    owner=request.user, name=form.cleaned_data["name"], position=(last.position + 1) if last else 0
                )
                messages.success(request, _("Field “%(name)s” added.") % {"name": form.cleaned_data["name"]})
                return redirect("contacts:field_list")
        return _render(request, field_form=form, status=200)
    return _render(request)


@login_required
@require_POST
def field_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(Field, pk=pk, owner=request.user)
    move = request.POST.get("move")
    if move in {"up", "down"}:
        services.move_field(field=field, up=move == "up")
    else:
        _rename(request, field, _("field"))
    return redirect("contacts:field_list")


def _delete(request, obj, message: str) -> HttpResponse:
    services.delete_grouping(obj=obj)
    messages.success(request, message % {"name": obj.name})
    return redirect("contacts:field_list")


@login_required
@require_POST
def field_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(Field, pk=pk, owner=request.user)
    return _delete(request, field, _("Field “%(name)s” deleted; the people stay."))


@login_required
@require_POST
def tag_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=pk, owner=request.user)
    _rename(request, tag, _("tag"))
    return redirect("contacts:field_list")


@login_required
@require_POST
def tag_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=pk, owner=request.user)
    return _delete(request, tag, _("Tag “%(name)s” deleted; the people stay."))
