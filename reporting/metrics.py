"""The metric dictionary: one definition per figure, for every surface (docs/metrics.md).

The dashboard, the semester report and its snapshot, the public statistics, the statistics
API and every download show figures under these keys and no other; their names and
definitions here are the ones the reports print as their methodology, in French or in
Arabic (locale/ar). docs/metrics.md is the same dictionary for a reader, with the notes a
table cannot hold; a test keeps the two in step.

Version 2 (2026-12): complaint figures concern qualified complaints only, « à qualifier »
is its own figure, the treated are the complaints whose first-instance closure is
validated, delays are whole days of local dates and exact hours, and appeals run on their
own clock. Reports frozen before it keep their figures and their methodology (schema 1).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

VERSION = 2


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    definition: str
    # For a rate: the keys of its numerator and denominator, shown next to it.
    fraction: tuple[str, str] | None = None


@dataclass(frozen=True)
class Section:
    title: str
    terms: tuple[Term, ...]


SECTIONS = (
    Section(
        _("Population et volumes"),
        (
            Term(
                "received",
                _("Demandes reçues"),
                _(
                    "Toutes les demandes dont la date de réception (§6.3.1, date locale de Casablanca) tombe dans "
                    "la période, bornes comprises, hors doublons et hors cas sensibles VBG/EAS/HS. Demandes "
                    "reçues = réclamations + requêtes hors réclamation + à qualifier."
                ),
            ),
            Term(
                "complaints",
                _("Réclamations"),
                _(
                    "Demandes reçues qualifiées comme réclamations (opération 1). Tous les chiffres de "
                    "traitement (traitées, en cours, en retard, délais, taux) ne portent que sur elles."
                ),
            ),
            Term(
                "not_complaints",
                _("Requêtes hors réclamation"),
                _(
                    "Demandes qualifiées comme requêtes (§6.2.3 : recouvrement d'indu notifié, demande de "
                    "service ou de prestation, demande d'information, d'éclaircissement ou d'avis), comptées "
                    "par type ; elles n'entrent dans aucun chiffre des réclamations."
                ),
            ),
            Term(
                "to_qualify",
                _("À qualifier"),
                _(
                    "Demandes reçues que personne n'a encore qualifiées. Chiffre à part : une demande à qualifier "
                    "n'est comptée ni parmi les réclamations ni parmi les requêtes."
                ),
            ),
            Term(
                "duplicates",
                _("Doublons rattachés"),
                _(
                    "Demandes de la période rattachées à une réclamation ouverte de la même personne sur le même "
                    "objet : comptées à part, jamais parmi les demandes reçues."
                ),
            ),
        ),
    ),
    Section(
        _("Conclusion des réclamations"),
        (
            Term(
                "founded",
                _("Fondées"),
                _(
                    "Réclamations dont le dernier résultat connu est « fondée » : celui de l'analyse, du retour "
                    "de l'organisme partenaire ou du réexamen sur recours qui l'a changé."
                ),
            ),
            Term(
                "unfounded",
                _("Non fondées"),
                _(
                    "Réclamations dont le dernier résultat connu est « non fondée », avec son motif (§6.2.3, "
                    "§6.3.4) ; elles sont aussi ventilées par motif."
                ),
            ),
            Term(
                "awaiting_conclusion",
                _("En attente de conclusion"),
                _(
                    "Réclamations sans résultat à la date de situation. Fondées + non fondées + en attente de "
                    "conclusion = réclamations."
                ),
            ),
        ),
    ),
    Section(
        _("Traitement des réclamations (première instance)"),
        (
            Term(
                "treated",
                _("Réclamations traitées"),
                _(
                    "Réclamations dont la clôture de première instance a été validée (opération 4). Un recours "
                    "ne les retire pas des traitées."
                ),
            ),
            Term(
                "treated_rate",
                _("% traitées"),
                _("Réclamations traitées ÷ réclamations, en pourcentage."),
                fraction=("treated", "complaints"),
            ),
            Term(
                "open",
                _("En cours"),
                _("Réclamations non traitées. Traitées + en cours = réclamations."),
            ),
            Term(
                "overdue",
                _("En retard"),
                _(
                    "Réclamations en cours dont l'échéance de traitement (§6.2.2, §6.3.3 : 10 jours, 60 jours pour "
                    "le Médiateur du Royaume, à compter de la date de réception) est passée à la date de situation."
                ),
            ),
            Term(
                "treated_within_deadline",
                _("Traitées dans le délai"),
                _(
                    "Réclamations traitées dont la date de clôture retenue (§6.3.2 : sans engagement, la "
                    "validation de la clôture ; engagement honoré, sa date de notification ; engagement non "
                    "honoré, la date de réalisation effective du traitement) tombe au plus tard le jour de "
                    "l'échéance, en dates locales : le jour 10 à 17 h est dans le délai, le jour 11 à 8 h en retard."
                ),
            ),
            Term(
                "treated_within_deadline_rate",
                _("% traitées dans le délai"),
                _("Réclamations traitées dans le délai ÷ réclamations traitées, en pourcentage."),
                fraction=("treated_within_deadline", "treated"),
            ),
            Term(
                "average_delay_days",
                _("Délai moyen de traitement (jours)"),
                _(
                    "Moyenne, sur les réclamations traitées, de la date locale de la clôture retenue moins la date "
                    "de réception, en jours entiers (l'unité de l'échéance)."
                ),
            ),
            Term(
                "median_delay_days",
                _("Délai médian de traitement (jours)"),
                _(
                    "Médiane des mêmes délais en jours ; pour un nombre pair de réclamations, la moyenne des deux "
                    "valeurs du milieu."
                ),
            ),
            Term(
                "average_delay_working_days",
                _("Délai moyen de traitement (jours ouvrés)"),
                _(
                    "Pour les réclamations traitées relevant d'une politique de délai en jours ouvrés : moyenne du "
                    "nombre de jours ouvrés (hors samedi, dimanche et jours fériés) après la date de réception, "
                    "jusqu'à la date de clôture retenue incluse."
                ),
            ),
            Term(
                "median_delay_working_days",
                _("Délai médian de traitement (jours ouvrés)"),
                _("Médiane des mêmes délais en jours ouvrés."),
            ),
            Term(
                "average_delay_hours",
                _("Délai moyen de traitement (heures)"),
                _(
                    "Moyenne du temps écoulé exact entre l'instant de réception et l'instant de la clôture "
                    "retenue, calculé en temps universel : juste à travers les changements d'heure du Ramadan."
                ),
            ),
            Term(
                "median_delay_hours",
                _("Délai médian de traitement (heures)"),
                _("Médiane des mêmes temps écoulés, en heures."),
            ),
        ),
    ),
    Section(
        _("Requêtes hors réclamation"),
        (
            Term(
                "not_complaint_average_delay_days",
                _("Délai moyen de réponse aux requêtes (jours)"),
                _(
                    "Moyenne, sur les requêtes hors réclamation répondues, de la date locale de la réponse moins "
                    "la date de réception, en jours entiers."
                ),
            ),
            Term(
                "not_complaint_median_delay_days",
                _("Délai médian de réponse aux requêtes (jours)"),
                _("Médiane des mêmes délais en jours."),
            ),
            Term(
                "not_complaint_average_delay_hours",
                _("Délai moyen de réponse aux requêtes (heures)"),
                _("Moyenne du temps écoulé exact entre la réception et la réponse, en heures."),
            ),
            Term(
                "not_complaint_median_delay_hours",
                _("Délai médian de réponse aux requêtes (heures)"),
                _("Médiane des mêmes temps écoulés, en heures."),
            ),
        ),
    ),
    Section(
        _("Recours"),
        (
            Term(
                "appeals",
                _("Recours déposés"),
                _(
                    "Réclamations de la période dont le réclamant a fait un recours (§6.1). Le recours a sa propre "
                    "échéance, comptée à partir de sa date selon la politique du programme, et ne change jamais "
                    "l'échéance, la date de clôture retenue, le délai ni le respect du délai de la première instance."
                ),
            ),
            Term(
                "appeals_pending",
                _("Recours en attente de décision"),
                _("Recours pas encore réexaminés. En attente + confirmés + infirmés = recours déposés."),
            ),
            Term(
                "appeals_upheld",
                _("Recours : décision confirmée"),
                _("Recours dont le réexamen confirme le résultat de la première instance."),
            ),
            Term(
                "appeals_reversed",
                _("Recours : décision infirmée"),
                _("Recours dont le réexamen change le résultat (fondée ↔ non fondée)."),
            ),
            Term(
                "appeals_overdue",
                _("Recours en retard"),
                _("Recours en attente de décision dont l'échéance est passée à la date de situation."),
            ),
            Term(
                "appeals_reviewed_within_deadline",
                _("Recours réexaminés dans le délai"),
                _("Recours dont la date locale de la décision est au plus tard le jour de leur échéance."),
            ),
            Term(
                "appeal_average_delay_days",
                _("Délai moyen de réexamen des recours (jours)"),
                _("Moyenne, sur les recours réexaminés, de la date de la décision moins la date du recours."),
            ),
            Term(
                "appeal_median_delay_days",
                _("Délai médian de réexamen des recours (jours)"),
                _("Médiane des mêmes délais en jours."),
            ),
        ),
    ),
    Section(
        _("Situation, ventilations et arrondis"),
        (
            Term(
                "as_of",
                _("Situation au"),
                _(
                    "L'instant que décrivent les chiffres, indiqué sur chaque page et dans chaque téléchargement ; "
                    "« en retard » s'apprécie à sa date locale."
                ),
            ),
            Term(
                "breakdowns",
                _("Ventilations"),
                _(
                    "Par programme, canal, canaux web ou hors web, catégorie (par programme), région, sexe du "
                    "réclamant, mois de réception, type de requête et motif de non-fondement. Les chiffres d'une "
                    "ventilation s'additionnent pour donner ceux de l'ensemble (sauf les taux, délais et médianes)."
                ),
            ),
            Term(
                "rounding",
                _("Arrondis"),
                _(
                    "Moyennes et médianes calculées exactement, puis arrondies à 2 décimales dans les "
                    "téléchargements et à 1 décimale à l'écran ; un taux est toujours accompagné de son numérateur "
                    "et de son dénominateur."
                ),
            ),
        ),
    ),
    Section(
        _("Cas sensibles VBG/EAS/HS (agrégats anonymes)"),
        (
            Term(
                "sensitive_cases.received",
                _("Cas reçus"),
                _(
                    "Cas sensibles reçus dans la période, dans les programmes du lecteur ; jamais comptés parmi les "
                    "demandes. Tout effectif inférieur à 5 est remplacé par « <5 », et un effectif qui permettrait "
                    "de le retrouver par différence par « n.c. »."
                ),
            ),
            Term(
                "sensitive_cases.referred",
                _("Cas orientés vers un prestataire spécialisé"),
                _("Cas de la période orientés vers un prestataire de services spécialisé."),
            ),
            Term(
                "sensitive_cases.referred_within_deadline",
                _("Cas orientés dans le délai"),
                _("Cas orientés au plus tard 24 heures après leur réception."),
            ),
            Term(
                "sensitive_cases.by_perpetrator_linked",
                _("Auteur présumé lié au projet"),
                _("Cas de la période selon que l'auteur présumé est lié au projet : oui, non, ne sait pas."),
            ),
        ),
    ),
    Section(
        _("Mobilisation des parties prenantes"),
        (
            Term(
                "activities.activities",
                _("Activités"),
                _(
                    "Activités de mobilisation commencées dans la période ; une activité concernant plusieurs "
                    "programmes est comptée pour chacun d'eux."
                ),
            ),
            Term("activities.women", _("Femmes"), _("Participantes aux activités de la période.")),
            Term("activities.men", _("Hommes"), _("Participants aux activités de la période.")),
            Term(
                "activities.unspecified",
                _("Sexe non précisé"),
                _("Participants dont le sexe n'a pas été relevé."),
            ),
            Term(
                "activities.total",
                _("Total participants"),
                _("Femmes + hommes + sexe non précisé."),
            ),
            Term(
                "activities.vulnerable",
                _("Participants vulnérables"),
                _("Participants issus des groupes vulnérables du §3.3, parmi le total."),
            ),
            Term(
                "campaigns.planned",
                _("Budget prévu"),
                _("Somme des lignes budgétaires des campagnes actives dans la période, en MAD TTC."),
            ),
            Term(
                "campaigns.actual",
                _("Dépense réelle"),
                _("Somme des dépenses réelles des mêmes lignes, en MAD TTC."),
            ),
            Term(
                "campaigns.execution_rate",
                _("Taux d'exécution (%)"),
                _("Dépense réelle ÷ budget prévu, en pourcentage."),
                fraction=("campaigns.actual", "campaigns.planned"),
            ),
            Term(
                "corrective_actions.overdue",
                _("Action corrective en retard"),
                _("Action non terminée dont l'échéance est passée à la date de situation."),
            ),
            Term(
                "corrective_actions.percent_done",
                _("Avancement (%)"),
                _("Avancement déclaré dans la dernière note d'avancement de l'action."),
            ),
        ),
    ),
)

TERMS = {term.key: term for section in SECTIONS for term in section.terms}


def term(key: str) -> Term:
    return TERMS[key]


def name(key: str) -> str:
    """The figure's name in the active language."""
    return str(TERMS[key].name)


