"""The person page and what hangs off it: edit, end, reactivate, merge, delete,
and the meetings logged from it."""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Window
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.views import AuthedRequest

from .. import selectors, services, trash
from ..forms import MAX_ID, EndRelationshipForm, MeetingForm, MergeForm, PersonForm
from ..models import (
    TRASH_DAYS,
    ContactPointKind,
    Event,
    Meeting,
    Person,
    Status,
)

TIMELINE_PAGE_SIZE = 20
INTRODUCER_LEVELS = 10
INTRODUCED_SHOWN = 100
PICKER_RESULTS = 20
PICKER_RECENT = 30
EVENT_CHOICES_SHOWN = 100
# Only the columns a name, a link and a picker label need.
PERSON_LABEL_COLUMNS = (
    "pk",
    "family_name",
    "given_name",
    "family_reading",
    "given_reading",
    "company",
    "introduced_by_id",
    "status",
)


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    """The `next` page asked for when it is a path on this site, else `fallback`.

    Only an absolute path ("/week/?all=1") is taken: a bare word such as
    "abc" would be read by `redirect()` as a URL name and raise. Views call
    this before they save, so a bad `next` can never fail a saved change.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def _redirect(request: AuthedRequest, url: str) -> HttpResponse:
    """Send the browser to `url`; an htmx request loads it as a whole page."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _recent_people(owner, exclude_pk=None):
    return selectors.recent_people(owner, exclude_pk=exclude_pk).only(*PERSON_LABEL_COLUMNS)


def _picker_people(owner, query: str, exclude_pks=(), limit=PICKER_RESULTS):
    """The owner's people matching a picker search (all of them, by reading), or the recently met ones."""
    if query.strip():
        people = Person.objects.filter(owner=owner).search_by_reading(query).only(*PERSON_LABEL_COLUMNS)
    else:
        people = _recent_people(owner)
    return list(people.exclude(pk__in=list(exclude_pks))[:limit])


def _int_list(values) -> list[int]:
    """The values that are possible ids; anything else (text, huge numbers) is dropped."""
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number <= MAX_ID:
            ids.append(number)
    return ids


def _person_label(person: Person) -> str:
    if person.company:
        return f"{person.display_name} ({person.company})"
    return person.display_name


def _limit_event_choices(form, name: str, owner) -> None:
    """Offer the recent events plus the selected one, not every event ever.

    Validation still runs against the owner's whole event list.
    """
    events = list(Event.objects.filter(owner=owner).only("pk", "name", "date")[:EVENT_CHOICES_SHOWN])
    selected = _int_list([form[name].value()])
    if selected and selected[0] not in {e.pk for e in events}:
        extra = Event.objects.filter(owner=owner, pk=selected[0]).first()
        if extra:
            events.append(extra)
    form.fields[name].choices = [("", _("No event"))] + [(e.pk, str(e)) for e in events]


def _limit_introducer_choices(form, owner, query: str = "") -> None:
    """Offer the selected introducer plus search results (or recent people)."""
    exclude = form.instance.pk
    selected = _int_list([form["introduced_by"].value()])
    people = _picker_people(owner, query, exclude_pks=[exclude] if exclude else [])
    if selected and selected[0] != exclude and selected[0] not in {p.pk for p in people}:
        chosen = Person.objects.filter(owner=owner, pk=selected[0]).only(*PERSON_LABEL_COLUMNS).first()
        if chosen:
            people.insert(0, chosen)
    form.fields["introduced_by"].choices = [("", _("Nobody"))] + [(p.pk, _person_label(p)) for p in people]


