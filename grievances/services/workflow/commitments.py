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


def beyond_due_on(grievance: Grievance, promised_on: date | None) -> date | None:
    """The running due date a promised date overruns, or None when it is within it."""
    due_on = grievance.running_due_on
    return due_on if promised_on is not None and promised_on > due_on else None


def _beyond_due_errors(grievance: Grievance, promised_on: date | None, reason: str) -> dict[str, str]:
    """Deadline guard: a date promised after the due date needs the reason for it."""
    overrun = beyond_due_on(grievance, promised_on)
    if overrun is None or (reason or "").strip():
        return {}
    return {
        "beyond_due_reason": (
            f"La date promise ({promised_on:%d/%m/%Y}) dépasse l'échéance de la réclamation "
            f"({overrun:%d/%m/%Y}) : confirmez-la et indiquez pourquoi le délai ne peut pas être tenu."
        )
    }


def _beyond_due_note(overrun: date | None, reason: str) -> str:
    """The part of the history reason that records a promise after the due date."""
    if overrun is None:
        return ""
    return f" — au-delà de l'échéance du {overrun:%d/%m/%Y} : {reason.strip()}"


def commitment_give(
    *,
    grievance: Grievance,
    actor,
    promised_on: date,
    note: str = "",
    beyond_due_reason: str = "",
    expected_status: str | None = None,
) -> Commitment:
    """The business handler commits to a treatment date (§6.3.6 op. 3, step a).

    Deadline guard: a date after the grievance's running due date is refused without the
    reason for it; with one, the commitment keeps the due date it overruns and the reason,
    the history says so, and the file and the queues read « hors délai prévisible ».
    """
    created: list[Commitment] = []
    # For the history's reason, written before the row is locked: a grievance's due dates do
    # not move while it waits for a commitment (only an appeal, from a closed one, sets one).
    overrun = beyond_due_on(grievance, promised_on)

    def validate(g: Grievance) -> dict[str, str]:
        return _promised_on_errors(promised_on) | _beyond_due_errors(g, promised_on, beyond_due_reason)

    def create(g: Grievance) -> None:
        commitment = Commitment(
            grievance=g, sequence=1, promised_on=promised_on, given_by=actor, given_at=timezone.now(), note=note.strip()
        )
        locked_overrun = beyond_due_on(g, promised_on)
        _guard(commitment, locked_overrun, beyond_due_reason)
        _save_commitment(
            commitment,
            actor=actor,
            reason="Engagement de traitement" + _beyond_due_note(locked_overrun, beyond_due_reason),
            transition="give",
        )
        notifications.notification_queue_commitment(commitment=commitment)
        created.append(commitment)

    run_step(
        grievance,
        name="give_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=(
            f"date promise : {promised_on:%d/%m/%Y}" + _beyond_due_note(overrun, beyond_due_reason)
            if promised_on
            else ""
        ),
        validate=validate,
        data=lambda g: {"beyond_due": beyond_due_on(g, promised_on) is not None},
        after=create,
    )
    return created[0]


def _guard(commitment: Commitment, overrun: date | None, reason: str) -> None:
    if overrun is not None:
        commitment.beyond_due_on = overrun
        commitment.beyond_due_reason = reason.strip()


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
    *,
    grievance: Grievance,
    actor,
    promised_on: date,
    reason: str,
    beyond_due_reason: str = "",
    expected_status: str | None = None,
) -> Commitment:
    """A new commitment after a broken one; the complainant is told the new date (§6.3.6 op. 3, step d).

    The same deadline guard as `commitment_give`: after the due date, only with its reason.
    """
    created: list[Commitment] = []
    overrun = beyond_due_on(grievance, promised_on)

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
        locked_overrun = beyond_due_on(g, promised_on)
        _guard(commitment, locked_overrun, beyond_due_reason)
        _save_commitment(
            commitment,
            actor=actor,
            reason=f"Engagement renouvelé — {reason.strip()}" + _beyond_due_note(locked_overrun, beyond_due_reason),
            transition="renew",
        )
        notifications.notification_queue_commitment(commitment=commitment)
        created.append(commitment)

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(reason, "renewal_reason", "Indiquez le motif du nouvel engagement.")
        return errors | _promised_on_errors(promised_on) | _beyond_due_errors(g, promised_on, beyond_due_reason)

    run_step(
        grievance,
        name="renew_commitment",
        actor=actor,
        expected_status=expected_status,
        comment=(reason or "") + _beyond_due_note(overrun, beyond_due_reason or ""),
        validate=validate,
        data=lambda g: {"beyond_due": beyond_due_on(g, promised_on) is not None},
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


def _check_may_notify(actor, commitment: Commitment) -> None:
    from grievances.access import user_can_see_grievance

    if not actor.has_perm("grievances.notify_commitment") or not user_can_see_grievance(actor, commitment.grievance):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer la notification d'un engagement.")


@transaction.atomic
def commitment_send_notification(*, commitment: Commitment, actor):
    """« Envoyer maintenant par SMS/e-mail »: queue the message announcing the committed date.

    The message queued with the commitment normally does this; the agent asks for it when
    that one could not leave (no number then, a gateway failure): a failed one is resent
    by this new message. Refused while a message for this commitment is on its way or gone,
    so nothing is sent twice. The commitment is marked notified when the message is sent.
    """
    from notifications.models import OutboxMessage

    commitments = Commitment.objects.select_for_update(of=("self",)).select_related("grievance__channel")
    locked = commitments.get(pk=commitment.pk)
    _check_may_notify(actor, locked)
    grievance = locked.grievance
    if locked.notified_at is not None:
        raise ValidationError(f"Le réclamant a déjà été informé de cet engagement le {locked.notified_at:%d/%m/%Y}.")
    if locked.status == Commitment.Status.BROKEN or grievance.status == Grievance.Status.SENSITIVE:
        raise ValidationError("Cet engagement ne peut plus être notifié.")
    earlier = list(OutboxMessage.objects.filter(commitment=locked).order_by("pk"))
    Status = OutboxMessage.Status
    if any(m.status in (Status.PENDING, Status.SENT, Status.DELIVERED) for m in earlier):
        raise ValidationError("Un message annonçant cet engagement est déjà en cours d'envoi ou envoyé.")
    route = notifications.complainant_route(grievance)
    if route is None:
        raise ValidationError("Réclamant anonyme : aucun message ne peut lui être envoyé.")
    if not route.channel:
        raise ValidationError(route.reason)
    message = notifications.notification_queue_commitment(commitment=locked, created_by=actor, attempt=len(earlier) + 1)
    failed = [m for m in earlier if m.status == Status.FAILED and not hasattr(m, "resent_as")]
    if failed:
        message.resend_of = failed[-1]
        message.resend_reason = "Notification de l'engagement relancée depuis le dossier"
        message.save(update_fields=["resend_of", "resend_reason"])
    return message


def commitment_record_sent_notification(*, commitment_id: int, notified_at: datetime, message) -> None:
    """The message announcing the committed date was sent: the complainant is told (§6.3.2).

    When sent, not when queued: a message that never leaves (a wrong number) must not date
    the closure of a commitment honoured at the first attempt, nor take the grievance out of
    « Engagements à notifier ». Called by the sending, inside its transaction; a commitment
    already notified (by telephone, or by an earlier message) keeps its date.
    """
    locked = Commitment.objects.select_for_update(of=("self",)).get(pk=commitment_id)
    if locked.notified_at is not None:
        return
    locked.notified_at = notified_at
    reason = f"Engagement notifié au réclamant ({message.get_channel_display()}, message {message.pk})"
    _save_commitment(locked, actor=None, reason=reason, transition="notify")
