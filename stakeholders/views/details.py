"""One page per registry object: groups, stakeholders, representatives, activities,
campaigns, corrective actions, risks, disclosed documents."""

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from stakeholders import forms, selectors
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
from stakeholders.views.common import (
    ACTION_STEPS,
    _log_contact_reads,
    _may,
    _require,
    _risk_steps,
    minutes_confirmation,
)

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
            "validation": minutes_confirmation(draft) if draft is not None else None,
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
            "complete_form": forms.ActionCompleteForm() if "complete" in steps else None,
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
