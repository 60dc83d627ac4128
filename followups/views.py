from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.views import AuthedRequest
from contacts.models import Person, Status

from . import calendar, drafts, selectors, services
from .forms import DoneForm, DraftTemplateForm, FollowUpSettingsForm, ManualForm, SkipForm, SnoozeForm
from .models import DraftTemplate, FollowUp, FollowUpSettings, PushSubscription, Reason, State
from .templatetags import week_items

# The weekly queue


# The first response reads these sections' items; next week's are counted, and fetched
# (?next=1) when the section comes near the screen.
FIRST_READ = ("overdue", "this_week")
NEXT_WEEK_TARGET = "next-week"


@login_required
@require_GET
def week(request: AuthedRequest) -> HttpResponse:
    """Overdue, this week and next week, with done / snooze / skip on each item.

    Each item's reach-out box (drafts and channels) is fetched from `followup_reach`
    when the item comes into view: making it took most of the page's time and size.
    Each item's done / snooze / skip form is fetched from its own URL when its button
    is opened: the three forms of 90 items were two thirds of the page's 300 KB.
    Next week's items, a look ahead, are fetched with `?next=1` when their section
    comes near the screen (htmx asks for the items alone); without JavaScript the
    section's link opens the page with them, as does "show all".
    """
    today = timezone.localdate()
    showing_all = request.GET.get("all") == "1"
    with_next = showing_all or request.GET.get("next") == "1"
    only_next = with_next and request.htmx and request.htmx.target == NEXT_WEEK_TARGET
    read = ("next_week",) if only_next else selectors.SECTIONS if with_next else FIRST_READ
    limit = selectors.SECTION_ALL if showing_all else selectors.SECTION_SHOWN
    queue = selectors.page_queue(request.user.pk, today=today, limit=limit, read=read)
    sections = queue.shown(limit)
    context = {
        "queue": queue,
        "showing_all": showing_all,
        "sections": sections,
        "next_later": "next_week" not in read,
        "today": today,
        "item_page": week_items.page_for(today),
    }
    if only_next:
        return render(request, "followups/week.html#next-week-items", context | {"shown": sections["next_week"]})
    return render(request, "followups/week.html", context)


@login_required
@require_GET
def followup_reach(request: AuthedRequest, pk: int) -> HttpResponse:
    """One item's reach-out box: its draft, the channels the person allows, and "Sent?".

    htmx asks for the box alone; without JavaScript the item's link opens it on a page of its own.
    """
    item = _open_item(request, pk)
    item.draft = drafts.draft_for(item, user=request.user, templates=drafts.templates_of(request.user.pk))
    item.channels = drafts.channels(item, item.draft)
    context = {"item": item, "today": timezone.localdate()}
    if request.htmx:
        return render(request, "followups/week.html#reach", context)
    return render(request, "followups/reach.html", context | {"on_page": True})


@login_required
@require_GET
def due_count(request: AuthedRequest) -> HttpResponse:
    count = selectors.due_count(request.user.pk, today=timezone.localdate())
    context = {"count": count, "over": count > selectors.BADGE_LIMIT, "limit": selectors.BADGE_LIMIT}
    return render(request, "followups/week.html#due-count", context)


def _open_item(request: AuthedRequest, pk: int, items: QuerySet | None = None) -> FollowUp:
    """The user's open follow-up `pk` (404 otherwise), from `items` (by default with what reaching out needs)."""
    if items is None:
        items = selectors.with_channels(FollowUp.objects.select_related("person", "owner"))
    return get_object_or_404(items, pk=pk, owner=request.user, state=State.OPEN)


def _after_action(request: AuthedRequest, note: str) -> HttpResponse:
    if request.htmx:
        response = render(request, "followups/week.html#item-gone", {"note": note})
        response["HX-Trigger"] = "followups-changed"
        return response
    messages.success(request, note)
    return redirect("followups:week")


def _refused(request: AuthedRequest, item: FollowUp, form) -> HttpResponse:
    errors = " ".join(str(m) for ms in form.errors.values() for m in ms)
    if request.htmx:
        (row,) = selectors.page_rows(request.user.pk, [item.pk])
        today = timezone.localdate()
        html = week_items.item_html(row, week_items.page_for(today), error=errors)
        return HttpResponse(html, status=422)
    messages.error(request, errors)
    return redirect("followups:week")


