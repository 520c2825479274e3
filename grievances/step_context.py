"""The facts a step page shows beside its form: what the step acts on (issue 18).

Every page shows the description, the analysis and the latest rework note; approve adds the
answer and its channel, send says what clicking will send and where, close shows the
commitments, the answer sent and the delays the report will use. A bounded number of
queries: the commitments and one history row, whatever the length of the story.
"""

from django.utils import timezone

from grievances import deadlines
from grievances.models import Grievance

_WITH_COMMITMENTS = {"close", "give_commitment", "renew_commitment", "honour_commitment", "break_commitment"}


def _rework_note(grievance: Grievance) -> str:
    """The note of the latest « renvoyer pour reprise », unless an approval came after it."""
    row = (
        grievance.history.filter(transition__in=["reject_answer", "approve_answer"])
        .order_by("-history_id")
        .only("transition", "answer_review_note")
        .first()
    )
    return row.answer_review_note if row is not None and row.transition == "reject_answer" else ""


def _send_plan(grievance: Grievance) -> dict:
    """What `grievance_send_answer` will queue (notifications.services.notification_queue_outcome)."""
    from notifications.services import complainant_route

    if grievance.answer_channel_exception:
        return {"kind": "none", "reason": grievance.get_answer_channel_exception_display()}
    route = complainant_route(grievance)
    if route is None:
        return {"kind": "manual", "reason": "anonymous"}
    if not route.channel:
        return {"kind": "manual", "reason": route.reason}
    return {"kind": route.channel, "address": route.address}


def _closure_delays(grievance: Grievance, commitments: list) -> dict:
    """The delays the report will read once closed now (closure date rule, §6.3.2)."""
    if grievance.appeal_count:
        return {
            "delay": grievance.treatment_delay(),
            "within": grievance.treated_within_deadline(),
            "appeal_delay": grievance.appeal_delay_days(),
            "appeal_within": grievance.appeal_reviewed_within_deadline(),
        }
    facts = [
        deadlines.CommitmentFacts(status=c.status, notified_at=c.notified_at, realised_at=c.realised_at)
        for c in commitments
    ]
    try:
        effective = deadlines.effective_closure_at(commitments=facts, closure_validated_at=timezone.now())
    except ValueError:
        return {"blocked": True}
    effective = max(effective, grievance.received_at)
    return {
        "effective": effective,
        "delay": deadlines.treatment_delay(received_at=grievance.received_at, closed_at=effective),
        "within": deadlines.local_date(effective) <= grievance.due_on,
    }


def step_context(*, grievance: Grievance, name: str) -> dict:
    context: dict = {"step": name, "rework_note": _rework_note(grievance)}
    commitments = []
    if name in _WITH_COMMITMENTS:
        commitments = list(grievance.commitments.order_by("sequence"))
        context["commitments"] = commitments
    if name == "send_answer":
        context["send"] = _send_plan(grievance)
    if name == "close":
        context["delays"] = _closure_delays(grievance, commitments)
    return context
