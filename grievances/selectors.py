"""Reads of the grievance mechanism, always through the visibility scope."""

from django.http import Http404

from grievances.models import Grievance, SensitiveCase


def grievance_list_for_user(*, user):
    return Grievance.objects.visible_to(user).select_related("programme", "channel", "category", "assigned_to")


def grievance_get_for_user(*, user, pk: int) -> Grievance:
    """The grievance if the user may see it; 404 otherwise, so existence is not revealed."""
    try:
        return grievance_list_for_user(user=user).get(pk=pk)
    except Grievance.DoesNotExist:
        raise Http404("Réclamation introuvable.") from None


def sensitive_case_get_for_user(*, user, pk: int) -> SensitiveCase:
    try:
        return SensitiveCase.objects.visible_to(user).select_related("programme", "channel").get(pk=pk)
    except SensitiveCase.DoesNotExist:
        raise Http404("Cas introuvable.") from None


def complainant_other_grievances(*, user, grievance: Grievance):
    """Operation 2 shows the beneficiary's previous complaints and open files (§6.3.6)."""
    if not grievance.complainant_cnie:
        return Grievance.objects.none()
    return (
        grievance_list_for_user(user=user)
        .filter(complainant_cnie=grievance.complainant_cnie)
        .exclude(pk=grievance.pk)
        .order_by("-received_at")
    )
