"""Operation 3, routing and treatment commitments (§6.3.6): given, honoured, broken, renewed, notified."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grievances.models import Commitment, Grievance
from grievances.services.workflow.steps import not_future, require_text, run_step, to_minute
from notifications import services as notifications


def grievance_route_to_unit(
    *, grievance: Grievance, actor, unit, assignee=None, comment: str = "", expected_status: str | None = None
) -> Grievance:
    """Answer not available: the complaint goes to a business unit for a commitment (§6.3.6 op. 3)."""

    def validate(g: Grievance) -> dict[str, str]:
        if unit is None:
            return {"assigned_unit": "Choisissez le service métier destinataire."}
        if not unit.is_active:
            return {"assigned_unit": f"Le service « {unit.name} » n'est plus actif."}
        return {}

    return run_step(
        grievance,
        name="route_to_unit",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={"unit": unit, "assignee": assignee},
    )


def _save_commitment(commitment: Commitment, *, actor, reason: str, transition: str = "") -> None:
    commitment._change_reason = reason
    commitment._history_user = actor
    commitment._history_transition = transition
    commitment.save()


def _latest_commitment(grievance: Grievance) -> Commitment | None:
    return grievance.commitments.select_for_update(of=("self",)).order_by("-sequence").first()


def _promised_on_errors(promised_on: date | None) -> dict[str, str]:
    if promised_on is None:
        return {"promised_on": "Indiquez la date de traitement promise."}
    if promised_on < timezone.localdate():
        return {"promised_on": "La date promise ne peut pas être passée."}
    return {}


def commitment_give(
    *, grievance: Grievance, actor, promised_on: date, note: str = "", expected_status: str | None = None
) -> Commitment:
    """The business handler commits to a treatment date (§6.3.6 op. 3, step a)."""
    created: list[Commitment] = []

    def create(g: Grievance) -> None:
        commitment = Commitment(
            grievance=g, sequence=1, promised_on=promised_on, given_by=actor, given_at=timezone.now(), note=note.strip()
        )
        _save_commitment(commitment, actor=actor, reason="Engagement de traitement", transition="give")
        notifications.notification_queue_commitment(commitment=commitment)
        created.append(commitment)

    run_step(
        grievance,
        name="give_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=f"date promise : {promised_on:%d/%m/%Y}" if promised_on else "",
        validate=lambda g: _promised_on_errors(promised_on),
        after=create,
    )
    return created[0]


def commitment_honour(
    *,
    grievance: Grievance,
    actor,
    realised_at: datetime | None = None,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """The unit kept its commitment: the treatment is done (§6.3.6 op. 3, step c)."""
    realised_at = realised_at or timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        commitment = _latest_commitment(g)
        errors = not_future(realised_at, "realised_at")
        if commitment and realised_at < to_minute(commitment.given_at):
            errors["realised_at"] = "La date de réalisation précède la date de l'engagement."
        return errors

    def honour(g: Grievance) -> None:
        commitment = _latest_commitment(g)
        commitment.honour(realised_at=realised_at)
        _save_commitment(commitment, actor=actor, reason="Engagement honoré", transition="honour")

    return run_step(
        grievance,
        name="honour_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        after=honour,
    )


def commitment_break(*, grievance: Grievance, actor, reason: str, expected_status: str | None = None) -> Grievance:
    """The commitment was not kept; it stays on record as broken (penalty principle, §6.3.2)."""

    def break_(g: Grievance) -> None:
        commitment = _latest_commitment(g)
        commitment.break_(reason=reason.strip())
        _save_commitment(
            commitment, actor=actor, reason=f"Engagement non honoré — {reason.strip()}", transition="break"
        )

    return run_step(
        grievance,
        name="break_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=reason,
        validate=lambda g: require_text(reason, "broken_reason", "Indiquez pourquoi l'engagement n'a pas été tenu."),
        after=break_,
    )


def commitment_renew(
    *, grievance: Grievance, actor, promised_on: date, reason: str, expected_status: str | None = None
) -> Commitment:
    """A new commitment after a broken one; the complainant is told the new date (§6.3.6 op. 3, step d)."""
    created: list[Commitment] = []

    def renew(g: Grievance) -> None:
        previous = _latest_commitment(g)
        commitment = Commitment(
            grievance=g,
            sequence=previous.sequence + 1,
            renews=previous,
            promised_on=promised_on,
            given_by=actor,
            given_at=timezone.now(),
            renewal_reason=reason.strip(),
        )
        _save_commitment(commitment, actor=actor, reason=f"Engagement renouvelé — {reason.strip()}", transition="renew")
        notifications.notification_queue_commitment(commitment=commitment)
        created.append(commitment)

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(reason, "renewal_reason", "Indiquez le motif du nouvel engagement.")
        return errors | _promised_on_errors(promised_on)

    run_step(
        grievance,
        name="renew_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=reason,
        validate=validate,
        after=renew,
    )
    return created[0]


@transaction.atomic
def commitment_record_notification(*, commitment: Commitment, actor, notified_at: datetime | None = None) -> Commitment:
    """The agent told the complainant the committed date. Recorded once, never overwritten.

    For a commitment honoured at the first attempt this date is the closure date used to
    measure treatment time (§6.3.2).
    """
    notified_at = notified_at or timezone.now()
    locked = Commitment.objects.select_for_update(of=("self",)).select_related("grievance").get(pk=commitment.pk)
    if not actor.has_perm("grievances.notify_commitment"):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer la notification d'un engagement.")
    from grievances.access import user_can_see_grievance

    if not user_can_see_grievance(actor, locked.grievance):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer la notification d'un engagement.")
    errors = not_future(notified_at, "notified_at")
    if locked.notified_at is not None:
        errors["notified_at"] = f"Le réclamant a déjà été informé de cet engagement le {locked.notified_at:%d/%m/%Y}."
    if notified_at < to_minute(locked.given_at):
        errors["notified_at"] = "La notification ne peut pas précéder l'engagement."
    if errors:
        raise ValidationError(errors)
    locked.notified_at = notified_at
    _save_commitment(locked, actor=actor, reason="Engagement notifié au réclamant", transition="notify")
    return locked
