"""Writes to the outbox, and the sending of one message.

The `notification_queue_*` verbs are called by the grievance services inside their own
transaction (explicit calls, no signals): the message row commits or rolls back with the
change, and so does the task that sends it. The task queue (django-tasks-db) lives in the
same database, so the task row is written in that transaction too: the worker cannot see
it before the commit, a rolled-back change leaves neither, and the change costs one commit
(one WAL flush) instead of a second transaction after it. A message left pending for any
other reason (the worker down) is sent by `manage.py send_notifications`.

Complainant messages (PMPP §6.1, §6.2.4): on the contact the complainant chose, else on
the intake channel — e-mail for a digital intake with an address, SMS for any other intake
with a phone; nothing electronic otherwise (recorded as not sendable). Anonymous
complainants get nothing: the tracking reference is their only handle. The grievance has
no language field, so complainant messages carry the French and the Arabic text together.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.backends import GatewayError, sender_for
from notifications.models import DeadlineAlert, OutboxMessage
from pmpp.compiled_sql import insert_instance

logger = logging.getLogger(__name__)

Event = OutboxMessage.Event
Status = OutboxMessage.Status
Language = OutboxMessage.Language

# E-mail subjects, per event and language (message content, like the templates).
_SUBJECTS = {
    Event.ACKNOWLEDGEMENT: {"fr": "Accusé de réception de votre réclamation", "ar": "إشعار بتسلم شكايتكم"},
    Event.COMMITMENT: {"fr": "Date de traitement de votre réclamation", "ar": "تاريخ معالجة شكايتكم"},
    Event.OUTCOME: {"fr": "Réponse à votre réclamation", "ar": "الرد على شكايتكم"},
    Event.DUE_SOON: {"fr": "Échéance proche", "ar": "اقتراب أجل المعالجة"},
    Event.OVERDUE: {"fr": "Échéance dépassée", "ar": "تجاوز أجل المعالجة"},
    Event.ESCALATED: {"fr": "Escalade : réclamation en retard", "ar": "تصعيد: شكاية متأخرة"},
    Event.REFERRAL_OVERDUE: {"fr": "Orientation en retard", "ar": "تأخر في التوجيه"},
}


@dataclass(frozen=True)
class Route:
    channel: str  # "" when no electronic message can be sent
    address: str
    reason: str = ""  # why not sendable; never personal data


def complainant_route(grievance) -> Route | None:
    """Where the complainant is told; None when nothing is sent at all (anonymous)."""
    from grievances.models import ContactPreference
    from pmpp.models import Channel

    if grievance.is_anonymous:
        return None
    phone, email = grievance.complainant_phone, grievance.complainant_email
    sms = Route(OutboxMessage.Channel.SMS, phone) if phone else None
    mail = Route(OutboxMessage.Channel.EMAIL, email) if email else None
    preference = grievance.preferred_contact
    if preference == ContactPreference.NONE:
        return Route("", "", "Le réclamant suit sa réclamation en ligne et ne souhaite pas de message.")
    if preference == ContactPreference.POSTAL:
        return Route("", "", "Le réclamant a demandé une réponse par courrier postal.")
    if preference == ContactPreference.EMAIL:
        order = [mail]
    elif preference in (ContactPreference.SMS, ContactPreference.PHONE):
        # A telephone call is made by the agent; the SMS is its written trace.
        order = [sms]
    elif grievance.channel.kind in (Channel.Kind.WEB, Channel.Kind.PLATFORM):
        order = [mail, sms]
    else:
        order = [sms, mail]
    for route in order:
        if route is not None:
            return route
    return Route("", "", "Aucun numéro de téléphone ni adresse électronique pour ce canal.")


def _render(event: str, language: str, context: dict) -> tuple[str, str]:
    languages = ["fr", "ar"] if language == Language.BILINGUAL else [language]
    texts, subjects = [], []
    for code in languages:
        with translation.override(code):
            texts.append(render_to_string(f"notifications/{event}.{code}.txt", context).strip())
        subjects.append(_SUBJECTS[event][code])
    reference = context.get("reference", "")
    subject = " / ".join(subjects)
    return (f"{reference} — {subject}" if reference else subject), "\n\n".join(texts)


def _queue(
    *,
    event_key: str,
    event: str,
    route: Route,
    language: str,
    context: dict,
    grievance=None,
    alert: DeadlineAlert | None = None,
    recipient_user=None,
    may_be_queued_already: bool = True,
    commitment=None,
    created_by=None,
) -> OutboxMessage | None:
    """Write one message unless this event was already queued (the unique event key decides,
    in a savepoint), with the task that sends it.

    `may_be_queued_already=False` is for an event whose key no earlier transaction can hold
    (it names a grievance inserted by this very transaction): no savepoint is needed, and a
    violation of the unique key would be a bug, raised as such.
    """
    subject, text = _render(event, language, context)
    message = OutboxMessage(
        event_key=event_key,
        event=event,
        grievance=grievance,
        alert=alert,
        recipient_kind=OutboxMessage.RecipientKind.STAFF if recipient_user else OutboxMessage.RecipientKind.COMPLAINANT,
        recipient_user=recipient_user,
        channel=route.channel,
        address=route.address,
        language=language,
        subject=subject,
        text=text,
        status=Status.PENDING if route.channel else Status.NOT_SENDABLE,
        last_error=route.reason,
        commitment=commitment,
        created_by=created_by,
    )
    if may_be_queued_already:
        try:
            with transaction.atomic():
                insert_instance(message)
        except IntegrityError:
            # This event was already queued (a re-run, a concurrent sweep): once is enough.
            return None
    else:
        insert_instance(message)
    if message.status == Status.PENDING:
        _enqueue(message.pk)
    return message


def _enqueue(message_id: int, *, run_after: datetime | None = None) -> None:
    """The task that sends the message, written in the caller's transaction (same database):
    it commits or rolls back with the message row, and the worker sees it only once committed."""
    from notifications.tasks import send_outbox_message

    task = send_outbox_message.using(run_after=run_after) if run_after else send_outbox_message
    task.enqueue(message_id)


def _grievance_context(grievance, **extra) -> dict:
    return {"reference": grievance.reference, **programme_context(grievance.programme), **extra}


def programme_context(programme) -> dict:
    return {"programme": programme.name, "programme_ar": programme.name_ar or programme.name}


def _queue_for_complainant(
    *,
    grievance,
    event: str,
    sequence: int | str,
    may_be_queued_already: bool = True,
    commitment=None,
    created_by=None,
    **context,
) -> OutboxMessage | None:
    route = complainant_route(grievance)
    if route is None:
        return None
    return _queue(
        commitment=commitment,
        created_by=created_by,
        event_key=f"grievance:{grievance.pk}:{event}:{sequence}",
        event=event,
        route=route,
        language=Language.BILINGUAL,
        context=_grievance_context(grievance, **context),
        grievance=grievance,
        may_be_queued_already=may_be_queued_already,
    )


# --- complainant events ----------------------------------------------------------------------------


def notification_queue_acknowledgement(*, grievance) -> OutboxMessage | None:
    """Acknowledgement at intake with the reference and the treatment due date (§6.1).

    Called in the transaction that inserted the grievance: no earlier acknowledgement can
    exist for it, so its message is written without a savepoint.
    """
    return _queue_for_complainant(
        grievance=grievance,
        event=Event.ACKNOWLEDGEMENT,
        sequence=1,
        may_be_queued_already=False,
        due_on=grievance.due_on,
    )


def notification_queue_commitment(*, commitment, created_by=None, attempt: int = 0) -> OutboxMessage | None:
    """The committed treatment date, and each new date after a broken commitment (§6.3.6 op. 3).

    Queued with the commitment itself; sending it marks the commitment notified. `attempt`
    numbers the later sends an agent asks for (« Envoyer maintenant »), each its own event.
    """
    grievance = commitment.grievance
    return _queue_for_complainant(
        grievance=grievance,
        event=Event.COMMITMENT,
        sequence=f"{commitment.sequence}:{attempt}" if attempt else commitment.sequence,
        commitment=commitment,
        created_by=created_by,
        promised_on=commitment.promised_on,
        renewed=commitment.sequence > 1,
    )


def notification_queue_outcome(*, grievance) -> OutboxMessage | None:
    """The outcome, with the explanation when refused (§6.1), on the answer's channel (§6.2.4).

    No message when the answer needs none or was already given (a telephone call-back).
    After an appeal the second answer is a new event.
    """
    if grievance.answer_channel_exception:
        return None
    return _queue_for_complainant(
        grievance=grievance,
        event=Event.OUTCOME,
        sequence=grievance.appeal_count + 1,
        founded=grievance.outcome == grievance.Outcome.FOUNDED,
        unfounded=grievance.outcome == grievance.Outcome.UNFOUNDED,
        answer_text=grievance.answer_text,
        explanation=grievance.outcome_explanation,
    )


def notification_forget(*, grievance_ids: Iterable[int], why: str) -> int:
    """Withdraw what is pending for these grievances and erase the addresses and texts kept
    for them: a grievance that became a sensitive GBV/SEA/SH case (SPEC §5.5), or one
    anonymised under Law 09-08. `why` is written on each withdrawn message. Returns the
    number of messages erased.

    Set-based: a worker sending one of them holds its row lock, so the UPDATE waits for that
    send to commit and then no longer finds it pending (READ COMMITTED re-checks the row).
    """
    messages = OutboxMessage.objects.filter(grievance_id__in=list(grievance_ids))
    messages.filter(status=Status.PENDING).update(status=Status.CANCELLED, last_error=why)
    # A sent message stays recorded as sent; where it went and what it said are erased.
    # The reason typed for a resend may quote the person too; the constraint wants one kept.
    messages.exclude(resend_reason="").update(resend_reason="[retiré]")
    return messages.update(address="", text="", subject="")


# --- staff alerts ---------------------------------------------------------------------------------


def notification_queue_staff_alert(*, alert: DeadlineAlert, user, context: dict) -> OutboxMessage | None:
    """A deadline alert by e-mail to one staff user, in French; no e-mail → recorded, not sent."""
    route = (
        Route(OutboxMessage.Channel.EMAIL, user.email)
        if user.email
        else Route("", "", "Aucune adresse électronique pour cet utilisateur.")
    )
    return _queue(
        event_key=f"alert:{alert.pk}:user:{user.pk}",
        event=alert.kind,
        route=route,
        language=Language.FRENCH,
        context=context,
        grievance=alert.grievance,
        alert=alert,
        recipient_user=user,
    )


# --- sending ------------------------------------------------------------------------------------------


def _retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base… after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=settings.PMPP_NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1))


def idempotency_key(message: OutboxMessage) -> str:
    """The same for every attempt at one message, different for any other message, here or in
    another installation sharing the gateway account; no personal data."""
    return f"pmpp-{message.pk}-{message.created_at:%Y%m%d%H%M%S%f}"


def notification_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one due message exactly once; on failure count the attempt and schedule a retry.

    The row is locked for the whole send with SKIP LOCKED: a second worker racing for the
    same message skips it instead of waiting, and finds it sent (or rescheduled) afterwards.
    If the process dies after the gateway accepted the message but before the commit, the
    message is sent again on recovery: at least once on a crash, exactly once otherwise.
    Returns what happened: "sent", "retry", "failed" or "skipped".

    That crash window cannot be closed from here: the gateway's acceptance and our commit
    are two systems, with no transaction spanning both. Every attempt therefore carries the
    message's idempotency key, so a gateway that honours it delivers the repeat once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return "skipped"
        try:
            sender_for(message.channel).send(
                to=message.address, text=message.text, subject=message.subject, key=idempotency_key(message)
            )
        except Exception as exc:
            # The exception text may quote the address or the gateway's echo of the message:
            # keep only its type, or the reason a GatewayError declares (scrubbed all the same).
            message.attempts += 1
            message.last_error = f"{_error_reason(exc)} (tentative {message.attempts})"[:200]
            permanent = isinstance(exc, GatewayError) and exc.permanent
            if permanent or message.attempts >= settings.PMPP_NOTIFICATION_MAX_ATTEMPTS:
                message.status = Status.FAILED
                outcome = "failed"
                logger.error(
                    "Notification %s failed after %s attempts (%s)", message.pk, message.attempts, type(exc).__name__
                )
            else:
                message.next_attempt_at = now + _retry_delay(message.attempts)
                outcome = "retry"
                logger.warning(
                    "Notification %s attempt %s failed (%s), retry scheduled",
                    message.pk,
                    message.attempts,
                    type(exc).__name__,
                )
                _enqueue(message.pk, run_after=message.next_attempt_at)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return outcome
        message.attempts += 1
        message.status = Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        if message.commitment_id is not None:
            # The complainant is told the committed date when the message leaves (see
            # `commitment_record_sent_notification` for why not when it is queued).
            from grievances.services.workflow.commitments import commitment_record_sent_notification

            commitment_record_sent_notification(
                commitment_id=message.commitment_id, notified_at=message.sent_at, message=message
            )
        logger.info("Notification %s sent (%s, %s)", message.pk, message.event, message.channel)
        return "sent"


_NUMBER_OR_ADDRESS = re.compile(r"\S+@\S+|\+?\d[\d\s.()-]{4,}\d")


def _error_reason(exc: Exception) -> str:
    """What `last_error` may keep of a failure: the reason a GatewayError declares, with
    anything that looks like a number or an address masked; otherwise the exception's type."""
    if isinstance(exc, GatewayError) and exc.reason:
        return _NUMBER_OR_ADDRESS.sub("•••", exc.reason)
    return type(exc).__name__


