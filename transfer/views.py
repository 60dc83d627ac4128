from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.views import AuthedRequest
from contacts.models import Person

from . import backup, progress, services
from .decoding import FileRejected
from .exporting import EXPORT_FORMATS, export_stream
from .forms import ConfirmForm, DuplicateDefaultForm, ImportUploadForm, MappingForm, RestoreForm, RowActionForm
from .models import DuplicateAction, ImportJob, ImportRow, ImportStatus, RowKind

PREVIEW_ROWS = 100
RECENT_JOBS = 10
MAX_RESTORE_BYTES = 100 * 1024 * 1024
# Multipart framing around the file itself.
UPLOAD_OVERHEAD = 64 * 1024


def _index(request, *, upload_form=None, restore_form=None, status=200) -> HttpResponse:
    jobs = ImportJob.objects.filter(owner=request.user).only(
        "pk", "filename", "format", "status", "total", "created_count", "merged_count", "created_at", "owner_id"
    )[:RECENT_JOBS]
    context = {
        "upload_form": upload_form or ImportUploadForm(),
        "restore_form": restore_form or RestoreForm(),
        "jobs": jobs,
        **Person.objects.filter(owner=request.user).aggregate(
            people_count=Count("pk"), guessed_count=Count("pk", filter=Q(reading_inferred=True))
        ),
        "can_restore": backup.is_empty(request.user) and not services.restore_under_way(request.user),
        "export_formats": [(key, label()) for key, (label, _type, _ext) in EXPORT_FORMATS.items()],
        "max_mb": services.MAX_IMPORT_BYTES // (1024 * 1024),
        "max_rows": services.MAX_IMPORT_ROWS,
        "background_from": services.BACKGROUND_FROM_ROWS,
        "max_restore_mb": MAX_RESTORE_BYTES // (1024 * 1024),
    }
    return render(request, "transfer/index.html", context, status=status)


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    return _index(request)


def _refused(form_class, message: str):
    """An empty form of `form_class` carrying `message` as its error."""
    form = form_class()
    form.cleaned_data = {}
    form.add_error(None, message)
    return form


def _too_big(request, limit: int) -> bool:
    """Refuse an upload by its declared length, before Django reads and parses the body."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit + UPLOAD_OVERHEAD
    except ValueError:
        return True


@csrf_exempt  # checked by the inner view, once the size is known to be acceptable
@login_required
@require_POST
def import_upload(request: AuthedRequest) -> HttpResponse:
    if _too_big(request, services.MAX_IMPORT_BYTES):
        message = _("The file is larger than %(size)d MB.") % {"size": services.MAX_IMPORT_BYTES >> 20}
        return _index(request, upload_form=_refused(ImportUploadForm, message), status=413)
    return _import_upload(request)


@csrf_protect
def _import_upload(request: AuthedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, upload_form=form)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_IMPORT_BYTES:
        form.add_error("file", _("The file is larger than %(size)d MB.") % {"size": services.MAX_IMPORT_BYTES >> 20})
        return _index(request, upload_form=form)
    try:
        job = services.start_import(owner=request.user, filename=upload.name, data=upload.read())
    except FileRejected as error:
        form.add_error("file", str(error))
        return _index(request, upload_form=form)
    return redirect(job)


@login_required
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    context = {"job": job, "progress": progress.read(job.pk) if job.is_working else None}
    if request.htmx and request.htmx.target == "import-progress":
        if job.status in (ImportStatus.MAPPING, ImportStatus.PREVIEW):
            # The worker has read the file: show the whole page.
            return HttpResponseClientRedirect(job.get_absolute_url())
        return render(request, "transfer/import_detail.html#import-progress", context)
    if job.status == ImportStatus.MAPPING:
        context["form"] = MappingForm(header=job.header, initial_mapping=job.mapping)
        context["sample"] = _sample(job)
    elif job.status == ImportStatus.PREVIEW:
        context |= _preview(job)
        context["form"] = ConfirmForm(initial={"duplicates": job.duplicate_action})
    return render(request, "transfer/import_detail.html", context)


def _sample(job: ImportJob) -> list[list[str]]:
    rows = job.rows.filter(kind=RowKind.RAW).order_by("line").values_list("data", flat=True)[:3]
    return [data["cells"] for data in rows]


def _preview(job: ImportJob) -> dict:
    """Counts per kind and the first rows of each, and the rows imported with a warning:
    eight queries whatever the size of the file."""
    counts = dict(job.rows.exclude(kind=RowKind.RAW).values_list("kind").annotate(n=Count("pk")).order_by())
    rows = job.rows.order_by("line", "pk")
    duplicates = rows.filter(kind=RowKind.DUPLICATE)
    warned = rows.filter(kind__in=[RowKind.NEW, RowKind.DUPLICATE], data__has_key="warnings")
    return {
        "counts": {kind: counts.get(kind, 0) for kind in (RowKind.NEW, RowKind.DUPLICATE, RowKind.INVALID)}
        | {"repeat": duplicates.filter(match_row__isnull=False).count()},
        "new_rows": list(rows.filter(kind=RowKind.NEW)[:PREVIEW_ROWS]),
        "duplicate_rows": list(duplicates.select_related("match", "match_row")[:PREVIEW_ROWS]),
        "invalid_rows": list(rows.filter(kind=RowKind.INVALID)[:PREVIEW_ROWS]),
        "warning_rows": list(warned[:PREVIEW_ROWS]),
        "warning_count": warned.count(),
        "preview_rows": PREVIEW_ROWS,
        "row_actions": DuplicateAction.choices,
    }


def _left_preview(request, job: ImportJob) -> HttpResponse:
    """The job moved on (another tab confirmed it): show where it is now."""
    if request.htmx:
        return HttpResponseClientRedirect(job.get_absolute_url())
    return redirect(job)


@login_required
@require_POST
def import_duplicates(request: AuthedRequest, pk: int) -> HttpResponse:
    """Set the default for duplicates, and with "apply to all", drop the rows' own choices."""
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    form = DuplicateDefaultForm(request.POST)
    if job.status != ImportStatus.PREVIEW:
        return _left_preview(request, job)
    if not form.is_valid():
        return HttpResponse(_("Choose what to do with the duplicates."), status=400)
    if not services.set_duplicate_default(
        job=job, action=form.cleaned_data["duplicates"], apply_to_all=form.cleaned_data["apply_to_all"]
    ):
        return _left_preview(request, job)
    if request.htmx:
        context = {"job": job, **_preview(job)}
        return render(request, "transfer/import_detail.html#import-duplicates", context)
    return redirect(job)


