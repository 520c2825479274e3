"""Operation 3, the answer (§6.2.4, §6.3.5): drafted, approved by another person, sent."""

from datetime import datetime

from django.utils import timezone

from grievances.models import Grievance
from grievances.services.workflow.steps import Outcome, not_future, require_text, run_step, to_minute
from notifications import services as notifications
from pmpp.models import Channel


def grievance_draft_answer(
    *,
    grievance: Grievance,
    actor,
    text: str,
    explanation: str = "",
    answer_channel: Channel | None = None,
    exception: str = "",
    exception_reason: str = "",
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Draft the answer. It goes out on the intake channel unless an exception is recorded.

    Exceptions (§6.2.4): the complaint needs no answer, or it was already answered (then a
    telephone call-back). An unfounded complaint needs the explanation the complainant
    will receive, also shown when they track it (§6.1).
    """
    Exception_ = Grievance.AnswerChannelException

    def validate(g: Grievance) -> dict[str, str]:
        errors: dict[str, str] = {}
        if exception not in Exception_.values:
            errors["answer_channel_exception"] = "Exception au canal de réponse inconnue."
            return errors
        channel = answer_channel or (None if exception == Exception_.NO_ANSWER_NEEDED else g.channel)
        if exception != Exception_.NO_ANSWER_NEEDED and not (text or "").strip():
            errors["answer_text"] = "Rédigez la réponse au réclamant."
        if g.outcome == Outcome.UNFOUNDED and not (explanation or "").strip():
            errors["outcome_explanation"] = (
                "Une réclamation non fondée exige l'explication qui sera donnée au réclamant."
            )
        if exception == Exception_.NONE and channel is not None and channel.pk != g.channel_id:
            errors["answer_channel"] = (
                f"La réponse se fait par le canal de réception (« {g.channel.name} ») sauf exception motivée."
            )
        if exception and not (exception_reason or "").strip():
            errors["answer_channel_exception_reason"] = "Motivez l'exception au canal de réponse."
        if exception == Exception_.ALREADY_ANSWERED and (channel is None or channel.kind != Channel.Kind.PHONE):
            errors["answer_channel"] = "Une réclamation déjà répondue fait l'objet d'un rappel téléphonique."
        return errors

    return run_step(
        grievance,
        name="draft_answer",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data=lambda g: {
            "actor": actor,
            "text": (text or "").strip(),
            "explanation": (explanation or "").strip(),
            "answer_channel": answer_channel or default_answer_channel(g, exception),
            "exception": exception,
            "exception_reason": (exception_reason or "").strip(),
        },
    )


def default_answer_channel(grievance: Grievance, exception: str) -> Channel | None:
    if exception == Grievance.AnswerChannelException.NO_ANSWER_NEEDED:
        return None
    return grievance.channel


def grievance_approve_answer(
    *, grievance: Grievance, actor, note: str = "", expected_status: str | None = None
) -> Grievance:
    """The head of beneficiary services approves the answer; never its own author (four eyes)."""
    return run_step(
        grievance,
        name="approve_answer",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        data={"actor": actor, "note": (note or "").strip(), "when": timezone.now()},
    )


def grievance_reject_answer(*, grievance: Grievance, actor, note: str, expected_status: str | None = None) -> Grievance:
    """The head sends the answer back with what to change."""
    return run_step(
        grievance,
        name="reject_answer",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        validate=lambda g: require_text(
            note, "answer_review_note", "Indiquez ce qu'il faut reprendre dans la réponse."
        ),
        data={"note": (note or "").strip()},
    )


def grievance_send_answer(
    *,
    grievance: Grievance,
    actor,
    sent_at: datetime | None = None,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """The approved answer went out to the complainant."""
    sent_at = sent_at or timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        errors = not_future(sent_at, "answer_sent_at")
        if g.answer_approved_at and sent_at < to_minute(g.answer_approved_at):
            errors["answer_sent_at"] = "La réponse ne peut pas partir avant son approbation."
        return errors

    return run_step(
        grievance,
        name="send_answer",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={"when": sent_at},
        # The outcome, with the explanation when unfounded (§6.1), on the answer's channel.
        after=lambda g: notifications.notification_queue_outcome(grievance=g),
    )
