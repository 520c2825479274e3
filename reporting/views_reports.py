"""Screens of the semester report to the World Bank (SPEC §6, PMPP §7), under /rapports/semestriels/.

One shape per view: check the permission (403 without it) → fetch → parse → one service →
render or redirect. A draft is shown as a live preview, recomputed on every request and
marked as such; an approved report shows only its frozen snapshot, on screen and in the
downloads alike. Approval takes two steps: a confirmation page (GET), then its POST.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from django.views.decorators.http import require_safe
from django_fsm import has_transition_perm

from pmpp.confirmation import confirmed
from pmpp.db_routers import reporting_reads
from pmpp.form_rendering import BootstrapMixin
from pmpp.languages import active_language
from pmpp.limits import max_length_of
from reporting import selectors, services
from reporting.display import displayed
from reporting.downloads import tables_csv_response, tables_xlsx_response
from reporting.models import SemesterReport
from reporting.pdf import PDF_LANGUAGES, semester_report_pdf
from stakeholders.selectors import history_for

DOWNLOAD_FORMATS = ("csv", "xlsx", "pdf")


# --- forms -----------------------------------------------------------------------------------------------


class ReportStartForm(BootstrapMixin, forms.Form):
    """Field names are those of `semester_report_start`'s errors, so an error lands on its field."""

    year = forms.TypedChoiceField(label=gettext_lazy("Année"), coerce=int)
    semester = forms.TypedChoiceField(
        label=gettext_lazy("Semestre"), coerce=int, choices=SemesterReport.Semester.choices
    )
    notes = forms.CharField(
        label=gettext_lazy("Observations (facultatif)"),
        required=False,
        max_length=max_length_of(SemesterReport, "notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, 2019, -1)]
        self._style()


class NewVersionForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de la nouvelle version"),
        # It becomes the new version's observations.
        max_length=max_length_of(SemesterReport, "notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Gardé dans l'historique et dans les observations de la nouvelle version."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name, the rest on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- helpers ---------------------------------------------------------------------------------------------


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _is_latest(report: SemesterReport) -> bool:
    return not SemesterReport.objects.filter(
        year=report.year, semester=report.semester, version__gt=report.version
    ).exists()


def _detail_url(report: SemesterReport) -> str:
    return reverse("reporting:report_detail", args=[report.pk])


# --- views -----------------------------------------------------------------------------------------------


@login_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, "reporting.view_semesterreport")
    return render(
        request,
        "reporting/report_list.html",
        {
            "reports": selectors.semester_report_list(),
            "can_start": request.user.has_perm("reporting.add_semesterreport"),
        },
    )


@login_required
def report_start(request: HttpRequest) -> HttpResponse:
    _require(request.user, "reporting.add_semesterreport")
    today = timezone.localdate()
    if request.method == "POST":
        form = ReportStartForm(request.POST)
        if form.is_valid():
            try:
                report = services.semester_report_start(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    semester=form.cleaned_data["semester"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Rapport %(report)s ouvert en brouillon.") % {"report": report.label})
                return redirect(_detail_url(report))
    else:
        form = ReportStartForm(initial={"year": today.year, "semester": 1 if today.month <= 6 else 2})
    return render(
        request,
        "reporting/report_form.html",
        {
            "form": form,
            "title": _("Préparer un rapport semestriel"),
            "intro": _(
                "Le brouillon montre les chiffres recalculés à chaque affichage ; ils ne seront figés qu'à "
                "l'approbation."
            ),
            "submit": _("Ouvrir le brouillon"),
            "back_url": reverse("reporting:report_list"),
        },
    )


@login_required
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = selectors.semester_report_get_for_user(user=user, pk=pk)
    # Only a draft's live figures come from the reporting replica: the report itself (its status
    # and history, just written by an approval or a new version) is read from the primary.
    with reporting_reads():
        data = selectors.semester_report_data(report=report, user=user)
    is_draft = report.status == SemesterReport.Status.DRAFT
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "is_draft": is_draft,
            "generated_at": selectors.moment(data.get("metadata", {}).get("generated_at")),
            "tables": displayed(selectors.semester_report_tables(data)),
            "can_approve": is_draft and has_transition_perm(report.approve, user),
            "can_new_version": not is_draft and user.has_perm("reporting.add_semesterreport") and _is_latest(report),
            "history": history_for(
                (lambda row: _("Version %(version)s") % {"version": row.version}, report.history.all())
            ),
        },
    )


@login_required
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST from it: approve and freeze (never on a GET)."""
    _require(request.user, "reporting.approve_semesterreport")
    report = selectors.semester_report_get_for_user(user=request.user, pk=pk)
    if report.status != SemesterReport.Status.DRAFT:
        messages.info(request, _("Ce rapport est déjà approuvé : ses chiffres sont figés."))
        return redirect(_detail_url(report))
    error = ""
    if request.method == "POST":
        try:
            services.semester_report_approve(
                report=report,
                actor=request.user,
                confirmed=confirmed(request.POST),
                unfinished_semester_acknowledged=request.POST.get("unfinished_semester") == "acknowledged",
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) not in ("confirmation_required", "unfinished_semester"):
                messages.error(request, " ".join(exc.messages))
                return redirect(_detail_url(report))
            # The page again, with what is missing: nothing was approved.
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Rapport %(report)s approuvé (version %(version)s) : ses chiffres sont figés.")
                % {"report": report.label, "version": report.version},
            )
            return redirect(_detail_url(report))
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    context = {
        "report": report,
        "error": error,
        # Approving before the semester's end leaves out what happens until then: said, and acknowledged.
        "unfinished": not services.semester_has_ended(report),
        "period_end": report.period.end,
    }
    return render(request, "reporting/report_confirm_approve.html", context)


@login_required
def report_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "reporting.add_semesterreport")
    report = selectors.semester_report_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        form = NewVersionForm(request.POST)
        if form.is_valid():
            try:
                draft = services.semester_report_new_version(
                    report=report, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(version)s du rapport %(report)s ouverte en brouillon.")
                    % {"version": draft.version, "report": draft.label},
                )
                return redirect(_detail_url(draft))
    else:
        form = NewVersionForm()
    return render(
        request,
        "reporting/report_form.html",
        {
            "form": form,
            "title": _("Nouvelle version du rapport %(report)s") % {"report": report.label},
            "intro": _(
                "La version %(version)s approuvée reste telle quelle ; la nouvelle version est un brouillon qui la "
                "remplacera une fois approuvé."
            )
            % {"version": report.version},
            "submit": _("Ouvrir la nouvelle version"),
            "back_url": _detail_url(report),
        },
    )


@login_required
@require_safe
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The data shown on the report's page: the snapshot once approved, the preview of a draft.

    The PDF is written in the language of `?lang=` ("fr" or "ar"), the user's by default.
    """
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    report = selectors.semester_report_get_for_user(user=request.user, pk=pk)
    with reporting_reads():
        data = selectors.semester_report_data(report=report, user=request.user)
    if fmt == "pdf":
        return _pdf_response(request, report=report, data=data)
    tables = selectors.semester_report_tables(data)
    if report.status == SemesterReport.Status.APPROVED:
        name = f"rapport-semestriel-S{report.semester}-{report.year}-v{report.version}"
        title = _("Rapport semestriel %(report)s — version %(version)s, approuvé par %(who)s le %(when)s") % {
            "report": report.label,
            "version": report.version,
            "who": report.approved_by.get_full_name() or report.approved_by.username,
            "when": formats.date_format(timezone.localtime(report.approved_at), "d/m/Y H:i"),
        }
    else:
        name = f"rapport-semestriel-S{report.semester}-{report.year}-v{report.version}-apercu"
        title = _("Rapport semestriel %(report)s — version %(version)s : Aperçu — non figé") % {
            "report": report.label,
            "version": report.version,
        }
    if fmt == "csv":
        return tables_csv_response(filename=f"{name}.csv", title=title, tables=tables)
    return tables_xlsx_response(filename=f"{name}.xlsx", title=title, tables=tables)


def _pdf_response(request: HttpRequest, *, report: SemesterReport, data: dict) -> HttpResponse:
    language = request.GET.get("lang") or active_language()
    if language not in PDF_LANGUAGES:
        raise Http404
    with override(language):
        tables = selectors.semester_report_tables(data)
    content = semester_report_pdf(report=report, data=data, tables=tables, language=language)
    name = f"rapport-semestriel-S{report.semester}-{report.year}-v{report.version}"
    if report.status != SemesterReport.Status.APPROVED:
        name += "-apercu"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}-{language}.pdf")
    return response
