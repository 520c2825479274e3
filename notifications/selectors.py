"""Reads of the notifications app: the « Échanges » panel of a grievance file (issue 18).

The caller has already fetched the grievance through the visibility scope; the panel adds
two queries whatever the number of messages and exchanges (the outbox rows with who queued
them, the recorded exchanges with who recorded them).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from notifications.models import Exchange, OutboxMessage

Status = OutboxMessage.Status
# Bootstrap badge per delivery status.
STATUS_BADGES = {
    Status.PENDING: "text-bg-secondary",
    Status.SENT: "text-bg-success",
    Status.DELIVERED: "text-bg-success",
    Status.FAILED: "text-bg-danger",
    Status.NOT_SENDABLE: "text-bg-warning",
    Status.CANCELLED: "text-bg-light",
}
_IN_FLIGHT_OR_GONE = {Status.PENDING, Status.SENT, Status.DELIVERED}


@dataclass
class Entry:
    """One line of the panel: a message the outbox sent (or tried to), or a recorded exchange."""

    when: datetime
    inbound: bool
    channel: str
    text: str
    author: str
    message: OutboxMessage | None = None
    exchange: Exchange | None = None

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.message.status, "") if self.message else ""


@dataclass
class ExchangePanel:
    entries: list[Entry] = field(default_factory=list)
    # Per commitment id: its messages, oldest first (for « Envoyer maintenant »).
    commitment_messages: dict[int, list[OutboxMessage]] = field(default_factory=dict)

    def commitment_message_in_flight(self, commitment) -> OutboxMessage | None:
        """The message already announcing this commitment, if one is queued or gone."""
        for message in reversed(self.commitment_messages.get(commitment.pk, [])):
            if message.status in _IN_FLIGHT_OR_GONE:
                return message
        return None


def _name(user) -> str:
    from grievances.people import full_name

    return full_name(user) if user else ""


def grievance_exchanges(*, grievance) -> ExchangePanel:
    """Every complainant-facing message and every recorded exchange of a grievance, newest first.

    Staff alerts are not communications with the complainant and stay off the file. A
    sensitive case's husk shows nothing (SPEC §5.5): no query is made for it.
    """
    from grievances.models import Grievance

    panel = ExchangePanel()
    if grievance.status == Grievance.Status.SENSITIVE:
        return panel
    messages = list(
        OutboxMessage.objects.filter(grievance=grievance, recipient_kind=OutboxMessage.RecipientKind.COMPLAINANT)
        .select_related("created_by")
        .annotate(was_resent=Exists(OutboxMessage.objects.filter(resend_of=OuterRef("pk"))))
        .order_by("created_at", "pk")
    )
    by_pk = {m.pk: m for m in messages}
    for message in messages:
        message.resend_source = by_pk.get(message.resend_of_id)
        if message.commitment_id:
            panel.commitment_messages.setdefault(message.commitment_id, []).append(message)
        panel.entries.append(
            Entry(
                when=message.created_at,
                inbound=False,
                channel=message.get_channel_display() or "—",
                text=message.text,
                author=_name(message.created_by),
                message=message,
            )
        )
    for exchange in Exchange.objects.filter(grievance=grievance).select_related("recorded_by"):
        panel.entries.append(
            Entry(
                when=exchange.occurred_at,
                inbound=exchange.inbound,
                channel=exchange.get_kind_display(),
                text=exchange.summary,
                author=_name(exchange.recorded_by),
                exchange=exchange,
            )
        )
    panel.entries.sort(key=lambda entry: entry.when, reverse=True)
    return panel


def failed_message_q() -> Q:
    """Grievances with a complainant message that failed and was not resent (the queue
    « Messages en échec »): an EXISTS read from the partial index on failed complainant
    messages, each checked against the unique index of resends."""
    failed = OutboxMessage.objects.filter(
        grievance=OuterRef("pk"), status=Status.FAILED, recipient_kind=OutboxMessage.RecipientKind.COMPLAINANT
    ).exclude(Exists(OutboxMessage.objects.filter(resend_of=OuterRef("pk"))))
    return Q(Exists(failed))
