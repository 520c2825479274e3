"""Screens of the stakeholder registry and the engagement evidence (SPEC §3, §4).

Every view has one shape: check the permission (403 without it) → fetch → parse the form
→ one service → render or redirect. Registry objects are saved by `registry_save`, which
checks the add/change permission again and records who and why; evidence and steps go
through their own services. Views never assign a status.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from pmpp.downloads import sealed_file_response
from privacy.access import AccessChannel, record_views
from stakeholders import filters, forms, selectors, services, tables
from stakeholders.charts import influence_interest_map
from stakeholders.models import (
    BudgetLine,
    Campaign,
    Concern,
    CorrectiveAction,
    DisclosedDocument,
    EngagementActivity,
    Language,
    MandateVerification,
    Minutes,
    MinutesAttachment,
    ProgressNote,
    Representative,
    Risk,
    Stakeholder,
    StakeholderGroup,
)

PAGE_SIZES = (10, 25, 50, 100)

ACTION_STEPS = {
    "start": gettext_lazy("Lancer l'action"),
    "complete": gettext_lazy("Marquer comme réalisée"),
    "cancel": gettext_lazy("Abandonner l'action"),
}
RISK_STEPS = {
    "mark_mitigated": gettext_lazy("Marquer comme atténué"),
    "close": gettext_lazy("Clore le risque"),
    "reactivate": gettext_lazy("Réactiver le risque"),
}


@dataclass(frozen=True)
class Register:
    """One list of the registry: its rows, table, filters, form and export file name."""

    kind: str
    model: type[Model]
    title: str
    rows: Callable[[], QuerySet]
    table: type[tables.RegistryTable]
    filterset: type[filters.StyledFilterSet]
    form: type[forms.RegistryForm]
    file_name: str


REGISTERS = {
    register.kind: register
    for register in (
        Register(
            "group",
            StakeholderGroup,
            gettext_lazy("Groupes de parties prenantes"),
            selectors.group_list,
            tables.GroupTable,
            filters.GroupFilter,
            forms.StakeholderGroupForm,
            "groupes",
        ),
        Register(
            "stakeholder",
            Stakeholder,
            gettext_lazy("Parties prenantes"),
            selectors.stakeholder_list,
            tables.StakeholderTable,
            filters.StakeholderFilter,
            forms.StakeholderForm,
            "parties-prenantes",
        ),
        Register(
            "representative",
            Representative,
            gettext_lazy("Représentants"),
            selectors.representative_list,
            tables.RepresentativeTable,
            filters.RepresentativeFilter,
            forms.RepresentativeForm,
            "representants",
        ),
        Register(
            "activity",
            EngagementActivity,
            gettext_lazy("Activités et consultations"),
            selectors.activity_list,
            tables.ActivityTable,
            filters.ActivityFilter,
            forms.ActivityForm,
            "activites",
        ),
        Register(
            "campaign",
            Campaign,
            gettext_lazy("Campagnes de communication"),
            selectors.campaign_list,
            tables.CampaignTable,
            filters.CampaignFilter,
            forms.CampaignForm,
            "campagnes",
        ),
        Register(
            "action",
            CorrectiveAction,
            gettext_lazy("Actions correctives"),
            selectors.corrective_action_list,
            tables.CorrectiveActionTable,
            filters.CorrectiveActionFilter,
            forms.CorrectiveActionForm,
            "actions-correctives",
        ),
        Register(
            "document",
            DisclosedDocument,
            gettext_lazy("Documents divulgués"),
            selectors.document_list,
            tables.DocumentTable,
            filters.DocumentFilter,
            forms.DocumentForm,
            "documents-divulgues",
        ),
        Register(
            "risk",
            Risk,
            gettext_lazy("Registre des risques"),
            selectors.risk_list,
            tables.RiskTable,
            filters.RiskFilter,
            forms.RiskForm,
            "risques",
        ),
    )
}


# --- helpers ---------------------------------------------------------------------------------------------


def _may(user, action: str, model: type[Model]) -> bool:
    return user.has_perm(f"stakeholders.{action}_{model._meta.model_name}")


def _require(user, action: str, model: type[Model]) -> None:
    """403 for a user without the permission: the registry is not secret, only closed to some roles."""
    if not _may(user, action, model):
        raise PermissionDenied


# How the access log names the objects whose contacts a response showed.
_LOGGED_AS = {Stakeholder: "stakeholders", Representative: "representatives"}


def _log_contact_reads(request: HttpRequest, model: type[Model], objects, *, channel=AccessChannel.PAGE) -> None:
    """A stakeholder's or representative's contact details on screen or in a file are a read of
    a person's data (Law 09-08), logged as a grievance file's is: one row, ids only."""
    record_views(request.user, channel=channel, where=request.resolver_match.view_name, **{_LOGGED_AS[model]: objects})


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name, the rest on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _per_page(request: HttpRequest) -> int:
    try:
        per_page = int(request.GET.get("per_page", 25))
    except ValueError:
        return 25
    return per_page if per_page in PAGE_SIZES else 25


def _paginate(request: HttpRequest, table) -> int:
    per_page = _per_page(request)
    # LazyPaginator never counts the rows: a page costs the same whatever the length of the list.
    RequestConfig(request, paginate={"per_page": per_page, "paginator_class": LazyPaginator}).configure(table)
    return per_page


def _form_page(request: HttpRequest, form, *, title: str, back_url: str, submit: str, intro: str = "", **extra):
    context = {"form": form, "title": title, "back_url": back_url, "submit": submit, "intro": intro, **extra}
    return render(request, "stakeholders/form.html", context)


def _detail_url(obj: Model) -> str:
    kind = {
        StakeholderGroup: "group",
        Stakeholder: "stakeholder",
        Representative: "representative",
        EngagementActivity: "activity",
        Campaign: "campaign",
        CorrectiveAction: "action",
        Risk: "risk",
        DisclosedDocument: "document",
    }[type(obj)]
    return reverse(f"stakeholders:{kind}_detail", args=[obj.pk])


def _registry_form(request: HttpRequest, *, form_class, instance: Model, title: str, back_url: str, success_url=None):
    """Create or edit one registry object through `registry_save` (permission + history)."""
    _require(request.user, "change" if instance.pk else "add", type(instance))
    if request.method == "POST":
        form = form_class(request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = services.registry_save(actor=request.user, form=form, reason=form.change_reason)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Enregistré : %(object)s.") % {"object": saved})
                return redirect(success_url or _detail_url(saved))
    else:
        form = form_class(instance=instance)
        # The form is filled with the stored contact: reading it is a read like the detail page's.
        if instance.pk and type(instance) in _LOGGED_AS and selectors.has_contact(instance):
            _log_contact_reads(request, type(instance), [instance])
    return _form_page(request, form, title=title, back_url=back_url, submit=_("Enregistrer"))


# --- home, lists, exports, forms -------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The registry at a glance, and what the focal point must act on: late actions, mandates to check."""
    _require(request.user, "view", Stakeholder)
    overdue = selectors.corrective_actions_overdue()
    mandates = selectors.mandates_to_reverify()
    return render(
        request,
        "stakeholders/home.html",
        {
            "counts": selectors.registry_counts(),
            "overdue_actions": list(overdue[:10]),
            "overdue_count": overdue.count(),
            "mandates": [(rep, selectors.mandate_status(rep)[1]) for rep in mandates[:10]],
            "mandate_count": mandates.count(),
        },
    )