def introducer_chain(person: Person, levels: int = INTRODUCER_LEVELS) -> list[Person]:
    """Who introduced this person, who introduced them, and so on upward.

    At most `levels` people, read in one recursive query whatever the depth;
    a cycle (A introduced B, B introduced A) ends the chain instead of looping.
    """
    if not person.introduced_by_id:
        return []
    meta, quote = Person._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    fields = [meta.pk if name == "pk" else meta.get_field(name) for name in PERSON_LABEL_COLUMNS]
    columns = ", ".join(f"p.{quote(field.column)}" for field in fields)
    # Names from the model's metadata, quoted by the backend; every value is a parameter.
    sql = (
        f"WITH RECURSIVE up(id, depth) AS ("  # nosec B608
        f" SELECT introduced_by_id, 1 FROM {table} WHERE id = %s AND owner_id = %s"
        f" UNION ALL SELECT p.introduced_by_id, up.depth + 1 FROM {table} p JOIN up ON p.id = up.id"
        f" WHERE p.owner_id = %s AND p.introduced_by_id IS NOT NULL AND up.depth < %s"
        f") SELECT {columns} FROM up JOIN {table} p ON p.id = up.id WHERE p.owner_id = %s ORDER BY up.depth"
    )
    chain: list[Person] = []
    seen = {person.pk}
    for introducer in Person.objects.raw(sql, [person.pk, person.owner_id, person.owner_id, levels, person.owner_id]):
        if introducer.pk in seen or len(chain) == levels:
            break
        chain.append(introducer)
        seen.add(introducer.pk)
    return chain


@dataclass
class Social:
    label: str
    value: str
    href: str = ""


_X_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,15})$")


def _web_href(value: str) -> str:
    return value if value.lower().startswith(("https://", "http://")) else ""


def social_links(person: Person) -> list[Social]:
    """The person's web presence, linked only where the value is a real web address."""
    links = []
    if person.website:
        links.append(Social(_("Website"), person.website, _web_href(person.website)))
    if person.line:
        links.append(Social("LINE", person.line))
    if person.facebook:
        links.append(Social("Facebook", person.facebook, _web_href(person.facebook)))
    if person.x_handle:
        match = _X_HANDLE.match(person.x_handle.strip())
        href = f"https://x.com/{match.group(1)}" if match else _web_href(person.x_handle)
        links.append(Social("X", person.x_handle, href))
    if person.linkedin:
        links.append(Social("LinkedIn", person.linkedin, _web_href(person.linkedin)))
    return links


CAREER_SHOWN = 50


def _timeline_items(page, career: list) -> list:
    """The page's meetings with the job changes of the same stretch of time, newest first.

    A change belongs to the page whose meetings span its date: after this
    page's oldest meeting (any date on the last page) and up to the previous
    page's oldest (any date on the first).
    """
    meetings = list(page.object_list)
    if not career:
        return meetings
    newer_than = meetings[-1].date if meetings and page.has_next() else None
    up_to = None
    if page.number > 1:
        _pk, up_to = page.paginator.object_list[page.start_index() - 2]
    changes = [
        change
        for change in career
        if (newer_than is None or change.changed_on > newer_than) and (up_to is None or change.changed_on <= up_to)
    ]
    items = meetings + changes
    items.sort(key=lambda item: getattr(item, "changed_on", None) or item.date, reverse=True)
    return items


def _timeline_page(person: Person, number):
    """One page of the person's meetings, newest first, as `selectors.TimelineMeeting`s.

    Two queries: the meetings' ids and dates up to the asked-for page, with how
    many there are (paged here, so no count), then the page's meetings with who
    else was at them. A number Paginator answers with a later page ("0" is
    the last) reads the dates again, that far.
    """
    try:
        wanted = max(int(number), 1)
    except (TypeError, ValueError):
        wanted = 1
    dates = selectors.person_timeline(person, wanted * TIMELINE_PAGE_SIZE)
    page = Paginator(dates, TIMELINE_PAGE_SIZE).get_page(number)
    if page.end_index() > len(dates.head):
        dates = selectors.person_timeline(person, page.end_index())
        page = Paginator(dates, TIMELINE_PAGE_SIZE).get_page(number)
    page.object_list = selectors.timeline_meetings([pk for pk, _date in page.object_list], person.pk)
    return page


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.page_person(pk, request.user.pk)
    if person is None:
        raise Http404
    page = _timeline_page(person, request.GET.get("page"))
    career = selectors.career_changes(person, CAREER_SHOWN) if person.has_career_changes else []
    context = {"person": person, "page": page, "career": career, "timeline": _timeline_items(page, career)}
    if request.htmx and request.htmx.target == "timeline-more":
        return render(request, "contacts/person_detail.html#timeline-more", context)
    # The card and the timeline; the other apps' panels and the forms load by htmx.
    return render(request, "contacts/person_detail.html", context | _detail_context(person))


