"""Writes of answer templates: create, change, deactivate and reactivate, each in history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from answers.models import AnswerTemplate
from answers.selectors import user_can_manage_answer_template, user_manages_answer_templates

EDITABLE_FIELDS = ("name", "programme", "category", "outcome", "text_fr", "text_ar")


def _check_may_manage(actor, template: AnswerTemplate) -> None:
    if not user_manages_answer_templates(actor):
        raise PermissionDenied(_("Vous n'avez pas le droit de gérer les modèles de réponse."))
    if not user_can_manage_answer_template(actor, template):
        if template.programme_id is None:
            raise PermissionDenied(
                _("Seul un gestionnaire de tous les programmes gère les modèles communs à tous les programmes.")
            )
        raise PermissionDenied(_("Ce programme ne fait pas partie de vos programmes."))


def _save(template: AnswerTemplate, *, actor, reason: str) -> AnswerTemplate:
    template.full_clean()
    template._change_reason = reason
    template._history_user = actor
    template.save()
    return template


@transaction.atomic
def answer_template_create(
    *, actor, name: str, programme, category, outcome: str, text_fr: str, text_ar: str
) -> AnswerTemplate:
    """A new active template. Managers create templates for their own programmes only
    (a head of CNRA for Tayssir and DAAM); « tous les programmes » is the focal point's."""
    template = AnswerTemplate(
        name=name, programme=programme, category=category, outcome=outcome, text_fr=text_fr, text_ar=text_ar
    )
    _check_may_manage(actor, template)
    return _save(template, actor=actor, reason=_("Création du modèle"))


@transaction.atomic
def answer_template_update(*, template: AnswerTemplate, actor, reason: str = "", **changes) -> AnswerTemplate:
    """Change a template's scope or texts. The manager must manage it before and after the change."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"answer_template_update: unknown fields {sorted(unknown)}")
    template = AnswerTemplate.objects.select_for_update().get(pk=template.pk)
    _check_may_manage(actor, template)
    for field, value in changes.items():
        setattr(template, field, value)
    _check_may_manage(actor, template)
    return _save(template, actor=actor, reason=reason or _("Modification du modèle"))


@transaction.atomic
def answer_template_set_active(*, template: AnswerTemplate, actor, active: bool, reason: str) -> AnswerTemplate:
    """Deactivate (no longer offered to agents) or reactivate a template; never deleted."""
    template = AnswerTemplate.objects.select_for_update().get(pk=template.pk)
    _check_may_manage(actor, template)
    if template.is_active == active:
        raise ValidationError(_("Ce modèle est déjà actif.") if active else _("Ce modèle est déjà désactivé."))
    if not active and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la désactivation.")})
    template.is_active = active
    default = _("Réactivation du modèle") if active else _("Désactivation du modèle")
    return _save(template, actor=actor, reason=f"{default} : {reason.strip()}" if reason.strip() else default)