@login_required
def registry_list(request: HttpRequest, kind: str) -> HttpResponse:
    register = REGISTERS[kind]
    _require(request.user, "view", register.model)
    filterset = register.filterset(request.GET, queryset=register.rows())
    table = register.table(filterset.qs)
    per_page = _paginate(request, table)
    return render(
        request,
        "stakeholders/list.html",
        {
            "register": register,
            "table": table,
            "filter": filterset,
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "can_add": _may(request.user, "add", register.model),
        },
    )


@login_required
def registry_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A list as CSV or XLSX: the same rows and filters as the screen, every cell defused."""
    from pmpp.exports import csv_response, xlsx_response

    register = REGISTERS[kind]
    _require(request.user, "view", register.model)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = register.filterset(request.GET, queryset=register.rows()).qs
    columns = register.table.export
    header = [str(title) for title, _value in columns]
    if register.model in _LOGGED_AS:
        # The stakeholder and representative exports carry the contacts: one log row names every
        # row exported with one filled in, before the file streams.
        contacts = selectors.with_contact(rows).values_list("pk", flat=True)
        _log_contact_reads(request, register.model, contacts, channel=AccessChannel.EXPORT)

    def values():
        for obj in rows.iterator(chunk_size=2000):
            yield [value(obj) for _title, value in columns]

    filename = f"{register.file_name}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(filename=f"{filename}.csv", header=header, rows=values())
    return xlsx_response(filename=f"{filename}.xlsx", sheet_title=str(register.title), header=header, rows=values())


@login_required
def registry_create(request: HttpRequest, kind: str) -> HttpResponse:
    register = REGISTERS[kind]
    instance = register.model()
    if isinstance(instance, EngagementActivity):
        instance.created_by = request.user
    return _registry_form(
        request,
        form_class=register.form,
        instance=instance,
        title=_("Nouveau : %(model)s") % {"model": register.model._meta.verbose_name},
        back_url=reverse(f"stakeholders:{kind}_list"),
    )


@login_required
def registry_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    register = REGISTERS[kind]
    _require(request.user, "change", register.model)
    instance = get_object_or_404(register.model, pk=pk)
    return _registry_form(
        request,
        form_class=register.form,
        instance=instance,
        title=_("Modifier : %(object)s") % {"object": instance},
        back_url=_detail_url(instance),
    )


@login_required
def mandates_due(request: HttpRequest) -> HttpResponse:
    """« Mandats à revérifier »: never verified, not confirmed, expired or expiring within 30 days."""
    _require(request.user, "view", Representative)
    table = tables.MandateTable(selectors.mandates_to_reverify())
    per_page = _paginate(request, table)
    return render(
        request, "stakeholders/mandates_due.html", {"table": table, "page_sizes": PAGE_SIZES, "per_page": per_page}
    )


@login_required
def influence_interest(request: HttpRequest) -> HttpResponse:
    """The influence–interest map of the active stakeholders, as inline SVG with a table fallback."""
    _require(request.user, "view", Stakeholder)
    active = Stakeholder.objects.filter(is_active=True).order_by("name", "pk")
    chart = influence_interest_map(active, url=lambda s: reverse("stakeholders:stakeholder_detail", args=[s.pk]))
    return render(request, "stakeholders/map.html", {"chart": chart})


# --- details ---------------------------------------------------------------------------------------------


def _detail(request: HttpRequest, model: type[Model], queryset: QuerySet, pk: int):
    _require(request.user, "view", model)
    return get_object_or_404(queryset, pk=pk)


def _can_edit(request: HttpRequest, model: type[Model]) -> bool:
    return _may(request.user, "change", model)


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = _detail(request, StakeholderGroup, selectors.group_list(), pk)
    return render(
        request,
        "stakeholders/group_detail.html",
        {
            "group": group,
            "stakeholders": group.stakeholders.order_by("name"),
            "representatives": group.representatives.order_by("name"),
            "can_edit": _can_edit(request, StakeholderGroup),
            "history": selectors.history_for((_("Groupe"), group.history.all())),
        },
    )


@login_required
def stakeholder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stakeholder = _detail(request, Stakeholder, selectors.stakeholder_list(), pk)
    from stakeholders.charts import quadrant_label

    if selectors.has_contact(stakeholder):
        _log_contact_reads(request, Stakeholder, [stakeholder])

    return render(
        request,
        "stakeholders/stakeholder_detail.html",
        {
            "stakeholder": stakeholder,
            "quadrant": quadrant_label(influence=stakeholder.influence, interest=stakeholder.interest),
            "representations": stakeholder.representations.select_related("group"),
            "can_edit": _can_edit(request, Stakeholder),
            "history": selectors.history_for((_("Partie prenante"), stakeholder.history.all())),
        },
    )


@login_required
def representative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    representative = _detail(request, Representative, selectors.representative_list(), pk)
    verifications = representative.verifications.select_related("verified_by").order_by("-verified_on", "-id")
    if selectors.has_contact(representative):
        _log_contact_reads(request, Representative, [representative])
    return render(
        request,
        "stakeholders/representative_detail.html",
        {
            "representative": representative,
            "mandate": selectors.mandate_status(representative),
            "verifications": verifications,
            "verification_form": (
                forms.MandateVerificationForm() if _may(request.user, "add", MandateVerification) else None
            ),
            "can_edit": _can_edit(request, Representative),
            "history": selectors.history_for(
                (_("Représentant"), representative.history.all()),
                (
                    lambda row: _("Vérification du %(date)s") % {"date": row.verified_on.strftime("%d/%m/%Y")},
                    MandateVerification.history.filter(representative_id=representative.pk),
                ),
            ),
        },
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = EngagementActivity.objects.select_related("organiser", "created_by").prefetch_related(
        "programmes", "groups", "invited_organisations", "present_organisations", "vulnerable_groups_reached"
    )
    activity = _detail(request, EngagementActivity, queryset, pk)
    versions = selectors.activity_minutes(activity=activity)
    latest = versions[0] if versions else None
    draft = latest if latest is not None and latest.status == Minutes.Status.DRAFT else None
    user = request.user
    may_write = _may(user, "add", Minutes)
    return render(
        request,
        "stakeholders/activity_detail.html",
        {
            "activity": activity,
            "languages": [Language(value).label for value in activity.languages],
            "concerns": selectors.activity_concerns(activity=activity),
            "actions": activity.corrective_actions.select_related("owner_organisation"),
            "versions": versions,
            "latest": latest,
            "draft": draft,
            "can_edit": _can_edit(request, EngagementActivity),
            "can_edit_concern": _can_edit(request, Concern),
            "concern_form": forms.ConcernForm() if _may(user, "add", Concern) else None,
            # Validated minutes are never rewritten: the form is offered for a draft or a first version only.
            "minutes_form": (
                forms.MinutesForm(initial={"text": draft.text if draft else ""})
                if may_write and (latest is None or draft is not None)
                else None
            ),
            "can_validate": draft is not None and user.has_perm("stakeholders.validate_minutes"),
            "correction_form": (
                forms.MinutesCorrectionForm(initial={"text": latest.text})
                if may_write and latest is not None and draft is None
                else None
            ),
            "attachment_form": (
                forms.MinutesAttachmentForm() if draft is not None and _may(user, "add", MinutesAttachment) else None
            ),
            "history": selectors.history_for(
                (_("Activité"), activity.history.all()),
                (
                    lambda row: _("Préoccupation « %(theme)s »") % {"theme": row.theme},
                    Concern.history.filter(activity_id=activity.pk),
                ),
                (
                    lambda row: _("Compte rendu, version %(version)s") % {"version": row.version},
                    Minutes.history.filter(activity_id=activity.pk),
                ),
                (
                    lambda row: _("Pièce jointe « %(name)s »") % {"name": row.original_name},
                    MinutesAttachment.history.filter(minutes_id__in=[version.pk for version in versions]),
                ),
            ),
        },
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _detail(
        request,
        Campaign,
        Campaign.objects.select_related("programme", "responsible").prefetch_related("target_groups"),
        pk,
    )
    return render(
        request,
        "stakeholders/campaign_detail.html",
        {
            "campaign": campaign,
            "languages": [Language(value).label for value in campaign.languages],
            "budget": selectors.campaign_budget(campaign=campaign),
            "can_edit": _can_edit(request, Campaign),
            "can_add_line": _may(request.user, "add", BudgetLine),
            "can_edit_line": _can_edit(request, BudgetLine),
            "history": selectors.history_for(
                (_("Campagne"), campaign.history.all()),
                (
                    lambda row: _("Ligne « %(label)s »") % {"label": row.label},
                    BudgetLine.history.filter(campaign_id=campaign.pk),
                ),
            ),
        },
    )


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _detail(request, CorrectiveAction, selectors.corrective_action_list(), pk)
    steps = {t.name for t in action.get_available_user_status_transitions(request.user)}
    return render(
        request,
        "stakeholders/action_detail.html",
        {
            "action": action,
            "overdue": action.is_overdue(),
            "steps": [{"name": name, "label": label} for name, label in ACTION_STEPS.items() if name in steps],
            "notes": selectors.action_notes(action=action),
            "note_form": forms.ProgressNoteForm() if _may(request.user, "add", ProgressNote) else None,
            "concerns": action.concerns.select_related("activity"),
            "can_edit": _can_edit(request, CorrectiveAction),
            "history": selectors.history_for(
                (_("Action"), action.history.all()),
                (_("Note d'avancement"), ProgressNote.history.filter(action_id=action.pk)),
            ),
        },
    )


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _detail(request, Risk, Risk.objects.all(), pk)
    steps = _risk_steps(risk, request.user)
    return render(
        request,
        "stakeholders/risk_detail.html",
        {
            "risk": risk,
            "steps": steps,
            "status_form": forms.RiskStatusForm() if steps else None,
            "can_edit": _can_edit(request, Risk),
            "history": selectors.history_for((_("Risque"), risk.history.all())),
        },
    )


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _detail(request, DisclosedDocument, selectors.document_list(), pk)
    return render(
        request,
        "stakeholders/document_detail.html",
        {
            "document": document,
            "can_edit": _can_edit(request, DisclosedDocument),
            "history": selectors.history_for((_("Document"), document.history.all())),
        },
    )


def _risk_steps(risk: Risk, user) -> list[dict]:
    available = {t.name for t in risk.get_available_user_status_transitions(user)}
    return [{"name": name, "label": label} for name, label in RISK_STEPS.items() if name in available]


# --- representatives: mandate verification ---------------------------------------------------------------


@login_required
def mandate_verify(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "add", MandateVerification)
    representative = get_object_or_404(Representative.objects.select_related("group"), pk=pk)
    back_url = reverse("stakeholders:representative_detail", args=[pk])
    form = forms.MandateVerificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mandate_verification_record(representative=representative, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Vérification du mandat enregistrée."))
            return redirect(back_url)
    return _form_page(
        request,
        form,
        title=_("Vérifier le mandat de %(name)s") % {"name": representative.name},
        back_url=back_url,
        submit=_("Enregistrer la vérification"),
    )


# --- activities: concerns and minutes --------------------------------------------------------------------


def _activity_url(activity_id: int, anchor: str = "") -> str:
    url = reverse("stakeholders:activity_detail", args=[activity_id])
    return f"{url}#{anchor}" if anchor else url


@login_required
def concern_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "add", Concern)
    activity = get_object_or_404(EngagementActivity, pk=pk)
    form = forms.ConcernForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_add(activity=activity, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Préoccupation enregistrée."))
            return redirect(_activity_url(activity.pk, "concerns"))
    return _form_page(
        request,
        form,
        title=_("Nouvelle préoccupation — %(activity)s") % {"activity": activity},
        back_url=_activity_url(activity.pk),
        submit=_("Enregistrer la préoccupation"),
    )


@login_required
def concern_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "change", Concern)
    concern = get_object_or_404(Concern.objects.select_related("activity"), pk=pk)
    return _registry_form(
        request,
        form_class=forms.ConcernEditForm,
        instance=concern,
        title=_("Modifier la préoccupation « %(theme)s »") % {"theme": concern.theme},
        back_url=_activity_url(concern.activity_id, "concerns"),
        success_url=_activity_url(concern.activity_id, "concerns"),
    )


@login_required
def minutes_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the first version or edit the draft. Validated minutes are refused by the service."""
    _require(request.user, "add", Minutes)
    activity = get_object_or_404(EngagementActivity, pk=pk)
    if request.method == "POST":
        form = forms.MinutesForm(request.POST)
        if form.is_valid():
            try:
                minutes = services.minutes_write(activity=activity, actor=request.user, text=form.cleaned_data["text"])
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                saved = _("Compte rendu enregistré (brouillon, version %(version)s).")
                messages.success(request, saved % {"version": minutes.version})
                return redirect(_activity_url(activity.pk, "minutes"))
    else:
        draft = activity.minutes.filter(status=Minutes.Status.DRAFT).first()
        form = forms.MinutesForm(initial={"text": draft.text if draft else ""})
    latest = activity.minutes.order_by("-version").first()
    return render(
        request,
        "stakeholders/minutes_form.html",
        {
            "activity": activity,
            "form": form,
            "latest": latest,
            # What the page offers follows the state: no editing of a validated version.
            "sealed": latest is not None and latest.status == Minutes.Status.VALIDATED,
        },
    )