def _detail_context(person: Person, end_form: EndRelationshipForm | None = None) -> dict:
    """Everything on the person page but the timeline and the panels loaded by htmx.

    `end_form` is given when the end-relationship form must show open (asked
    for, or sent back with errors); otherwise it loads when opened.
    """
    lists = selectors.card_lists(person)
    return {
        "field_names": lists.field_names,
        "tag_names": lists.tag_names,
        "socials": social_links(person),
        "contact_points": lists.contact_points,
        "status_ended": Status.ENDED,
        "end_form": end_form,
    }


INTRODUCTIONS_PANEL = "contacts/person_introductions.html"


@login_required
@require_GET
def person_introductions(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person page's Introductions panel: who introduced them (upward), and whom they introduced.

    The page fetches it by htmx once loaded; without JavaScript its link opens it on a page of its own.
    """
    person = get_object_or_404(Person.objects.only("owner_id", *PERSON_LABEL_COLUMNS), pk=pk, owner=request.user)
    # The first INTRODUCED_SHOWN, each carrying the count of all (a window): one query.
    introduced = list(
        person.introduced.filter(owner=person.owner_id)
        .only(*PERSON_LABEL_COLUMNS)
        .annotate(total=Window(Count("pk")))[:INTRODUCED_SHOWN]
    )
    context = {
        "person": person,
        "chain": introducer_chain(person),
        "introduced": introduced,
        "introduced_count": introduced[0].total if introduced else 0,
    }
    if request.htmx:
        return render(request, INTRODUCTIONS_PANEL, context)
    return render(request, "components/panel_page.html", context | {"panel_template": INTRODUCTIONS_PANEL})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = PersonForm(request.POST, owner=request.user)
        if form.is_valid():
            with transaction.atomic():
                person = services.create_person(
                    owner=request.user,
                    values=form.model_values(),
                    fields=form.cleaned_data["fields"],
                    tag_names=form.tag_names(),
                    contact_points=form.contact_points(),
                )
            messages.success(request, _("%(name)s was saved.") % {"name": person.display_name})
            return redirect(person)
    else:
        form = PersonForm(owner=request.user)
    return _render_person_form(request, form, person=None)


def _render_person_form(request, form, *, person, conflict=None) -> HttpResponse:
    query = request.GET.get("introducer_q", "")[:100]
    _limit_introducer_choices(form, request.user, query)
    if request.htmx and request.htmx.target == "introduced-by-choices":
        return render(request, "contacts/person_form.html#introduced-by-choices", {"form": form})
    _limit_event_choices(form, "first_met_event", request.user)
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "person": person, "conflict": conflict},
    )


@dataclass
class Difference:
    label: str
    current: str
    typed: str


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def stale_differences(form: PersonForm, current: Person) -> list[Difference]:
    """Where the person as saved now differs from what the user typed, field by field."""
    data = form.cleaned_data
    rows = []
    for name in form.Meta.fields:
        label = str(form.fields[name].label)
        if name == "fields":
            now = sorted(f.name for f in current.fields.all())
            typed = sorted(f.name for f in data["fields"])
        else:
            now = getattr(current, name)
            typed = data.get(name)
            model_field = Person._meta.get_field(name)
            if model_field.choices:
                choices = dict(model_field.flatchoices)
                now, typed = choices.get(now, now), choices.get(typed, typed)
        if (now or None) != (typed or None):
            rows.append(Difference(label, _shown(now), _shown(typed)))
    points = list(current.contact_points.all())
    pairs = [
        (
            form.fields["emails"].label,
            [p.value for p in points if p.kind == ContactPointKind.EMAIL],
            data["emails"],
            [p.normalized for p in points if p.kind == ContactPointKind.EMAIL],
            [e.lower() for e in data["emails"]],
        ),
        (
            form.fields["phones"].label,
            [p.value for p in points if p.kind in (ContactPointKind.PHONE, ContactPointKind.MOBILE)],
            [display for display, _e164, _mobile in data["phones"]],
            [p.normalized for p in points if p.kind in (ContactPointKind.PHONE, ContactPointKind.MOBILE)],
            [e164 for _display, e164, _mobile in data["phones"]],
        ),
        (
            form.fields["fax"].label,
            [p.value for p in points if p.kind == ContactPointKind.FAX],
            [data["fax"][0]] if data.get("fax") else [],
            [p.normalized for p in points if p.kind == ContactPointKind.FAX],
            [data["fax"][1]] if data.get("fax") else [],
        ),
        (
            form.fields["tags_text"].label,
            sorted(t.name for t in current.tags.all()),
            sorted(data["tags_text"]),
            sorted(t.name for t in current.tags.all()),
            sorted(data["tags_text"]),
        ),
    ]
    for label, now, typed, now_key, typed_key in pairs:
        if sorted(now_key) != sorted(typed_key):
            rows.append(Difference(str(label), _shown(now), _shown(typed)))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.method != "POST":
        return _render_person_form(request, PersonForm(instance=person, owner=request.user), person=person)
    form = PersonForm(request.POST, instance=person, owner=request.user)
    if not form.is_valid():
        return _render_person_form(request, form, person=person)
    try:
        with transaction.atomic():
            person = services.update_person(
                person=person,
                expected_version=form.cleaned_data["version"],
                values=form.model_values(),
                fields=form.cleaned_data["fields"],
                tag_names=form.tag_names(),
                contact_points=form.contact_points(),
            )
    except Person.DoesNotExist:
        raise Http404 from None
    except services.StaleEdit as stale:
        current = stale.current
        conflict = stale_differences(form, current)
        # Keep everything typed, now on top of the current version, so a
        # second save deliberately replaces what the other save wrote.
        data = request.POST.copy()
        data["version"] = str(current.version)
        retry = PersonForm(data, instance=current, owner=request.user)
        return _render_person_form(request, retry, person=current, conflict=conflict)
    messages.success(request, _("%(name)s was saved.") % {"name": person.display_name})
    return redirect(person)


@login_required
@require_http_methods(["GET", "POST"])
def person_end(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.select_related("first_met_event").prefetch_related("fields", "tags", "contact_points"),
        pk=pk,
        owner=request.user,
    )
    if request.method == "POST":
        form = EndRelationshipForm(request.POST)
        if form.is_valid():
            services.end_relationship(
                person=person,
                on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("The relationship with %(name)s was ended. The history stays.") % {"name": person.display_name},
            )
            return _redirect(request, person.get_absolute_url())
    else:
        form = EndRelationshipForm(initial={"ended_on": timezone.localdate()})
        if request.htmx:
            # The person page's end box, opened.
            return render(request, "contacts/person_detail.html#end-form-body", {"person": person, "end_form": form})
    context = {
        "person": person,
        "page": _timeline_page(person, request.GET.get("page")),
    }
    context |= _detail_context(person, form)
    return render(request, "contacts/person_detail.html", context)


@login_required
@require_POST
def person_reactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    services.reactivate(person=person)
    messages.success(request, _("%(name)s is active again.") % {"name": person.display_name})
    return _redirect(request, person.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def person_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    keep = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.method == "POST":
        form = MergeForm(request.POST, owner=request.user, keep=keep)
        if form.is_valid():
            other = form.cleaned_data["other"]
            name = other.display_name
            try:
                keep = services.merge_people(keep=keep, other=other)
            except services.NotesTooLong as error:
                form.add_error("other", str(error))
            else:
                messages.success(
                    request,
                    _("%(other)s was merged into %(keep)s.") % {"other": name, "keep": keep.display_name},
                )
                return _redirect(request, keep.get_absolute_url())
    else:
        form = MergeForm(owner=request.user, keep=keep)
    query = request.GET.get("q", "")[:100]
    if query.strip():
        candidates = Person.objects.filter(owner=request.user).exclude(pk=keep.pk).search_by_reading(query)
    else:
        candidates = _recent_people(request.user, exclude_pk=keep.pk)
    candidates = candidates.annotate(meeting_count=Count("meetings")).only(*PERSON_LABEL_COLUMNS, "title")
    context = {
        "person": keep,
        "form": form,
        "query": query,
        "candidates": list(candidates[:PICKER_RESULTS]),
        "selected": _int_list([form["other"].value()]),
    }
    if request.htmx and request.htmx.target == "merge-candidates":
        return render(request, "contacts/person_merge.html#merge-candidates", context)
    return render(request, "contacts/person_merge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, owner=request.user)
    if request.method == "POST":
        name = person.display_name
        trash.trash_person(person=person)
        messages.success(
            request,
            _("%(name)s was moved to the trash. You can restore them from the trash for %(days)d days.")
            % {"name": name, "days": TRASH_DAYS},
        )
        return _redirect(request, reverse("contacts:person_list"))
    meetings = Meeting.objects.filter(owner=request.user, people=person)
    only_them = Meeting.objects.filter(pk__in=meetings.values("pk")).annotate(n=Count("people")).filter(n=1).count()
    total = meetings.count()
    return render(
        request,
        "contacts/person_delete.html",
        {
            "person": person,
            "meeting_count": total,
            "solo_meeting_count": only_them,
            "shared_meeting_count": total - only_them,
            "introduced_count": person.introduced.count(),
            "contact_count": person.contact_points.count(),
            "trash_days": TRASH_DAYS,
        },
    )


# Meetings


def _meeting_context(request, form: MeetingForm, *, meeting=None, person=None):
    """The picker shows the people ticked in the form, then search results."""
    selected_ids = _int_list(form["people"].value() or [])
    selected = {
        p.pk: p for p in Person.objects.filter(owner=request.user, pk__in=selected_ids).only(*PERSON_LABEL_COLUMNS)
    }
    chosen = [selected[pk] for pk in selected_ids if pk in selected]
    query = request.GET.get("people_q", "")[:100]
    limit = PICKER_RESULTS if query.strip() else PICKER_RECENT
    others = _picker_people(request.user, query, exclude_pks=selected, limit=limit)
    _limit_event_choices(form, "event", request.user)
    return {
        "form": form,
        "meeting": meeting,
        "person": person,
        "chosen": chosen,
        "others": others,
        "people_q": query,
        "next": _safe_next(request, ""),
    }


def _is_picker_request(request) -> bool:
    return bool(request.htmx) and request.htmx.target == "people-choices"


def _render_meeting_form(request, context) -> HttpResponse:
    if request.htmx and request.htmx.target in {"people-choices", "meeting-form"}:
        return render(request, f"contacts/meeting_form.html#{request.htmx.target}", context)
    return render(request, "contacts/meeting_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthedRequest) -> HttpResponse:
    person = None
    if "person" in request.GET:
        ids = _int_list([request.GET["person"]])
        person = get_object_or_404(Person, pk=ids[0] if ids else 0, owner=request.user)
    if request.method == "POST":
        form = MeetingForm(request.POST, owner=request.user)
        if form.is_valid():
            data = form.cleaned_data
            people = list(data["people"])
            services.log_meeting(
                owner=request.user,
                people=people,
                date=data["date"],
                kind=data["kind"],
                event=data["event"],
                summary=data["summary"],
                next_step=data["next_step"],
                next_step_on=data["next_step_on"],
            )
            messages.success(request, _("The meeting was logged."))
            back = person if person in people else people[0]
            return _redirect(request, back.get_absolute_url())
    else:
        initial = {"date": timezone.localdate()}
        if person:
            initial["people"] = [person.pk]
        if _is_picker_request(request) or "people" in request.GET:
            initial["people"] = _int_list(request.GET.getlist("people"))
        form = MeetingForm(initial=initial, owner=request.user)
    context = _meeting_context(request, form, person=person)
    return _render_meeting_form(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk, owner=request.user)
    if request.method == "POST":
        form = MeetingForm(request.POST, instance=meeting, owner=request.user)
        if form.is_valid():
            data = form.cleaned_data
            people = list(data["people"])
            next_url = _safe_next(request, people[0].get_absolute_url())
            services.update_meeting(
                meeting=meeting,
                values={name: data[name] for name in form.Meta.fields if name != "people"},
                people=people,
            )
            messages.success(request, _("The meeting was saved."))
            return _redirect(request, next_url)
    else:
        form = MeetingForm(instance=meeting, owner=request.user)
        if _is_picker_request(request):
            form.initial["people"] = _int_list(request.GET.getlist("people"))
    context = _meeting_context(request, form, meeting=meeting)
    return _render_meeting_form(request, context)


@login_required
@require_POST
def meeting_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk, owner=request.user)
    first = meeting.people.order_by("sort_key").first()
    next_url = _safe_next(request, first.get_absolute_url() if first else reverse("contacts:person_list"))
    services.delete_meeting(meeting=meeting)
    messages.success(request, _("The meeting was deleted."))
    return _redirect(request, next_url)
