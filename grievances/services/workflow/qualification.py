"""Operations 1 and 2 (§6.3.6): qualify a request (or reclassify it, or flag it sensitive) and analyse it."""

from django.utils import timezone

from grievances.models import Grievance, SensitiveCase
from grievances.services.intake import SensitiveDetails, _register_sensitive
from grievances.services.references import tracking_identity_digest
from grievances.services.sensitive import sensitive_case_take_over
from grievances.services.workflow.steps import outcome_errors, require_text, run_step
from notifications import services as notifications


def grievance_qualify(
    *,
    grievance: Grievance,
    actor,
    category,
    subject: str,
    nature: str,
    identity_verified: bool,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Operation 1: category, object, nature; the identity is verified unless anonymous (§6.3.6)."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(subject, "subject", "Indiquez l'objet de la réclamation.")
        if category is None:
            errors["category"] = "Choisissez la catégorie de la réclamation."
        elif category.programme_id != g.programme_id:
            errors["category"] = f"La catégorie « {category.name} » n'appartient pas au programme {g.programme.name}."
        if nature not in Grievance.Nature.values:
            errors["nature"] = "Choisissez la nature : individuelle, collective ou par un représentant."
        if not g.is_anonymous and not identity_verified:
            errors["identity_verified"] = "Vérifiez l'identité du réclamant (CNIE, téléphone) avant de qualifier."
        if g.is_anonymous and identity_verified:
            errors["identity_verified"] = "L'identité d'un réclamant anonyme ne peut pas être vérifiée."
        return errors

    return run_step(
        grievance,
        name="qualify",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={
            "actor": actor,
            "category": category,
            "subject": (subject or "").strip(),
            "nature": nature,
            "identity_verified": identity_verified,
            "when": timezone.now(),
        },
    )


def grievance_reclassify_as_request(
    *,
    grievance: Grievance,
    actor,
    not_complaint_kind,
    answer_text: str,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Not a complaint (§6.2.3): recorded as a requête, answered and closed at once."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(answer_text, "answer_text", "Indiquez la réponse apportée à la requête.")
        if not_complaint_kind is None:
            errors["not_complaint_kind"] = "Choisissez le type de requête."
        return errors

    return run_step(
        grievance,
        name="reclassify_as_request",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={
            "actor": actor,
            "not_complaint_kind": not_complaint_kind,
            "answer_text": (answer_text or "").strip(),
            "when": timezone.now(),
        },
    )


def grievance_flag_sensitive(
    *, grievance: Grievance, actor, details: SensitiveDetails, comment: str = "", expected_status: str | None = None
) -> SensitiveCase:
    """A GBV/SEA/SH allegation leaves the ordinary flow at once (SPEC §5.5), and no trace outside.

    The identity, the files and the agent's comment go to the new SensitiveCase, which the
    referent alone reads; the consent is recorded here, once (the referral does not ask it
    again). The grievance becomes a husk: identity and texts blanked, in its history rows
    too (rewritten and re-sealed in the audit chain), keeping only the keyed digests that
    let its receipt open it as before, where it reads like any case in treatment
    (portal.selectors). Nothing is sent to the complainant, and whatever was pending for
    them is withdrawn: the referent decides what the survivor is told, and how.
    """
    created: list[SensitiveCase] = []
    identity: dict[str, str] = {}

    def digests(g: Grievance) -> dict[str, str]:
        # Read before the transition blanks them.
        identity.update({name: getattr(g, name) for name in SensitiveCase.IDENTITY_FIELDS})
        return {
            "cnie_digest": tracking_identity_digest(
                tracking_code=g.tracking_code, kind="cnie", value=g.complainant_cnie
            ),
            "phone_digest": tracking_identity_digest(
                tracking_code=g.tracking_code, kind="phone", value=g.complainant_phone
            ),
        }

    def move_to_sensitive_case(g: Grievance) -> None:
        case = _register_sensitive(
            actor=actor, programme=g.programme, channel=g.channel, received_at=g.received_at, details=details
        )
        case.source_grievance = g
        for name, value in identity.items():
            setattr(case, name, value or None)
        comment_text = (comment or "").strip()
        case._change_reason = f"Cas sensible issu de la réclamation {g.reference}" + (
            f" — {comment_text}" if comment_text else ""
        )
        case._history_user = actor
        case.save(update_fields=["source_grievance", *SensitiveCase.IDENTITY_FIELDS])
        sensitive_case_take_over(case=case, grievance=g, actor=actor)
        # Nothing more goes to the complainant, and no address stays on the outbox (SPEC §5.5).
        notifications.notification_forget(grievance_ids=[g.pk], why="Retiré : cas sensible transféré au référent VBG.")
        created.append(case)

    run_step(
        grievance,
        name="flag_sensitive",
        actor=actor,
        expected_status=expected_status,
        # The comment may name the survivor or the allegation: it goes to the case, not to the husk.
        comment="",
        data=digests,
        after=move_to_sensitive_case,
    )
    return created[0]


# --- operation 2: analyse ---------------------------------------------------------------------------


def grievance_analyse(
    *,
    grievance: Grievance,
    actor,
    conclusion: str,
    outcome: str,
    unfounded_reason=None,
    comment: str = "",
    expected_status: str | None = None,
) -> Grievance:
    """Operation 2: conclusion of the analysis, founded or unfounded with its reason (§6.2.3)."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(conclusion, "analysis_conclusion", "Renseignez la conclusion de l'analyse.")
        return errors | outcome_errors(outcome, unfounded_reason)

    return run_step(
        grievance,
        name="analyse",
        actor=actor,
        expected_status=expected_status,
        comment=comment,
        validate=validate,
        data={"conclusion": (conclusion or "").strip(), "outcome": outcome, "unfounded_reason": unfounded_reason},
    )