def _minutes(pk: int) -> Minutes:
    return get_object_or_404(Minutes.objects.select_related("activity"), pk=pk)


@login_required
@require_POST
def minutes_validate(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("stakeholders.validate_minutes"):
        raise PermissionDenied
    minutes = _minutes(pk)
    try:
        services.minutes_validate(minutes=minutes, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Compte rendu validé (version %(version)s).") % {"version": minutes.version})
    return redirect(_activity_url(minutes.activity_id, "minutes"))


@login_required
def minutes_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correction of validated minutes is a new version; the validated one stays as it was."""
    _require(request.user, "add", Minutes)
    minutes = _minutes(pk)
    if request.method == "POST":
        form = forms.MinutesCorrectionForm(request.POST)
        if form.is_valid():
            try:
                correction = services.minutes_correct(
                    minutes=minutes,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    reason=form.cleaned_data["correction_reason"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Correction enregistrée : version %(version)s (brouillon).") % {"version": correction.version},
                )
                return redirect(_activity_url(minutes.activity_id, "minutes"))
    else:
        form = forms.MinutesCorrectionForm(initial={"text": minutes.text})
    return _form_page(
        request,
        form,
        title=_("Corriger le compte rendu (version %(version)s)") % {"version": minutes.version},
        intro=_("La version validée reste lisible telle quelle ; la correction devient une nouvelle version."),
        back_url=_activity_url(minutes.activity_id, "minutes"),
        submit=_("Enregistrer la nouvelle version"),
    )


@login_required
@require_POST
def minutes_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "add", MinutesAttachment)
    minutes = _minutes(pk)
    form = forms.MinutesAttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            attachment = services.minutes_attachment_add(
                minutes=minutes,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Pièce jointe ajoutée : %(name)s.") % {"name": attachment.original_name})
    return redirect(_activity_url(minutes.activity_id, "minutes"))


@login_required
@require_safe
def minutes_attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, as a download, to a user who may read minutes attachments; 404 to anyone else."""
    attachment = MinutesAttachment.objects.filter(pk=pk).first()
    if attachment is None or not request.user.has_perm("stakeholders.view_minutesattachment"):
        raise Http404(_("Pièce jointe introuvable."))
    return sealed_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- campaigns: budget lines -----------------------------------------------------------------------------


@login_required
def budget_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "add", BudgetLine)
    campaign = get_object_or_404(Campaign, pk=pk)
    position = (campaign.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    back_url = reverse("stakeholders:campaign_detail", args=[pk])
    return _registry_form(
        request,
        form_class=forms.BudgetLineForm,
        instance=BudgetLine(campaign=campaign, position=position),
        title=_("Nouvelle ligne budgétaire — %(campaign)s") % {"campaign": campaign},
        back_url=back_url,
        success_url=back_url,
    )


@login_required
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "change", BudgetLine)
    line = get_object_or_404(BudgetLine.objects.select_related("campaign"), pk=pk)
    back_url = reverse("stakeholders:campaign_detail", args=[line.campaign_id])
    return _registry_form(
        request,
        form_class=forms.BudgetLineForm,
        instance=line,
        title=_("Modifier la ligne « %(label)s »") % {"label": line.label},
        back_url=back_url,
        success_url=back_url,
    )


# --- corrective actions and risks: steps -----------------------------------------------------------------

_ACTION_FORMS = {"start": forms.ActionStartForm, "complete": forms.ActionCompleteForm, "cancel": forms.ActionCancelForm}


@login_required
def action_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Start, complete (with its date) or abandon (with a reason) a corrective action."""
    if step not in _ACTION_FORMS:
        raise Http404
    _require(request.user, "change", CorrectiveAction)
    action = get_object_or_404(CorrectiveAction, pk=pk)
    back_url = reverse("stakeholders:action_detail", args=[pk])
    form = _ACTION_FORMS[step](request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if step == "start":
                services.corrective_action_start(action=action, actor=request.user)
            elif step == "complete":
                services.corrective_action_complete(action=action, actor=request.user, on=data["completed_on"])
            else:
                services.corrective_action_cancel(action=action, actor=request.user, reason=data["reason"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Étape enregistrée : %(step)s.") % {"step": ACTION_STEPS[step]})
            return redirect(back_url)
    return _form_page(
        request, form, title=f"{ACTION_STEPS[step]} — {action}", back_url=back_url, submit=ACTION_STEPS[step]
    )


@login_required
def progress_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "add", ProgressNote)
    action = get_object_or_404(CorrectiveAction, pk=pk)
    back_url = reverse("stakeholders:action_detail", args=[pk])
    form = forms.ProgressNoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_note_add(action=action, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Note d'avancement enregistrée."))
            return redirect(back_url)
    return _form_page(
        request,
        form,
        title=_("Note d'avancement — %(action)s") % {"action": action},
        back_url=back_url,
        submit=_("Enregistrer la note"),
    )


@login_required
def risk_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a risk's status with a note; the button pressed names the step."""
    _require(request.user, "change", Risk)
    risk = get_object_or_404(Risk, pk=pk)
    back_url = reverse("stakeholders:risk_detail", args=[pk])
    form = forms.RiskStatusForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        step = request.POST.get("step", "")
        try:
            services.risk_change_status(risk=risk, actor=request.user, step=step, note=form.cleaned_data["status_note"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Étape enregistrée : %(step)s.") % {"step": RISK_STEPS[step]})
            return redirect(back_url)
    return render(
        request,
        "stakeholders/risk_status.html",
        {"risk": risk, "form": form, "steps": _risk_steps(risk, request.user), "back_url": back_url},
    )