def _action_form(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """An item's done, snooze or skip form: htmx asks for it when the item's button is opened;
    without JavaScript the button's link opens it on a page of its own, which posts plainly."""
    item = _open_item(request, pk, FollowUp.objects.select_related("person"))
    today = timezone.localdate()
    context = {"item": item, "today": today, "done_form": DoneForm(initial={"date": today}), "skip_form": SkipForm()}
    if request.htmx:
        return render(request, f"followups/week.html#{action}-form", context)
    return render(request, "followups/action.html", context | {"action": action, "on_page": True})


@login_required
@require_http_methods(["GET", "POST"])
def followup_done(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _action_form(request, pk, "done")
    item = _open_item(request, pk)
    form = DoneForm(request.POST)
    if not form.is_valid():
        return _refused(request, item, form)
    meeting = form.meeting_values(timezone.localdate())
    services.complete(followup=item, meeting=meeting)
    name = item.person.display_name
    note = _("Done: %(name)s. The meeting was logged.") if meeting else _("Done: %(name)s.")
    return _after_action(request, note % {"name": name})


@login_required
@require_http_methods(["GET", "POST"])
def followup_snooze(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _action_form(request, pk, "snooze")
    item = _open_item(request, pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return _refused(request, item, form)
    until = form.until_date(timezone.localdate())
    services.snooze(followup=item, until=until)
    return _after_action(
        request, _("Snoozed %(name)s until %(date)s.") % {"name": item.person.display_name, "date": until}
    )


@login_required
@require_http_methods(["GET", "POST"])
def followup_skip(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _action_form(request, pk, "skip")
    item = _open_item(request, pk)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _refused(request, item, form)
    services.skip(followup=item, reason=form.cleaned_data["reason"])
    return _after_action(request, _("Skipped: %(name)s.") % {"name": item.person.display_name})


PANEL = "followups/person_followups.html"


def _panel_context(person: Person, form: ManualForm | None = None) -> dict:
    """The person page's follow-up panel: what is open for them (one query), and the add form when open."""
    items = list(FollowUp.objects.filter(person_id=person.pk, owner_id=person.owner_id, state=State.OPEN))
    return {"person": person, "items": items, "today": timezone.localdate(), "form": form}


def _manual_form() -> ManualForm:
    return ManualForm(initial={"due_on": timezone.localdate()})


@login_required
@require_GET
def person_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person page's follow-up panel, fetched by the page (htmx) or opened by its plain link."""
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.htmx:
        return render(request, PANEL, _panel_context(person))
    context = _panel_context(person, _manual_form()) | {"panel_template": PANEL}
    return render(request, "components/panel_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def followup_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """A manual follow-up for a person, from their page. GET: the form (opened on the panel)."""
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.method == "GET":
        if request.htmx:
            return render(request, f"{PANEL}#followup-form", {"person": person, "form": _manual_form()})
        context = _panel_context(person, _manual_form()) | {"panel_template": PANEL}
        return render(request, "components/panel_page.html", context)
    form = ManualForm(request.POST)
    if form.is_valid() and person.status == Status.ACTIVE:
        services.add_manual(owner=request.user, person=person, **form.cleaned_data)
        messages.success(request, _("The follow-up was added."))
    elif person.status != Status.ACTIVE:
        messages.error(request, _("This relationship has ended: it gets no follow-ups."))
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect(person.get_absolute_url() + "#followups")


# Settings and the calendar feed


@login_required
def followup_settings(request: AuthedRequest) -> HttpResponse:
    current = FollowUpSettings.for_owner(request.user.pk)
    if request.method == "POST":
        form = FollowUpSettingsForm(request.POST, instance=current)
        if form.is_valid():
            saved = form.save(commit=False)
            saved.owner = request.user
            saved.save()
            services.recompute_everyone(owner_id=request.user.pk)
            messages.success(request, _("The follow-up settings were saved."))
            return redirect("followups:settings")
        status = 422
    else:
        form = FollowUpSettingsForm(instance=current, initial={"time_zone": current.time_zone})
        status = 200
    feed_url = (
        request.build_absolute_uri(reverse("followups:calendar_feed", args=[current.feed_token]))
        if current.feed_token
        else ""
    )
    context = {
        "form": form,
        "settings": current,
        "feed_url": feed_url,
        "devices": PushSubscription.objects.filter(owner=request.user),
        "vapid_public_key": settings.WEBPUSH_VAPID_PUBLIC_KEY,
    }
    return render(request, "followups/settings.html", context, status=status)


@login_required
@require_POST
def feed_enable(request: AuthedRequest) -> HttpResponse:
    services.enable_feed(owner=request.user)
    messages.success(request, _("Your calendar address is ready. Any address made before no longer works."))
    return redirect(reverse("followups:settings") + "#calendar")


@login_required
@require_POST
def feed_disable(request: AuthedRequest) -> HttpResponse:
    services.disable_feed(owner=request.user)
    messages.success(request, _("The calendar address was turned off."))
    return redirect(reverse("followups:settings") + "#calendar")


@require_GET
def calendar_feed(request, token: str) -> HttpResponse:
    """Open follow-ups as an iCalendar feed, for a calendar app; the secret address is the key."""
    if len(token) < 20:
        raise Http404
    found = FollowUpSettings.objects.filter(feed_token=token).select_related("owner").first()
    if found is None or not found.owner.is_active:
        raise Http404
    with translation.override(found.owner.language):
        body = calendar.feed(found.owner, today=timezone.localdate(), site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="jinmyaku-followups.ics"'
    # The address is the only key: no browser or proxy may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


# Message drafts


def _draft_key(reason: str, language: str) -> tuple[str, str]:
    if reason not in Reason.values or reason == Reason.KEY_PERSON or language not in dict(settings.LANGUAGES):
        raise Http404
    return reason, language


def _sample_values(request: AuthedRequest, language: str) -> dict[str, str]:
    """Made-up values for the preview: never a real person's."""
    from django.utils import formats

    with translation.override(language):
        date = formats.date_format(timezone.localdate(), "MONTH_DAY_FORMAT")
    sample = (
        {"name": "山田 太郎", "event": "渋谷異業種交流会", "memo": "AIを使った営業の工夫"}
        if language == "ja"
        else {"name": "Jane Smith", "event": "Tokyo Startup Night", "memo": "hiking in Nagano"}
    )
    return sample | {"date": date, "my_name": drafts.my_name(request.user, language)}


@login_required
@require_GET
def draft_list(request: AuthedRequest) -> HttpResponse:
    own = set(DraftTemplate.objects.filter(owner=request.user).values_list("reason", "language"))
    rows = [
        {
            "reason": reason,
            "label": label,
            "languages": [(code, name, (reason, code) in own) for code, name in settings.LANGUAGES],
        }
        for reason, label in Reason.choices
        if reason != Reason.KEY_PERSON
    ]
    return render(request, "followups/drafts.html", {"rows": rows, "placeholders": drafts.PLACEHOLDERS})


@login_required
def draft_edit(request: AuthedRequest, reason: str, language: str) -> HttpResponse:
    """Edit one draft, with a preview made from sample values (htmx asks for the preview alone)."""
    reason, language = _draft_key(reason, language)
    current = DraftTemplate.objects.filter(owner=request.user, reason=reason, language=language).first()
    default_subject, default_body = drafts.DEFAULTS[(reason, language)]
    initial = {"subject": default_subject, "body": default_body} if current is None else None
    status = 200
    if request.method == "POST":
        form = DraftTemplateForm(
            request.POST, instance=current or DraftTemplate(owner=request.user, reason=reason, language=language)
        )
        if request.POST.get("preview") and request.htmx:
            valid = form.is_valid()
            preview = (
                drafts.render(
                    (form.cleaned_data["subject"], form.cleaned_data["body"]), _sample_values(request, language)
                )
                if valid
                else None
            )
            return render(request, "followups/drafts.html#draft-preview", {"preview": preview, "form": form})
        if form.is_valid():
            form.save()
            messages.success(request, _("The draft was saved."))
            return redirect("followups:draft_list")
        status = 422
    else:
        form = DraftTemplateForm(instance=current, initial=initial)
    preview = None
    if form.is_bound and form.is_valid():
        preview = drafts.render(
            (form.cleaned_data["subject"], form.cleaned_data["body"]), _sample_values(request, language)
        )
    elif not form.is_bound:
        preview = drafts.render((form["subject"].value(), form["body"].value()), _sample_values(request, language))
    context = {
        "form": form,
        "preview": preview,
        "reason_label": Reason(reason).label,
        "language_label": dict(settings.LANGUAGES)[language],
        "reason": reason,
        "language": language,
        "is_own": current is not None,
        "placeholders": drafts.PLACEHOLDERS,
    }
    return render(request, "followups/drafts.html", context, status=status)


@login_required
@require_POST
def draft_reset(request: AuthedRequest, reason: str, language: str) -> HttpResponse:
    reason, language = _draft_key(reason, language)
    DraftTemplate.objects.filter(owner=request.user, reason=reason, language=language).delete()
    messages.success(request, _("The draft is back to the default wording."))
    return redirect("followups:draft_list")
