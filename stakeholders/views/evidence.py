"""Engagement evidence: a representative's mandate verified, an activity's concerns, its minutes and their files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pmpp.confirmation import confirmed
from pmpp.downloads import sealed_file_response
from stakeholders import forms, services
from stakeholders.models import (
    Concern,
    EngagementActivity,
    MandateVerification,
    Minutes,
    MinutesAttachment,
    Representative,
)
from stakeholders.views.common import (
    _apply_errors,
    _form_page,
    _registry_form,
    _require,
    minutes_confirmation,
)

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
        services.minutes_validate(minutes=minutes, actor=request.user, confirmed=confirmed(request.POST))
    except ValidationError as error:
        if getattr(error, "code", None) == "confirmation_required":
            # Posted without the dialog's confirmation (no JavaScript): the same text, as a page.
            return render(
                request,
                "stakeholders/minutes_validate.html",
                {"minutes": minutes, "activity": minutes.activity, "confirmation": minutes_confirmation(minutes)},
            )
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
