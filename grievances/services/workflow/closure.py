"""Operation 4, the closure, and the appeal on its own clock (§6.1, §6.3.2)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from grievances import deadlines
from grievances.models import Grievance
from grievances.services.intake import due_dates
from grievances.services.workflow.steps import Outcome, not_future, outcome_errors, require_text, run_step, to_minute


def _commitment_facts(grievance: Grievance) -> list[deadlines.CommitmentFacts]:
    return [
        deadlines.CommitmentFacts(status=c.status, notified_at=c.notified_at, realised_at=c.realised_at)
        for c in grievance.commitments.order_by("sequence")
    ]


def grievance_close(
    *,
    grievance: Grievance,
    actor,
    synthesis: str,
    external_recourse_informed: bool = False,
    expected_status: str | None = None,
    confirmed: bool = False,
) -> Grievance:
    """Operation 4: the closing officer checks the treatment and the answer, writes the synthesis.

    The effective closure date follows the closure-date rule (§6.3.2). A second closure,
    after an appeal, is the appeal's own and leaves the first instance's dates alone. After
    an appeal still refused, the complainant must have been told of the Médiateur and the courts.
    The closure freezes the case, so it takes the user's confirmation (`confirmed`, issue 20).
    """
    now = timezone.now()
    effective: list[datetime | None] = [None]

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(synthesis, "final_synthesis", "Rédigez la synthèse finale du traitement.")
        if g.appeal_count:
            effective[0] = g.effective_closed_at
        else:
            try:
                effective[0] = deadlines.effective_closure_at(
                    commitments=_commitment_facts(g), closure_validated_at=now
                )
            except ValueError:
                errors["commitments"] = (
                    "L'engagement honoré n'a pas été notifié au réclamant : "
                    "enregistrez la date de notification avant de clôturer."
                )
        if g.appeal_count and g.outcome == Outcome.UNFOUNDED and not external_recourse_informed:
            errors["external_recourse_informed"] = (
                "Après un recours rejeté, le réclamant doit être informé de son droit de saisir "
                "le Médiateur du Royaume ou la justice : confirmez-le."
            )
        if not confirmed:
            errors["confirm"] = gettext(
                "Confirmez la clôture : une fois le dossier clôturé, sa synthèse et sa date de clôture ne "
                "pourront plus être modifiées."
            )
        return errors

    return run_step(
        grievance,
        name="close",
        actor=actor,
        expected_status=expected_status,
        comment=synthesis,
        validate=validate,
        data=lambda g: {
            "actor": actor,
            "synthesis": synthesis.strip(),
            "when": now,
            # A date typed to the minute can fall a few seconds before the reception time;
            # the treatment time is never negative.
            "effective_closed_at": max(effective[0], g.received_at) if effective[0] else None,
            "external_recourse_informed": bool(external_recourse_informed),
        },
    )


def grievance_appeal(
    *, grievance: Grievance, actor, reason: str, received_at: datetime | None = None, expected_status: str | None = None
) -> Grievance:
    """Appeal (recours, §6.1): the case reopens for a second review, on a clock of its own.

    The appeal's deadline is counted from the appeal with the programme's policy; the first
    instance's due date, closure and delay are kept as they were (docs/metrics.md).
    """
    received_at = received_at or timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(reason, "appeal_reason", "Indiquez le motif du recours.")
        errors |= not_future(received_at, "appealed_at")
        if g.closure_validated_at and received_at < to_minute(g.closure_validated_at):
            errors["appealed_at"] = "Le recours ne peut pas précéder la clôture."
        return errors

    def data(g: Grievance) -> dict:
        due_on, _acknowledgement = due_dates(programme=g.programme, channel=g.channel, received_at=received_at)
        return {"reason": reason.strip(), "when": received_at, "due_on": due_on}

    return run_step(
        grievance,
        name="appeal",
        actor=actor,
        expected_status=expected_status,
        comment=reason,
        validate=validate,
        data=data,
    )


def grievance_review_appeal(
    *,
    grievance: Grievance,
    actor,
    conclusion: str,
    outcome: str,
    unfounded_reason=None,
    expected_status: str | None = None,
) -> Grievance:
    """Second review at a higher level (the head of beneficiary services): upholds or reverses
    the first outcome, and stops the appeal's clock (its delay runs from the appeal to this decision)."""
    now = timezone.now()

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(conclusion, "analysis_conclusion", "Renseignez la conclusion du réexamen.")
        return errors | outcome_errors(outcome, unfounded_reason)

    return run_step(
        grievance,
        name="review_appeal",
        actor=actor,
        expected_status=expected_status,
        comment=conclusion,
        validate=validate,
        data={
            "actor": actor,
            "when": now,
            "conclusion": (conclusion or "").strip(),
            "outcome": outcome,
            "unfounded_reason": unfounded_reason,
        },
    )
