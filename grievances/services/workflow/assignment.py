"""Assignment to an agent or a business unit: not a state change, audited all the same."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from grievances.models import Grievance
from grievances.people import full_name
from grievances.services.workflow.steps import locked_for_update


def check_assignee(assignee, grievance: Grievance, *, field: str = "assigned_to") -> None:
    """The person a case is given to must be able to see it: one assignment, a bulk one, intake."""
    from grievances.access import user_can_see_grievance

    if not user_can_see_grievance(assignee, grievance):
        raise ValidationError({field: f"{full_name(assignee)} n'a pas accès à ce programme."})


def grievance_assign(*, grievance: Grievance, actor, assignee=None, unit=None, comment: str = "") -> Grievance:
    """Give a grievance to an agent and/or a business unit. The assignee must be able to see it."""
    from grievances.access import user_can_see_grievance

    with transaction.atomic():
        locked = locked_for_update(grievance)
        if not actor.has_perm("grievances.assign_grievance") or not user_can_see_grievance(actor, locked):
            raise PermissionDenied("Vous n'êtes pas autorisé·e à attribuer cette réclamation.")
        if locked.status in Grievance.TERMINAL_STATES:
            raise ValidationError(f"La réclamation {locked.reference} est close : elle ne peut plus être attribuée.")
        if assignee is None and unit is None:
            raise ValidationError({"assigned_to": "Choisissez un agent ou un service métier."})
        if assignee is not None:
            check_assignee(assignee, locked)
        changes = []
        if assignee is not None and assignee.pk != locked.assigned_to_id:
            locked.assigned_to = assignee
            changes.append(f"agent : {full_name(assignee)}")
        if unit is not None and unit.pk != locked.assigned_unit_id:
            locked.assigned_unit = unit
            changes.append(f"service : {unit.name}")
        if not changes:
            return locked
        reason = gettext_noop("Attribution") + " — " + ", ".join(changes)
        locked._change_reason = f"{reason} — {comment.strip()}" if comment.strip() else reason
        locked._history_transition = "assign"
        locked._history_user = actor
        locked.save(update_fields=["assigned_to", "assigned_unit"])
    return locked
