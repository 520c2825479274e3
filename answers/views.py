"""Back-office screens of the answer templates (the head of service and the E&S focal point),
and the preview the drafting step asks for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from answers import services
from answers.forms import AnswerTemplateForm, DeactivateForm
from answers.models import AnswerTemplate, Language
from answers.placeholders import PLACEHOLDERS, render_template_for_grievance
from answers.selectors import (
    answer_template_get_for_manager,
    answer_template_list_for_manager,
    answer_templates_for_grievance,
    user_can_manage_answer_template,
    user_manages_answer_templates,
)
from answers.sms import sms_count
from grievances.selectors import grievance_get_for_user

# The history shown on a template's page: plenty for a text, bounded whatever its age.
HISTORY_LIMIT = 50


def _require_manager(request: HttpRequest) -> None:
    if not user_manages_answer_templates(request.user):
        raise PermissionDenied


def _require_may_change(request: HttpRequest, template: AnswerTemplate) -> None:
    if not user_can_manage_answer_template(request.user, template):
        raise PermissionDenied


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    show = request.GET.get("etat", "actifs")
    active = {"actifs": True, "inactifs": False}.get(show)
    templates = list(answer_template_list_for_manager(user=request.user, active=active))
    for template in templates:
        template.may_change = user_can_manage_answer_template(request.user, template)
    return render(request, "answers/list.html", {"templates": templates, "show": show})


def _form_errors_from(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = AnswerTemplateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.answer_template_create(
                actor=request.user,
                name=data["name"],
                programme=data["programme"],
                category=data["category"],
                outcome=data["outcome"],
                text_fr=data["text_fr"],
                text_ar=data["text_ar"],
            )
        except PermissionDenied as denied:
            form.add_error("programme", str(denied))
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Modèle de réponse créé."))
            return redirect("answers:detail", pk=template.pk)
    return render(request, "answers/form.html", {"form": form, "template": None, "placeholders": PLACEHOLDERS})


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    template = answer_template_get_for_manager(user=request.user, pk=pk)
    history = list(
        template.history.select_related("history_user").order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    return render(
        request,
        "answers/detail.html",
        {
            "template": template,
            "history": history,
            "may_change": user_can_manage_answer_template(request.user, template),
            "sms_fr": sms_count(template.text_fr),
            "sms_ar": sms_count(template.text_ar),
        },
    )


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    template = answer_template_get_for_manager(user=request.user, pk=pk)
    _require_may_change(request, template)
    form = AnswerTemplateForm(request.POST or None, instance=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The form changed the instance in memory: the service reads the row again, under lock.
        fresh = AnswerTemplate.objects.get(pk=pk)
        try:
            services.answer_template_update(
                template=fresh,
                actor=request.user,
                reason=data.get("reason", ""),
                **{field: data[field] for field in services.EDITABLE_FIELDS},
            )
        except PermissionDenied as denied:
            form.add_error("programme", str(denied))
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Modèle de réponse modifié."))
            return redirect("answers:detail", pk=pk)
    return render(request, "answers/form.html", {"form": form, "template": template, "placeholders": PLACEHOLDERS})


@login_required
def template_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the deactivation with its reason."""
    _require_manager(request)
    template = answer_template_get_for_manager(user=request.user, pk=pk)
    _require_may_change(request, template)
    if not template.is_active:
        messages.info(request, _("Ce modèle est déjà désactivé."))
        return redirect("answers:detail", pk=pk)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_template_set_active(
                template=template, actor=request.user, active=False, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Modèle désactivé : il n'est plus proposé aux agents."))
            return redirect("answers:detail", pk=pk)
    return render(request, "answers/deactivate.html", {"form": form, "template": template})


@login_required
@require_POST
def template_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    template = answer_template_get_for_manager(user=request.user, pk=pk)
    _require_may_change(request, template)
    try:
        services.answer_template_set_active(template=template, actor=request.user, active=True, reason="")
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("Modèle réactivé."))
    return redirect("answers:detail", pk=pk)


@login_required
@require_GET
def preview(request: HttpRequest, pk: int, template_pk: int) -> JsonResponse:
    """A template rendered for one grievance, for the drafting step's script.

    Only for someone who drafts answers, on a grievance they can see, with a template that
    applies to it; 404 for anything else, so nothing is revealed about other files.
    """
    if not request.user.has_perm("grievances.draft_answer"):
        raise PermissionDenied
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    language = request.GET.get("langue", "")
    if language not in Language.values:
        return JsonResponse({"error": _("Choisissez la langue du modèle : français ou arabe.")}, status=400)
    template = answer_templates_for_grievance(grievance=grievance).filter(pk=template_pk).first()
    if template is None:
        return JsonResponse({"error": _("Ce modèle ne s'applique pas à ce dossier.")}, status=404)
    rendered = render_template_for_grievance(template, grievance=grievance, language=language)
    count = sms_count(rendered.text)
    return JsonResponse(
        {
            "text": rendered.text,
            "language": language,
            "missing": list(rendered.missing),
            "sms": {"encoding": count.encoding, "characters": count.characters, "segments": count.segments},
        }
    )
