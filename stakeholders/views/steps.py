"""Campaign budget lines and the steps of corrective actions and risks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from stakeholders import forms, services
from stakeholders.models import (
    BudgetLine,
    Campaign,
    CorrectiveAction,
    ProgressNote,
    Risk,
)
from stakeholders.views.common import (
    ACTION_STEPS,
    RISK_STEPS,
    _apply_errors,
    _form_page,
    _registry_form,
    _require,
    _risk_steps,
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