@login_required
@require_POST
def import_row_action(request: AuthedRequest, pk: int, row_pk: int) -> HttpResponse:
    """Merge, skip or create one duplicate row; a row of another job or user is a 404."""
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    row = get_object_or_404(
        ImportRow.objects.select_related("match", "match_row"), pk=row_pk, job=job, kind=RowKind.DUPLICATE
    )
    if job.status != ImportStatus.PREVIEW:
        return _left_preview(request, job)
    form = RowActionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose merge, skip or create."), status=400)
    if not services.set_row_action(row=row, action=form.cleaned_data["action"]):
        return _left_preview(request, job)
    row.action = form.cleaned_data["action"]
    if request.htmx:
        context = {"job": job, "row": row, "row_actions": DuplicateAction.choices}
        return render(request, "transfer/import_detail.html#duplicate-row", context)
    return redirect(job)


@login_required
@require_POST
def import_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    if job.status != ImportStatus.MAPPING:
        return redirect(job)
    form = MappingForm(request.POST, header=job.header, initial_mapping=job.mapping)
    if not form.is_valid():
        return render(request, "transfer/import_detail.html", {"job": job, "form": form, "sample": _sample(job)})
    services.apply_mapping(job=job, mapping=form.cleaned_data["mapping"])
    return redirect(job)


@login_required
@require_POST
def import_remap(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    services.reopen_mapping(job=job)
    return redirect(job)


@login_required
@require_POST
def import_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    form = ConfirmForm(request.POST)
    if job.status == ImportStatus.PREVIEW and not form.is_valid():
        return render(request, "transfer/import_detail.html", {"job": job, "form": form, **_preview(job)})
    if job.status == ImportStatus.PREVIEW:
        services.confirm_import(job=job, duplicate_action=form.cleaned_data["duplicates"])
    return redirect(job)


@login_required
@require_POST
def import_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    if services.discard_import(job=job):
        messages.success(request, _("The import was discarded."))
    else:
        messages.warning(request, _("An import being saved cannot be discarded."))
    return redirect("transfer:index")


@login_required
def export_download(request: AuthedRequest, fmt: str) -> StreamingHttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _label, content_type, extension = EXPORT_FORMATS[fmt]
    name = f"jinmyaku-{'backup' if fmt == 'json' else 'contacts'}-{timezone.localdate():%Y%m%d}.{extension}"
    # Any value but the checkbox's own leaves guessed readings out: the safe reading of junk.
    guessed = request.GET.get("guessed") == "1"
    response = StreamingHttpResponse(export_stream(request.user, fmt, guessed=guessed), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@csrf_exempt  # checked by the inner view, once the size is known to be acceptable
@login_required
@require_POST
def restore_upload(request: AuthedRequest) -> HttpResponse:
    if _too_big(request, MAX_RESTORE_BYTES):
        message = _("The file is larger than %(size)d MB.") % {"size": MAX_RESTORE_BYTES >> 20}
        return _index(request, restore_form=_refused(RestoreForm, message), status=413)
    return _restore_upload(request)


@csrf_protect
def _restore_upload(request: AuthedRequest) -> HttpResponse:
    form = RestoreForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, restore_form=form)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > MAX_RESTORE_BYTES:
            raise FileRejected(_("The file is larger than %(size)d MB.") % {"size": MAX_RESTORE_BYTES >> 20})
        started = services.start_restore(owner=request.user, filename=upload.name, data=upload.read())
    except FileRejected as error:
        form.add_error("file", str(error))
        return _index(request, restore_form=form)
    if isinstance(started, ImportJob):
        # A big backup: the worker restores it, and its page shows how far it got.
        return redirect(started)
    messages.success(request, _("The backup was restored: %(count)d people.") % {"count": started})
    return redirect("contacts:person_list")
