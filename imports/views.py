"""Screens of the file imports: upload and dry run, the job's page, the real import, the report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imports import mapping, selectors, services
from imports.forms import UploadForm
from imports.models import ImportJob
from pmpp.exports import csv_response


def _require_import_right(request: HttpRequest) -> None:
    if not services.user_can_import(request.user):
        raise PermissionDenied


def _columns_by_source() -> list[tuple[str, list[tuple[str, bool]]]]:
    return [
        (ImportJob.Source(source).label, [(header, field in mapping.REQUIRED) for field, header in columns.items()])
        for source, columns in mapping.COLUMNS.items()
    ]


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    _require_import_right(request)
    jobs = selectors.import_job_list_for_user(user=request.user)[:50]
    return render(request, "imports/list.html", {"jobs": jobs})


@login_required
def job_upload(request: HttpRequest) -> HttpResponse:
    """Upload an export; its dry run starts at once (in the background for a large file)."""
    _require_import_right(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                actor=request.user, source=form.cleaned_data["source"], uploaded_file=form.cleaned_data["file"]
            )
            job = services.import_job_validate(job=job, actor=request.user)
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, errors in by_field.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("imports:detail", pk=job.pk)
    return render(request, "imports/upload.html", {"form": form, "columns": _columns_by_source()})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import_right(request)
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    return render(request, "imports/detail.html", {"job": job})


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled every second by htmx while the job runs."""
    _require_import_right(request)
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    response = render(request, "imports/_progress.html", {"job": job})
    if not job.is_running and request.headers.get("HX-Request"):
        # Finished: reload the whole page to show the results and the next step.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_run_import(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import_right(request)
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    try:
        job = services.import_job_import(job=job, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if job.status == job.Status.DONE:
            messages.success(
                request,
                _("Import terminé : %(created)s réclamation(s) créée(s), %(already)s déjà importée(s).")
                % {"created": job.created_count, "already": job.already_imported},
            )
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_GET
def job_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every bad row as (row, column, message): the messages never quote personal data."""
    _require_import_right(request)
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    return csv_response(
        filename=f"import-{job.pk}-erreurs.csv",
        header=[_("Ligne"), _("Colonne"), _("Message")],
        rows=job.errors,
    )
