"""Operation 3, the partner path (Tayssir MASSAR errors, §6.2.5)."""

from grievances.models import Grievance
from grievances.services.workflow.steps import require_text, run_step


def grievance_transmit_to_partner(
    *, grievance: Grievance, actor, comment: str = "", expected_status: str | None = None
) -> Grievance:
    """MASSAR data errors need MENPS: the complaint is transmitted to the partner organisation."""
    return run_step(
        grievance, name="transmit_to_partner", actor=actor, expected_status=expected_status, comment=comment
    )


def grievance_record_partner_outcome(
    *,
    grievance: Grievance,
    actor,
    founded: bool,
    data_corrected: bool,
    note: str,
    unfounded_reason=None,
    expected_status: str | None = None,
) -> Grievance:
    """The partner notifies its outcome: founded yes/no, data corrected yes/no (§6.2.5)."""

    def validate(g: Grievance) -> dict[str, str]:
        errors = require_text(note, "partner_note", "Résumez le retour de l'organisme partenaire.")
        if founded not in (True, False):
            errors["partner_founded"] = "Indiquez si le partenaire juge la réclamation fondée."
        elif not founded and unfounded_reason is None:
            errors["unfounded_reason"] = "Une réclamation non fondée doit indiquer son motif (§6.2.3)."
        return errors

    return run_step(
        grievance,
        name="record_partner_outcome",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        validate=validate,
        data={
            "founded": founded,
            "data_corrected": bool(data_corrected),
            "note": (note or "").strip(),
            "unfounded_reason": unfounded_reason,
        },
    )


def grievance_regularise(*, grievance: Grievance, actor, note: str, expected_status: str | None = None) -> Grievance:
    """CNRA regularises the data and the right after the partner's correction (§6.2.5)."""
    return run_step(
        grievance,
        name="regularise",
        actor=actor,
        expected_status=expected_status,
        comment=note,
        validate=lambda g: require_text(note, "regularisation_note", "Décrivez la régularisation effectuée."),
        data={"note": (note or "").strip()},
    )
