"""The key-person page, the insights page and the goals page. Every lookup is scoped to the owner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.views import AuthedRequest
from contacts.models import KeyPerson, Person, Profile

from . import figures, selectors, services
from .forms import GoalForm, PeriodForm, ProfileForm, TagForm
from .models import Goal, Suggestion

# Key persons


@login_required
@require_GET
def keyperson_list(request: AuthedRequest) -> HttpResponse:
    blocks = selectors.key_person_blocks(request.user.pk)
    return render(
        request,
        "insights/keyperson_list.html",
        {
            "blocks": blocks,
            "uncovered": sum(1 for block in blocks if not block.covered),
            # One message for an account with nobody to suggest, not a card per field saying so.
            "nobody": bool(blocks) and not any(block.keys or block.suggestions for block in blocks),
            "profile": Profile.for_owner(request.user.pk),
            "today": timezone.localdate(),
        },
    )


def _field_block_response(request: AuthedRequest, field_id: int) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("insights:keyperson_list") + f"#field-{field_id}")
    field_obj = request.user.fields.get(pk=field_id)
    return render(
        request,
        "insights/keyperson_list.html#field-block",
        {"block": selectors.field_block(request.user.pk, field_obj), "today": timezone.localdate()},
    )


@login_required
@require_POST
def suggestion_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("person", "field", "owner"), pk=pk, owner=request.user
    )
    services.accept_suggestion(suggestion=suggestion)
    messages.success(
        request,
        _("%(name)s is now a key person for %(field)s.")
        % {"name": suggestion.person.display_name, "field": suggestion.field.name},
    )
    return _field_block_response(request, suggestion.field_id)


@login_required
@require_POST
def suggestion_dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("person", "field"), pk=pk, owner=request.user)
    dismissal = services.dismiss_suggestion(suggestion=suggestion)
    messages.success(
        request,
        _("%(name)s will not be suggested for %(field)s again before %(date)s.")
        % {
            "name": suggestion.person.display_name,
            "field": suggestion.field.name,
            "date": dismissal.until.strftime("%Y-%m-%d"),
        },
    )
    return _field_block_response(request, suggestion.field_id)


@login_required
@require_POST
def suggestions_refresh(request: AuthedRequest) -> HttpResponse:
    services.request_suggestions(owner=request.user)
    messages.success(request, _("The suggestions are being recomputed; reload the page in a moment."))
    return redirect("insights:keyperson_list")


PANEL = "insights/person_key_roles.html"


def _panel_context(person: Person, form: TagForm | None = None) -> dict:
    """The person page's key-person panel: the fields they are key in, and the tag form when open."""
    return {"person": person, "roles": selectors.person_key_roles(person), "tag_form": form}


def _person_panel(request: AuthedRequest, person: Person, form: TagForm | None = None):
    return render(request, PANEL, _panel_context(person, form))


@login_required
@require_GET
def person_key_roles(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person page's key-person panel, fetched by the page (htmx) or opened by its plain link."""
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.htmx:
        return _person_panel(request, person)
    context = _panel_context(person, TagForm(owner=request.user)) | {"panel_template": PANEL}
    return render(request, "components/panel_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def keyperson_tag(request: AuthedRequest, pk: int) -> HttpResponse:
    """Tag a person as key for a field, from their page. GET: the form (opened on the panel)."""
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.method == "GET":
        if request.htmx:
            context = {"person": person, "tag_form": TagForm(owner=request.user)}
            return render(request, f"{PANEL}#key-roles-form", context)
        context = _panel_context(person, TagForm(owner=request.user)) | {"panel_template": PANEL}
        return render(request, "components/panel_page.html", context)
    form = TagForm(request.POST, owner=request.user)
    if not form.is_valid():
        if request.htmx:
            return _person_panel(request, person, form)
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        services.tag_key_person(
            owner=request.user,
            person=person,
            field=form.cleaned_data["field"],
            note=form.cleaned_data["note"],
            on=form.cleaned_data["tagged_on"],
        )
        if request.htmx:
            return _person_panel(request, person)
    return redirect(person.get_absolute_url() + "#key-roles")


@login_required
@require_POST
def keyperson_untag(request: AuthedRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(KeyPerson.objects.select_related("person", "field"), pk=pk, owner=request.user)
    services.untag_key_person(key=key)
    if request.POST.get("panel") == "person":
        if request.htmx:
            return _person_panel(request, key.person)
        return redirect(key.person.get_absolute_url() + "#key-roles")
    messages.success(
        request,
        _("%(name)s is no longer a key person for %(field)s.")
        % {"name": key.person.display_name, "field": key.field.name},
    )
    return _field_block_response(request, key.field_id)


# Insights


@login_required
@require_GET
def overview(request: AuthedRequest) -> HttpResponse:
    period_form = PeriodForm(request.GET)
    owner_id = request.user.pk
    found = figures.current(owner_id)
    charts = selectors.charts(found, selectors.people_named(owner_id, found), period=period_form.period_key())
    return render(
        request,
        "insights/overview.html",
        {
            "period_form": period_form,
            **charts,
            "chart_data": {
                chart.id: chart.as_data()
                for chart in (
                    charts["breadth"]["chart"],
                    charts["events"],
                    charts["ledger"]["chart"],
                    charts["health"]["chart"],
                    charts["intros"]["chart"],
                )
            },
        },
    )


# Profile and goals


def _goals_page(request: AuthedRequest, *, profile_form=None, goal_form=None, status=200) -> HttpResponse:
    return render(
        request,
        "insights/goals.html",
        {
            "profile_form": profile_form or ProfileForm(instance=Profile.for_owner(request.user.pk)),
            "goal_form": goal_form or GoalForm(owner=request.user),
            "goals": selectors.goals_with_matches(request.user.pk),
            "goals_matched": selectors.GOALS_MATCHED,
        },
        status=status,
    )


@login_required
@require_GET
def goals(request: AuthedRequest) -> HttpResponse:
    return _goals_page(request)


@login_required
@require_POST
def profile_save(request: AuthedRequest) -> HttpResponse:
    form = ProfileForm(request.POST, instance=Profile.for_owner(request.user.pk))
    if not form.is_valid():
        return _goals_page(request, profile_form=form, status=422)
    services.save_profile(owner=request.user, values=form.cleaned_data)
    messages.success(request, _("Your profile was saved."))
    return redirect("insights:goals")


@login_required
@require_POST
def goal_create(request: AuthedRequest) -> HttpResponse:
    form = GoalForm(request.POST, owner=request.user)
    if not form.is_valid():
        return _goals_page(request, goal_form=form, status=422)
    services.create_goal(
        owner=request.user, description=form.cleaned_data["description"], fields=form.cleaned_data["fields"]
    )
    messages.success(request, _("The goal was added."))
    return redirect("insights:goals")


@login_required
@require_POST
def goal_met(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk, owner=request.user)
    met = request.POST.get("met") != "no"
    services.mark_goal_met(goal=goal, met=met)
    messages.success(request, _("Marked as met.") if met else _("Marked as not met yet."))
    return redirect(reverse("insights:goals") + f"#goal-{goal.pk}")


@login_required
@require_POST
def goal_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk, owner=request.user)
    services.delete_goal(goal=goal)
    messages.success(request, _("The goal was deleted."))
    return redirect("insights:goals")
