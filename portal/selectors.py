"""What a complainant sees when tracking a grievance: a public status, never the internals.

Internal states (qualified, routed, at the partner…) are the back office's business; the
complainant sees five public ones. A grievance moved to the GBV referent (status
"sensitive") or linked as a duplicate reads exactly like any other case in treatment.
Staff names, internal notes, other people's data never leave this module.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import Commitment, Grievance, SensitiveCase
from grievances.receipts import grievance_legal_delay

S = Grievance.Status
Outcome = Grievance.Outcome


class PublicStatus(models.TextChoices):
    RECEIVED = "received", _("Reçue")
    IN_PROGRESS = "in_progress", _("En cours de traitement")
    ANSWER_SENT = "answer_sent", _("Réponse envoyée")
    CLOSED = "closed", _("Clôturée")
    APPEALED = "appealed", _("En recours")


_PUBLIC_STATUS = {S.RECEIVED: PublicStatus.RECEIVED, S.ANSWER_SENT: PublicStatus.ANSWER_SENT,
                  S.CLOSED: PublicStatus.CLOSED, S.APPEALED: PublicStatus.APPEALED}  # fmt: skip


def public_status(grievance: Grievance) -> PublicStatus:
    """Everything else — including "sensitive" and "duplicate" — is "in treatment".

    A case moved to the GBV referent before anyone qualified it answers « Reçue », as it did
    a minute earlier, until the later of its acknowledgement date and the day it was flagged
    (flagging is what its qualification turned out to be); then « En cours de traitement »,
    as an ordinary case once qualified (issue 17: tracking tells nothing).
    """
    if grievance.status == S.SENSITIVE and grievance.qualified_at is None:
        flagged_at = (
            SensitiveCase.objects.filter(source_grievance=grievance).values_list("created_at", flat=True).first()
        )
        flagged_on = timezone.localdate(flagged_at) if flagged_at else grievance.acknowledgement_due_on
        if timezone.localdate() <= max(grievance.acknowledgement_due_on, flagged_on):
            return PublicStatus.RECEIVED
    return _PUBLIC_STATUS.get(grievance.status, PublicStatus.IN_PROGRESS)


@dataclass(frozen=True)
class TrackedGrievance:
    """The only facts the tracking page shows."""

    reference: str
    programme: str
    received_at: datetime
    status: PublicStatus
    due_on: date | None = None  # the first instance's, by the legal delay below (issue 18)
    legal_delay: str = ""
    committed_on: date | None = None
    answer: str = ""
    explanation: str = ""
    can_rate: bool = False
    satisfaction_rating: int | None = None
    can_appeal: bool = False
    appealed: bool = False

    @property
    def status_label(self) -> str:
        return self.status.label


def grievance_public_view(*, grievance: Grievance) -> TrackedGrievance:
    status = public_status(grievance)
    base = {
        "reference": grievance.reference,
        "programme": grievance.programme.label,
        "received_at": grievance.received_at,
        "status": status,
        # Every case has one from its intake, a flagged husk too: it tells nothing about the case.
        "due_on": grievance.due_on,
        "legal_delay": grievance_legal_delay(grievance),
    }
    if grievance.status == S.SENSITIVE:
        # Nothing that would tell this case from any other in treatment.
        return TrackedGrievance(**base)
    committed_on = None
    if status in (PublicStatus.IN_PROGRESS, PublicStatus.APPEALED) and grievance.status != S.DUPLICATE:
        latest = (
            Commitment.objects.filter(grievance=grievance, notified_at__isnull=False)
            .exclude(status=Commitment.Status.BROKEN)
            .order_by("-sequence")
            .first()
        )
        committed_on = latest.promised_on if latest else None
    closed = status == PublicStatus.CLOSED
    return TrackedGrievance(
        **base,
        committed_on=committed_on,
        answer=grievance.answer_text if closed else "",
        explanation=grievance.outcome_explanation
        if closed and grievance.outcome == Grievance.Outcome.UNFOUNDED
        else "",
        can_rate=closed and grievance.satisfaction_rating is None,
        satisfaction_rating=grievance.satisfaction_rating if closed else None,
        can_appeal=closed and grievance.request_kind == Grievance.RequestKind.COMPLAINT and grievance.appeal_count == 0,
        appealed=grievance.appeal_count > 0,
    )
