"""Workflow screens. Every view: parse → fetch through the visibility scope → one service → render.

Personal data never goes in a URL: search is a POST (grievances.views.search), queue filters
carry reference data only, and a grievance is addressed by its database id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grievances import forms as grievance_forms
from grievances import forms_sensitive
from grievances.filters import GrievanceFilter
from grievances.models import Commitment, Grievance, SensitiveCase
from grievances.people import file_people
from grievances.queues import DEFAULT_QUEUE_SORT, QUEUES_BY_SLUG, queue_page, queues_for
from grievances.receipts import receipt_data
from grievances.selectors import (
    complainant_other_grievances,
    grievance_file_for_user,
    grievance_list_for_user,
    grievance_queue_branches,
    grievance_queue_for_user,
    sensitive_case_get_for_user,
)
from grievances.services import workflow as wf
from grievances.services.intake import grievance_register, intake_owner, normalise_cnie
from grievances.services.sensitive import sensitive_case_close, sensitive_case_refer
from grievances.step_context import step_context
from grievances.tables import SLA_BADGES, countdown_label, queue_columns
from grievances.timeline import grievance_timeline
from grievances.views.bulk import bulk_queue_context
from grievances.views.exchanges import exchanges_context
from grievances.views.notes import notes_context
from grievances.views.receipts import receipt_context, slip  # noqa: F401 — slip: grievances.urls
from grievances.workflow import TRANSITION_LABELS
from pmpp import roles
from privacy.access import AccessChannel, record_views

PAGE_SIZES = (10, 25, 50, 100)
# Steps the screens never offer: a duplicate is linked by the intake service itself.
_NOT_OFFERED = {"mark_duplicate"}


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name, the rest on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _queue_rows(request: HttpRequest, slug: str):
    queue = QUEUES_BY_SLUG.get(slug)
    if queue is None or queue not in queues_for(request.user):
        raise Http404(_("File de travail introuvable."))
    rows = grievance_queue_for_user(user=request.user, queue=queue, today=timezone.localdate())
    filters = GrievanceFilter(request.GET, queryset=rows)
    return queue, filters


def _queue_branches(request: HttpRequest, queue, filters: GrievanceFilter, *, today) -> list | None:
    """The queue's disjoint parts with the same filters as its rows, for `queue_page` to merge.

    The page's filter form, validated once, is applied to each part: a FilterSet per part
    deep-copied its filters and built and validated its form again, some 5 ms on a page of an
    account with six programmes (issue 19).
    """
    branches = grievance_queue_branches(user=request.user, queue=queue, today=today)
    if branches is None:
        return None
    filters.is_valid()  # its cleaned data, which filter_queryset reads
    return [filters.filter_queryset(rows.all()) for rows in branches]


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """A work queue, page by page in the queue's order (or a column's), with its filters.

    Pages follow a cursor (« Suivant », « Précédent », « Première page »), so a page deep in
    a queue of a million grievances is read like the first one, and nothing is counted.
    """
    queue, filters = _queue_rows(request, slug)
    today = timezone.localdate()
    branches = _queue_branches(request, queue, filters, today=today)
    # Select-all and bulk work (issue 18): for who may take a bulk action.
    bulk = bulk_queue_context(request=request, queue=queue, filters=filters, branches=branches)
    try:
        per_page = int(request.GET.get("per_page", 25))
    except ValueError:
        per_page = 25
    per_page = per_page if per_page in PAGE_SIZES else 25
    page = queue_page(
        filters.qs,
        sort=request.GET.get("sort", ""),
        cursor=request.GET.get("cursor", ""),
        per_page=per_page,
        branches=branches,
    )
    for row in page.rows:
        row.sla = row.sla_status(today=today)
        row.sla_badge = SLA_BADGES.get(row.sla, "")
        row.countdown = countdown_label(row.due_countdown(today=today))
    return render(
        request,
        "grievances/queue.html",
        {
            "queue": queue,
            "page": page,
            "columns": queue_columns(sort=page.sort),
            "selectable": bool(bulk["bulk_actions"]),
            "default_sort": DEFAULT_QUEUE_SORT,
            "filter": filters,
            **bulk,
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
        },
    )


EXPORT_HEADER = [
    "Référence",
    "Programme",
    "Canal",
    "Catégorie",
    "État",
    "Reçue le",
    "Échéance",
    "Région",
    "Attribuée à",
    "Service",
]


@login_required
def queue_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """A queue as CSV or XLSX: the same rows as the screen, without personal data."""
    from pmpp.exports import csv_response, xlsx_response

    if fmt not in ("csv", "xlsx"):
        raise Http404
    queue, filters = _queue_rows(request, slug)
    # Plain tuples of the ten columns, not model instances: an export of 100,000 rows
    # would otherwise build 100,000 grievances and their related objects.
    rows = filters.qs.order_by("current_due_on", "pk").values_list(
        "reference",
        "programme__name",
        "channel__name",
        "category__name",
        "status",
        "received_at",
        "current_due_on",
        "region__name",
        "assigned_to__first_name",
        "assigned_to__last_name",
        "assigned_to__username",
        "assigned_unit__name",
    )
    status_labels = {value: str(label) for value, label in Grievance.Status.choices}

    def values():
        for (
            reference,
            programme,
            channel,
            category,
            status,
            received,
            due,
            region,
            first,
            last,
            login,
            unit,
        ) in rows.iterator(chunk_size=2000):
            yield [
                reference,
                programme,
                channel,
                category or "",
                status_labels.get(status, status),
                received,
                due,
                region or "",
                (f"{first} {last}".strip() or login) if login else "",
                unit or "",
            ]

    filename = f"reclamations-{slug}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(filename=f"{filename}.csv", header=EXPORT_HEADER, rows=values())
    return xlsx_response(
        filename=f"{filename}.xlsx", sheet_title=str(queue.label)[:31], header=EXPORT_HEADER, rows=values()
    )


@login_required
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    """Assign one or many grievances from a queue to an agent and/or a business unit."""
    if not request.user.has_perm("grievances.assign_grievance"):
        # Without the right, a selection of grievances it cannot see would otherwise end in a
        # silent redirect, as if the assignment had been accepted.
        raise PermissionDenied
    form = grievance_forms.AssignForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("home")
    ids = [int(pk) for pk in request.POST.getlist("selection") if pk.isdigit()]
    if not ids:
        messages.error(request, _("Sélectionnez au moins une réclamation."))
        return redirect(back)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(back)
    done, refused = 0, []
    for grievance in grievance_list_for_user(user=request.user).filter(pk__in=ids):
        try:
            wf.grievance_assign(
                grievance=grievance,
                actor=request.user,
                assignee=form.cleaned_data["assignee"],
                unit=form.cleaned_data["unit"],
            )
            done += 1
        except (ValidationError, PermissionDenied) as error:
            refused.append(f"{grievance.reference} : {' '.join(getattr(error, 'messages', [str(error)]))}")
    if done:
        messages.success(request, _("%(count)d réclamation(s) attribuée(s).") % {"count": done})
    for line in refused:
        messages.error(request, line)
    return redirect(back)


_STEP_ORDER = list(TRANSITION_LABELS)


def _available_steps(grievance: Grievance, user) -> list[dict]:
    """The steps this user may take now, in the order of the workflow."""
    names = {t.name for t in grievance.get_available_user_status_transitions(user)} - _NOT_OFFERED
    return [{"name": name, "label": TRANSITION_LABELS[name]} for name in sorted(names, key=_STEP_ORDER.index)]


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = grievance_file_for_user(user=request.user, pk=pk)
    commitments = list(Commitment.objects.filter(grievance=grievance).select_related("given_by").order_by("sequence"))
    others = list(complainant_other_grievances(user=request.user, grievance=grievance)[:20])
    from grievances.forms_attachments import AttachmentForm

    # Who may take the case and who may be mentioned on it, by name (issue 18).
    assignees, mentionable = file_people(grievance)

    context = {
        "grievance": grievance,
        "sla": grievance.sla_status(),
        "commitments": commitments,
        **exchanges_context(user=request.user, grievance=grievance, commitments=commitments),
        "others": others,
        "attachments": list(grievance.attachments.select_related("uploaded_by")),
        "attachment_form": AttachmentForm() if request.user.has_perm("grievances.add_attachment") else None,
        "steps": _available_steps(grievance, request.user),
        "assign_form": (
            grievance_forms.AssignForm(
                initial={"assignee": grievance.assigned_to_id, "unit": grievance.assigned_unit_id},
                assignees=assignees,
            )
            if request.user.has_perm("grievances.assign_grievance")
            and grievance.status not in Grievance.TERMINAL_STATES
            else None
        ),
        **notes_context(user=request.user, grievance=grievance, mentionable=mentionable),
        "timeline": grievance_timeline(
            grievance, with_notes=roles.role_grants(request.user, "grievances.view_internalnote")
        ),
        # Both clocks (docs/metrics.md): the first instance's, and the appeal's when there is one.
        "delay": grievance.treatment_delay(),
        "within_deadline": grievance.treated_within_deadline(),
        "appeal_delay": grievance.appeal_delay_days(),
        "appeal_within_deadline": grievance.appeal_reviewed_within_deadline(),
    }
    record_views(request.user, channel=AccessChannel.PAGE, grievances=[grievance], where="grievances:detail")
    return render(request, "grievances/detail.html", context)


@login_required
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One workflow step: a form asking exactly its data, then the new state."""
    # The file's selector: the answer channel and the unfounded reason the context shows.
    grievance = grievance_file_for_user(user=request.user, pk=pk)
    form_class = grievance_forms.STEP_FORMS.get(name)
    if form_class is None:
        raise Http404(_("Étape inconnue."))
    if request.method == "POST":
        if request.POST.get("expected_status", grievance.status) != grievance.status:
            # A form loaded before another user moved the case: say so before checking
            # fields that may no longer apply to it (the service checks again under lock).
            messages.warning(request, str(wf.StaleGrievance(grievance)))
            return redirect("grievances:detail", pk=pk)
        form = form_class(request.POST, grievance=grievance, user=request.user)
        if form.is_valid():
            try:
                form.perform()
            except wf.StaleGrievance as stale:
                messages.warning(request, str(stale))
                return redirect("grievances:detail", pk=pk)
            except PermissionDenied as denied:
                messages.error(request, str(denied))
                return redirect("grievances:detail", pk=pk)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                if name == "flag_sensitive":
                    messages.success(
                        request, _("Le cas a été transmis au référent VBG. Le dossier ordinaire est fermé.")
                    )
                    if roles.GBV_REFERENT in roles.role_codes_for(request.user):
                        return redirect("grievances:detail", pk=pk)
                    return redirect("home")
                messages.success(request, _("Étape enregistrée : %(step)s.") % {"step": TRANSITION_LABELS[name]})
                return redirect("grievances:detail", pk=pk)
    else:
        if name not in {s["name"] for s in _available_steps(grievance, request.user)}:
            messages.error(
                request,
                _("L'étape « %(step)s » n'est pas possible pour vous sur ce dossier maintenant.")
                % {"step": TRANSITION_LABELS.get(name, name)},
            )
            return redirect("grievances:detail", pk=pk)
        form = form_class(grievance=grievance, user=request.user, query=request.GET)
    return render(
        request,
        "grievances/step.html",
        {
            "grievance": grievance,
            "form": form,
            "step_label": TRANSITION_LABELS[name],
            "step_context": step_context(grievance=grievance, name=name),
        },
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Register a complaint received by phone, at the desk or by mail (operation 1, step 1)."""
    if not request.user.has_perm("grievances.register_grievance"):
        raise PermissionDenied
    duplicate = None
    if request.method == "POST":
        form = grievance_forms.IntakeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            if not data["sensitive"] and not data["duplicate_action"]:
                duplicate = _open_duplicate(data)
                if duplicate is not None:
                    # Show the warning before saving: the agent links it as a duplicate, or opens
                    # a new case with a reason, each with its own button (issue 18).
                    return render(request, "grievances/intake.html", {"form": form, "duplicate": duplicate})
            separate = data["duplicate_action"] == grievance_forms.DUPLICATE_SEPARATE
            try:
                result = grievance_register(
                    actor=request.user,
                    programme=data["programme"],
                    channel=data["channel"],
                    received_at=data["received_at"],
                    description=data["description"],
                    is_anonymous=data["is_anonymous"] and not data["sensitive"],
                    cnie="" if data["sensitive"] or data["is_anonymous"] else data["cnie"],
                    phone="" if data["sensitive"] or data["is_anonymous"] else data["phone"],
                    name="" if data["sensitive"] or data["is_anonymous"] else data["name"],
                    sex=data["sex"] or "unknown",
                    age_group=data["age_group"] or "unknown",
                    region=data["region"],
                    residence=data["residence"],
                    identity_verified=data["identity_verified"],
                    category=data["category"],
                    external_reference=data["external_reference"],
                    duplicate_override_reason=data["duplicate_override_reason"] if separate else "",
                    sensitive=form.sensitive_details() if data["sensitive"] else None,
                    # The registering agent owns the case unless the form names someone (issue 18).
                    assignee=data["assignee"] or intake_owner(actor=request.user),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                request.session["intake_receipt"] = receipt_data(result)
                return redirect("grievances:receipt")
        elif form.data.get("duplicate_action"):
            # Refused on the warning (a new case without its reason): the warning stays.
            duplicate = _open_duplicate(form.cleaned_data)
    else:
        form = grievance_forms.IntakeForm(user=request.user)
    return render(request, "grievances/intake.html", {"form": form, "duplicate": duplicate})


def _open_duplicate(data) -> Grievance | None:
    from grievances.services.intake import find_open_duplicate

    if data.get("is_anonymous") or data.get("programme") is None:
        return None
    return find_open_duplicate(
        cnie=normalise_cnie(data.get("cnie", "")), programme=data["programme"], category=data.get("category")
    )


@login_required
def receipt(request: HttpRequest) -> HttpResponse:
    """What to read back to the complainant: reference, tracking code, PIN (shown this once)."""
    receipt = request.session.pop("intake_receipt", None)
    if receipt is None:
        return redirect("home")
    return render(request, "grievances/receipt.html", receipt_context(request, receipt))


# --- sensitive cases (GBV referent only) ------------------------------------------------------------------


def _referent_only(request: HttpRequest) -> None:
    if roles.GBV_REFERENT not in roles.role_codes_for(request.user):
        raise Http404


@login_required
def sensitive_list(request: HttpRequest) -> HttpResponse:
    _referent_only(request)
    cases = (
        SensitiveCase.objects.visible_to(request.user).select_related("programme").order_by("status", "referral_due_at")
    )
    return render(request, "grievances/sensitive_list.html", {"cases": cases, "now": timezone.now()})


@login_required
def sensitive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = sensitive_case_get_for_user(user=request.user, pk=pk)
    refer_form = forms_sensitive.ReferForm()
    close_form = forms_sensitive.CloseSensitiveForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "refer":
                refer_form = forms_sensitive.ReferForm(request.POST)
                if refer_form.is_valid():
                    sensitive_case_refer(case=case, actor=request.user, **refer_form.cleaned_data)
                    messages.success(request, _("Orientation enregistrée."))
                    return redirect("grievances:sensitive_detail", pk=pk)
            elif action == "close":
                close_form = forms_sensitive.CloseSensitiveForm(request.POST)
                if close_form.is_valid():
                    sensitive_case_close(case=case, actor=request.user, note=close_form.cleaned_data["closing_note"])
                    messages.success(request, _("Cas clôturé."))
                    return redirect("grievances:sensitive_detail", pk=pk)
        except ValidationError as error:
            _apply_errors(refer_form if action == "refer" else close_form, error)
    history = case.history.select_related("history_user").order_by("-history_id")
    record_views(request.user, channel=AccessChannel.PAGE, sensitive_cases=[case], where="grievances:sensitive_detail")
    return render(
        request,
        "grievances/sensitive_detail.html",
        {
            "case": case,
            "overdue": case.is_referral_overdue(),
            "refer_form": refer_form,
            "close_form": close_form,
            "history": history,
            "attachments": list(case.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")),
        },
    )
