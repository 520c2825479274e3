"""The one way to change a grievance's state (`run_step`), and the checks every step shares."""

from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grievances.models import Grievance
from grievances.workflow import TRANSITION_LABELS

Outcome = Grievance.Outcome


class StaleGrievance(Exception):
    """Someone moved the grievance since the user loaded the page: nothing was changed."""

    def __init__(self, grievance: Grievance):
        self.grievance = grievance
        last = grievance.history.select_related("history_user").order_by("-history_id").first()
        who = (last.history_user.get_full_name() or last.history_user.username) if last and last.history_user else ""
        when = timezone.localtime(last.history_date).strftime("%d/%m/%Y %H:%M") if last else ""
        super().__init__(
            f"La réclamation {grievance.reference} a changé entre-temps : elle est maintenant "
            f"« {grievance.get_status_display()} »"
            + (f" (modifiée par {who} le {when})" if who else "")
            + ". Rien n'a été enregistré : vérifiez le dossier avant de recommencer."
        )


def locked_for_update(grievance: Grievance) -> Grievance:
    return (
        Grievance.objects.select_for_update(of=("self",))
        .select_related("category", "channel", "programme")
        .get(pk=grievance.pk)
    )


def check_step(grievance: Grievance, *, name: str, actor) -> None:
    """Raise the error a user can act on when `name` cannot run now."""
    label = TRANSITION_LABELS[name]
    meta = getattr(grievance, name)._django_fsm
    state = grievance.status
    if not meta.has_transition(state):
        raise ValidationError(
            f"L'étape « {label} » n'est pas possible pour une réclamation "
            f"à l'état « {grievance.get_status_display()} »."
        )
    if not meta.has_transition_perm(grievance, state, actor):
        permission = meta.get_transition(state).permission
        four_eyes = getattr(permission, "four_eyes_field", None)
        if four_eyes and getattr(grievance, four_eyes) == actor.pk and actor.has_perm(permission.permission):
            raise PermissionDenied(
                f"Règle des quatre yeux : vous ne pouvez pas effectuer l'étape « {label} » "
                "sur une réclamation que vous avez vous-même traitée à l'étape précédente."
            )
        raise PermissionDenied(f"Vous n'êtes pas autorisé·e à effectuer l'étape « {label} » sur cette réclamation.")
    if not meta.conditions_met(grievance, state):
        raise ValidationError(
            _CONDITION_MESSAGES.get(name, f"Les conditions de l'étape « {label} » ne sont pas réunies.")
        )


_CONDITION_MESSAGES = {
    "transmit_to_partner": "La catégorie de cette réclamation ne nécessite pas d'organisme partenaire.",
    "regularise": "La régularisation suppose que le partenaire a confirmé la réclamation et corrigé la donnée.",
    "appeal": "Un seul recours est possible, et seulement pour une réclamation (pas pour une requête).",
}


def run_step(
    grievance: Grievance,
    *,
    name: str,
    actor,
    comment: str = "",
    data: dict | Callable[[Grievance], dict] | None = None,
    validate: Callable[[Grievance], dict[str, str]] | None = None,
    after: Callable[[Grievance], None] | None = None,
    expected_status: str | None = None,
) -> Grievance:
    """Lock, check, validate, transition, save with history: the one way to change a state.

    `data` (or `data(locked_row)`) is passed to the model's transition method; `validate`
    returns field errors given the locked row; `after` runs in the same transaction once the row is saved.
    """
    with transaction.atomic():
        # Concurrent steps on one grievance queue here, on its row lock, until the first
        # commits; each then reads the state the one before it left (READ COMMITTED re-reads
        # the row), so no step is applied to a state it did not see, and none is lost.
        locked = locked_for_update(grievance)
        # The screen showed the grievance in some state; if another user moved it since,
        # refuse rather than apply this step to a case the user has not seen.
        if expected_status is not None and locked.status != expected_status:
            raise StaleGrievance(locked)
        # A caller without `expected_status` loaded the grievance itself: when the step was
        # possible from the state it loaded and is no longer, someone else won the race.
        if (
            expected_status is None
            and grievance.status != locked.status
            and getattr(locked, name)._django_fsm.has_transition(grievance.status)
            and not getattr(locked, name)._django_fsm.has_transition(locked.status)
        ):
            raise StaleGrievance(locked)
        check_step(locked, name=name, actor=actor)
        if validate is not None:
            errors = validate(locked)
            if errors:
                raise ValidationError(errors)
        arguments = data(locked) if callable(data) else (data or {})
        getattr(locked, name)(**arguments)
        reason = str(TRANSITION_LABELS[name])
        comment = (comment or "").strip()
        locked._change_reason = f"{reason} — {comment}" if comment else reason
        locked._history_transition = name
        locked._history_user = actor
        locked.save()
        if after is not None:
            after(locked)
    return locked


def require_text(value: str, field: str, message: str) -> dict[str, str]:
    return {} if (value or "").strip() else {field: message}


def not_future(moment: datetime | None, field: str) -> dict[str, str]:
    if moment is not None and moment > timezone.now():
        return {field: "Cette date ne peut pas être dans le futur."}
    return {}


def to_minute(moment: datetime) -> datetime:
    """Dates typed in a form carry minutes, not seconds: an event recorded in the same
    minute as the one it follows is in order."""
    return moment.replace(second=0, microsecond=0)


def outcome_errors(outcome: str, unfounded_reason) -> dict[str, str]:
    if outcome not in Outcome.values:
        return {"outcome": "Indiquez si la réclamation est fondée ou non fondée."}
    if outcome == Outcome.UNFOUNDED and unfounded_reason is None:
        return {"unfounded_reason": "Une réclamation non fondée doit indiquer son motif (§6.2.3)."}
    return {}
