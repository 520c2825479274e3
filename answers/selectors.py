"""Reads of answer templates: who manages which, and which apply to a grievance."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from answers.models import AnswerTemplate

MANAGE_PERMISSION = "answers.change_answertemplate"


def user_manages_answer_templates(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(MANAGE_PERMISSION)


def managed_scope_q(user) -> Q:
    """Templates a manager may change: those of their programmes; « tous les programmes »
    templates only for a manager whose scope is the whole project (the E&S focal point)."""
    scope = user.programme_scope()
    if user.is_superuser or scope.all_programmes:
        return Q()
    return Q(programme_id__in=scope.programme_ids)


def user_can_manage_answer_template(user, template: AnswerTemplate) -> bool:
    if not user_manages_answer_templates(user):
        return False
    scope = user.programme_scope()
    if user.is_superuser or scope.all_programmes:
        return True
    return template.programme_id is not None and template.programme_id in scope.programme_ids


def answer_template_list_for_manager(*, user, active: bool | None = None) -> QuerySet[AnswerTemplate]:
    """What the management list shows: the templates the user manages, and the common ones
    (« tous les programmes ») they use but may not change."""
    if not user_manages_answer_templates(user):
        return AnswerTemplate.objects.none()
    qs = AnswerTemplate.objects.filter(managed_scope_q(user) | Q(programme__isnull=True))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("programme", "category").order_by("programme__component", "programme__name", "name", "id")


def answer_template_get_for_manager(*, user, pk: int) -> AnswerTemplate:
    """One template the user may read in the management screens (404 otherwise)."""
    return get_object_or_404(answer_template_list_for_manager(user=user), pk=pk)


def answer_templates_for_grievance(*, grievance) -> QuerySet[AnswerTemplate]:
    """Active templates that fit the grievance's programme, category and analysis outcome.

    A template that names a programme, a category or an outcome fits only grievances that
    have it; an empty one fits all. The most specific come first.
    """
    specific = Case(When(programme__isnull=False, then=Value(4)), default=Value(0), output_field=IntegerField())
    specific += Case(When(category__isnull=False, then=Value(2)), default=Value(0), output_field=IntegerField())
    specific += Case(When(~Q(outcome=""), then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        AnswerTemplate.objects.filter(is_active=True)
        .filter(Q(programme__isnull=True) | Q(programme_id=grievance.programme_id))
        .filter(Q(category__isnull=True) | Q(category_id=grievance.category_id))
        .filter(Q(outcome="") | Q(outcome=grievance.outcome))
        .annotate(specificity=specific)
        .order_by("-specificity", "name", "id")
    )
