"""Placeholders of an answer template, and how they are filled from a grievance.

The substitution is deliberately dumb: `{name}` where `name` is one of `PLACEHOLDERS` is
replaced by a value computed here, and nothing else happens. No template language runs on
text that managers type (Django's or `str.format`, which would reach attributes such as
`{reference.__class__}`), so a template can show only what this module chooses to show.
An unknown name, or a brace that opens or closes nothing, is refused when the template is
saved, so the agent never sends « {date_echance} » to a complainant.

There is no amount: a grievance records no sum of money (no field on Grievance nor on
its commitments), so `{montant}` is not offered.
"""

import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from answers.models import Language

PLACEHOLDERS = {
    "reference": _("référence du dossier, par exemple TAY-2026-000123"),
    "code_suivi": _("code de suivi remis au réclamant"),
    "date_reception": _("date de réception (jj/mm/aaaa)"),
    "date_echeance": _("échéance de traitement en cours (jj/mm/aaaa)"),
    "date_engagement": _("date promise par le dernier engagement de traitement (jj/mm/aaaa)"),
    "programme": _("nom du programme, dans la langue du texte"),
    "categorie": _("catégorie de la réclamation, dans la langue du texte"),
}
_TOKEN = re.compile(r"\{([^{}]*)\}")
# What fills a placeholder the grievance has no value for (no commitment yet, no category):
# visible, so that the agent completes it before sending.
MISSING = {
    Language.FRENCH: "[à compléter : {name}]",
    Language.ARABIC: "[يُرجى الإكمال: {name}]",
}


def placeholder_errors(text: str) -> list[str]:
    """Clear French messages for each problem of a template's text; empty when it is sound."""
    errors = []
    unknown = sorted({name for name in _TOKEN.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        errors.append(
            _("Variable inconnue : %(unknown)s. Variables possibles : %(known)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            }
        )
    if "{" in _TOKEN.sub("", text) or "}" in _TOKEN.sub("", text):
        errors.append(_("Accolade isolée : une variable s'écrit entre accolades, par exemple {reference}."))
    return errors


def _date(value) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]


def placeholder_values(grievance, *, language: str) -> dict[str, str]:
    """The value of every placeholder for one grievance ('' where it has none).

    Reads the latest commitment (one query when the commitments are not prefetched).
    """
    arabic = language == Language.ARABIC

    def label(obj) -> str:
        if obj is None:
            return ""
        return (obj.name_ar or obj.name) if arabic else obj.name

    commitment = grievance.commitments.order_by("-sequence").first()
    return {
        "reference": grievance.reference,
        "code_suivi": grievance.tracking_code,
        "date_reception": _date(timezone.localtime(grievance.received_at)),
        "date_echeance": _date(grievance.running_due_on),
        "date_engagement": _date(commitment.promised_on) if commitment else "",
        "programme": label(grievance.programme),
        "categorie": label(grievance.category),
    }


def render_text(text: str, *, values: dict[str, str], language: str) -> Rendered:
    """`text` with each known placeholder replaced by its value; nothing else is interpreted."""
    missing = []

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)  # refused at save; left as typed if an old row has one
        value = values.get(name, "")
        if not value:
            missing.append(name)
            return MISSING[Language(language)].format(name=name)
        return value

    return Rendered(text=_TOKEN.sub(fill, text), missing=tuple(dict.fromkeys(missing)))


def render_template_for_grievance(template, *, grievance, language: str) -> Rendered:
    """A template's text in `language`, filled from the grievance."""
    return render_text(
        template.text(language), values=placeholder_values(grievance, language=language), language=language
    )