def methodology(language: str) -> list[dict]:
    """The dictionary in `language`, as JSON-ready sections: what a report prints as its methodology."""
    with override(language):
        return [
            {
                "title": str(section.title),
                "terms": [[str(item.name), str(item.definition)] for item in section.terms],
            }
            for section in SECTIONS
        ]


class Rate(float):
    """A percentage that knows its numerator and denominator: a number wherever a number goes
    (exports write it as one), shown with its fraction in the report's tables and tooltips."""

    numerator: int
    denominator: int

    def __new__(cls, value: float, *, numerator: int, denominator: int) -> "Rate":
        rate = super().__new__(cls, value)
        rate.numerator, rate.denominator = numerator, denominator
        return rate

    def __reduce__(self):
        return (_rate, (float(self), self.numerator, self.denominator))


def _rate(value: float, numerator: int, denominator: int) -> Rate:
    return Rate(value, numerator=numerator, denominator=denominator)


def rate(values: dict, key: str, *, places: int = 2) -> Rate | None:
    """The rate `key` of a figures dict (a `Statistics.as_dict()` or a snapshot's row), rounded
    to `places`, with its numerator and denominator; None when the denominator is 0."""
    numerator_key, denominator_key = TERMS[key].fraction
    numerator, denominator = values.get(numerator_key.split(".")[-1]), values.get(denominator_key.split(".")[-1])
    value = values.get(key.split(".")[-1])
    if value is None or not isinstance(numerator, int) or not isinstance(denominator, int):
        return None
    return Rate(round(value, places), numerator=numerator, denominator=denominator)


def rounded(value, places: int = 2):
    """A figure as downloads carry it: floats to `places` decimals, counts as they are."""
    if isinstance(value, float) and not isinstance(value, Rate):
        return round(value, places)
    return value