def notification_send_due(*, now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Send every pending message whose time has come (cron, or recovery after an outage)."""
    now = now or timezone.now()
    ids = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    counts: dict[str, int] = {}
    for message_id in ids.values_list("pk", flat=True)[:limit]:
        outcome = notification_send(message_id=message_id, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# --- after sending: resend, delivery ---------------------------------------------------------------


def notification_resend(*, message: OutboxMessage, actor, reason: str) -> OutboxMessage:
    """Send a failed complainant message again, as a new message pointing at the failed one.

    A new row rather than a new attempt on the old one: the failed row keeps what the gateway
    answered and when (the file shows « échec » then « renvoyé »), the new one has its own
    attempts and idempotency key, and goes where the complainant can be reached now (a
    corrected number). Who resent it, when and why are on the new row, which nothing
    changes afterwards but its sending; one resend per failed message (a unique link).
    """
    from grievances.access import user_can_see_grievance
    from grievances.models import Grievance

    reason = (reason or "").strip()
    with transaction.atomic():
        failed = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("grievance__channel", "grievance__programme")
            .get(pk=message.pk)
        )
        grievance = failed.grievance
        if (
            not actor.has_perm("notifications.resend_outboxmessage")
            or failed.recipient_kind != OutboxMessage.RecipientKind.COMPLAINANT
            or grievance is None
            or not user_can_see_grievance(actor, grievance)
        ):
            raise PermissionDenied("Vous n'êtes pas autorisé·e à renvoyer ce message.")
        if failed.status != Status.FAILED:
            raise ValidationError("Seul un message en échec peut être renvoyé.")
        if OutboxMessage.objects.filter(resend_of=failed).exists():
            raise ValidationError("Ce message a déjà été renvoyé.")
        if grievance.status == Grievance.Status.SENSITIVE:
            raise ValidationError("Ce dossier n'accepte plus de message.")
        if not reason:
            raise ValidationError({"reason": "Indiquez pourquoi le message est renvoyé."})
        route = complainant_route(grievance)
        if route is None or not route.channel:
            raise ValidationError(
                (route.reason if route else "") or "Aucun moyen électronique de joindre le réclamant."
            )
        again = OutboxMessage.objects.create(
            event_key=f"resend:{failed.pk}",
            event=failed.event,
            grievance=grievance,
            commitment_id=failed.commitment_id,
            recipient_kind=failed.recipient_kind,
            channel=route.channel,
            address=route.address,
            language=failed.language,
            subject=failed.subject,
            text=failed.text,
            created_by=actor,
            resend_of=failed,
            resend_reason=reason[:200],
        )
        _enqueue(again.pk)
    logger.info("Notification %s resent as %s by user %s", failed.pk, again.pk, actor.pk)
    return again


def notification_mark_delivered(*, key: str, delivered_at: datetime | None = None) -> OutboxMessage:
    """The gateway reports that a sent message reached the complainant (its delivery receipt).

    The message is named by the idempotency key the gateway was given, never by an address.
    Reported twice, the first date stays. Raises OutboxMessage.DoesNotExist for a key that
    names no message, ValidationError for one not sent yet.
    """
    match = re.fullmatch(r"pmpp-(\d+)-\d{20}", key or "")
    if match is None:
        raise OutboxMessage.DoesNotExist
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=int(match.group(1))).first()
        if message is None or idempotency_key(message) != key:
            raise OutboxMessage.DoesNotExist
        if message.status == Status.DELIVERED:
            return message
        if message.status != Status.SENT:
            raise ValidationError("Ce message n'a pas été envoyé : il ne peut pas avoir été remis.")
        message.status = Status.DELIVERED
        message.delivered_at = delivered_at or timezone.now()
        message.save(update_fields=["status", "delivered_at"])
    logger.info("Notification %s delivered", message.pk)
    return message
