"""Exchanges an agent records on the file (issue 18): the calls, visits and letters that no
gateway sends, and the telephone call that tells the complainant a commitment's date.

Services of their own module, not of `notifications.services`: they call the grievance
workflow (`commitment_record_notification`), which itself queues its messages through
`notifications.services`.
"""

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.models import Exchange

logger = logging.getLogger(__name__)


def _check_may_record(actor, grievance) -> None:
    from grievances.access import user_can_see_grievance

    if not actor.has_perm("notifications.add_exchange") or not user_can_see_grievance(actor, grievance):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer un échange sur ce dossier.")


def _errors(*, occurred_at: datetime | None, summary: str, kind: str) -> dict[str, str]:
    errors = {}
    if kind not in Exchange.Kind.values:
        errors["kind"] = "Choisissez le type d'échange."
    if occurred_at is None:
        errors["occurred_at"] = "Indiquez la date de l'échange."
    elif occurred_at > timezone.now():
        errors["occurred_at"] = "La date de l'échange ne peut pas être future."
    if not summary.strip():
        errors["summary"] = "Résumez l'échange."
    return errors


@transaction.atomic
def exchange_record(
    *, grievance, actor, kind: str, occurred_at: datetime | None, summary: str, commitment=None
) -> Exchange:
    """Record a call received, a visit, a letter, a call-back or a postal letter (issue 18).

    Written with its author and kept in history; never edited. The grievance row is locked so
    that a file turned into a sensitive case meanwhile takes no exchange.
    """
    from grievances.models import Grievance

    locked = Grievance.objects.select_for_update(of=("self",)).get(pk=grievance.pk)
    _check_may_record(actor, locked)
    if locked.status == Grievance.Status.SENSITIVE:
        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer un échange sur ce dossier.")
    errors = _errors(occurred_at=occurred_at, summary=summary, kind=kind)
    if errors:
        raise ValidationError(errors)
    exchange = Exchange(
        grievance=locked,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary.strip(),
        commitment=commitment,
        recorded_by=actor,
    )
    exchange._change_reason = f"Échange enregistré : {exchange.get_kind_display()}"
    exchange._history_user = actor
    exchange.save()
    logger.info("Exchange %s recorded on grievance %s by user %s", exchange.pk, locked.pk, actor.pk)
    return exchange


@transaction.atomic
def commitment_record_phone_notification(
    *, commitment, actor, occurred_at: datetime | None, summary: str = ""
) -> Exchange:
    """« Le réclamant a été informé par téléphone »: the call is an exchange on the file, and
    its time is the commitment's notification date (§6.3.2), through the workflow service."""
    from grievances.services import workflow as wf

    summary = summary.strip() or f"Date d'engagement annoncée : {commitment.promised_on:%d/%m/%Y}."
    exchange = exchange_record(
        grievance=commitment.grievance,
        actor=actor,
        kind=Exchange.Kind.CALLBACK,
        occurred_at=occurred_at,
        summary=summary,
        commitment=commitment,
    )
    wf.commitment_record_notification(commitment=commitment, actor=actor, notified_at=occurred_at)
    return exchange
