"""The workflow's vocabulary: each transition's French label and who performs it.

Shared by the services (history reasons, error messages), the screens (buttons) and
`manage.py transition_table`, which writes docs/transitions.md from the model itself.
"""

from django.utils.translation import gettext_lazy as _

from grievances.models import Grievance

TRANSITION_LABELS = {
    "mark_duplicate": _("Lier comme doublon"),
    "qualify": _("Qualifier (opération 1)"),
    "reclassify_as_request": _("Requalifier en requête et répondre"),
    "flag_sensitive": _("Signaler comme cas sensible VBG/EAS/HS"),
    "analyse": _("Analyser (opération 2)"),
    "route_to_unit": _("Transmettre au service métier"),
    "give_commitment": _("Donner un engagement de traitement"),
    "honour_commitment": _("Engagement honoré"),
    "break_commitment": _("Engagement non honoré"),
    "renew_commitment": _("Renouveler l'engagement"),
    "transmit_to_partner": _("Transmettre à l'organisme partenaire"),
    "record_partner_outcome": _("Notifier le retour du partenaire"),
    "regularise": _("Régulariser la donnée et le droit"),
    "draft_answer": _("Rédiger la réponse"),
    "approve_answer": _("Approuver la réponse"),
    "reject_answer": _("Renvoyer la réponse pour reprise"),
    "send_answer": _("Envoyer la réponse"),
    "close": _("Clôturer (opération 4)"),
    "appeal": _("Enregistrer un recours"),
    "review_appeal": _("Réexaminer en recours"),
}


def transition_rows() -> list[dict]:
    """Each transition of Grievance.status, in workflow order, with its sources grouped."""
    by_name: dict[str, dict] = {}
    state_order = list(Grievance.Status.values)
    for transition in Grievance._meta.get_field("status").get_all_transitions(Grievance):
        row = by_name.setdefault(
            transition.name,
            {
                "name": transition.name,
                "label": str(TRANSITION_LABELS[transition.name]),
                "sources": [],
                "target": transition.target,
                "permission": getattr(transition.permission, "permission", ""),
                "four_eyes": getattr(transition.permission, "four_eyes_field", None),
                "conditions": [condition.__name__.lstrip("_") for condition in transition.conditions or []],
            },
        )
        row["sources"].append(transition.source)
    for row in by_name.values():
        row["sources"].sort(key=state_order.index)
    return [by_name[name] for name in TRANSITION_LABELS if name in by_name]
