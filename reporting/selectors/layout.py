"""Layout of the semester report: the tables shown on screen and downloaded (SPEC §6).

`semester_report_tables` lays assembled data or a frozen snapshot out as tables in the
reader's language, so that the page and the files always carry the same figures. A
snapshot of schema 2 is laid out from the metric dictionary (`reporting.figures`,
`reporting.metrics`) with the names it froze in French and Arabic; one of schema 1, frozen
before the dictionary, keeps the columns and the methodology it was approved with.
"""

from django.utils.translation import gettext as _

from grievances.models import SensitiveCase
from pmpp.languages import active_language
from reporting import figures, metrics
from reporting.models import semester_label
from reporting.selectors.cells import ReportTable, amount, choice, day, moment, month_label, text
from reporting.selectors.legacy import legacy_grievance_tables
from stakeholders.models import CorrectiveAction, EngagementActivity


def _period_label(meta: dict) -> str:
    if meta.get("year") and meta.get("semester"):
        return semester_label(year=meta["year"], semester=meta["semester"])
    return meta.get("label", "")


def _participants_header(first: str) -> list[str]:
    return [
        first,
        metrics.name("activities.activities"),
        metrics.name("activities.women"),
        metrics.name("activities.men"),
        metrics.name("activities.unspecified"),
        metrics.name("activities.total"),
        metrics.name("activities.vulnerable"),
    ]


def _participants_row(label: str, p: dict) -> list:
    return [label, *(p.get(name) for name in ("activities", "women", "men", "unspecified", "total", "vulnerable"))]


def semester_report_tables(data: dict) -> list[ReportTable]:
    """The report as tables, in the user's language, from assembled data or a snapshot."""
    meta = data.get("metadata", {})
    schema = meta.get("schema", 1)
    if schema >= 2:
        situation = [[metrics.name("as_of"), moment(meta.get("generated_at"))]]
        method = [
            [
                _("Méthodologie"),
                _("Dictionnaire des indicateurs, version %(version)s : voir la feuille « Méthodologie ».")
                % {"version": meta.get("metrics_version")},
            ]
        ]
    else:
        situation = [
            [_("Données calculées le"), moment(meta.get("generated_at"))],
            [_("Situation au"), day(meta.get("as_of"))],
        ]
        method = [[_("Méthodologie"), meta.get("methodology")]]
    tables = [
        ReportTable(
            "metadata",
            _("Le rapport"),
            _("Rapport"),
            [_("Rubrique"), _("Valeur")],
            [
                [_("Période"), _period_label(meta)],
                [_("Du"), day(meta.get("period_start"))],
                [_("Au"), day(meta.get("period_end"))],
                *situation,
                *method,
            ],
        )
    ]
    grievances = data.get("grievances", {})
    tables += _grievance_tables(grievances) if schema >= 2 else legacy_grievance_tables(grievances, meta)

    activities = data.get("activities", {})
    tables.append(
        ReportTable(
            "activities-by-type",
            _("Activités de mobilisation par type"),
            _("Activités par type"),
            _participants_header(_("Type")),
            [
                *(
                    _participants_row(choice(EngagementActivity.Type, row.get("key")), row)
                    for row in activities.get("by_type", [])
                ),
                _participants_row(_("Total"), activities.get("total", {})),
            ],
        )
    )
    tables.append(
        ReportTable(
            "activities-by-programme",
            _("Activités de mobilisation par programme"),
            _("Activités par programme"),
            _participants_header(_("Programme")),
            [
                _participants_row(text(row.get("names") or row.get("key")) or _("Sans programme"), row)
                for row in activities.get("by_programme", [])
            ],
            note=_("Une activité concernant plusieurs programmes est comptée pour chacun d'eux."),
        )
    )
    tables.append(
        ReportTable(
            "activities",
            _("Activités tenues pendant le semestre"),
            _("Activités"),
            [
                _("Intitulé"),
                _("Type"),
                _("Début"),
                _("Fin"),
                _("Lieu"),
                _("Programmes"),
                _("Femmes"),
                _("Hommes"),
                _("Sexe non précisé"),
                _("Total participants"),
                _("Participants vulnérables"),
            ],
            [
                [
                    a.get("title"),
                    choice(EngagementActivity.Type, a.get("type")),
                    day(a.get("start_date")),
                    day(a.get("end_date")),
                    a.get("place") or (_("En ligne") if a.get("online") else None),
                    ", ".join(text(name) for name in a.get("programmes", [])) or None,
                    a.get("women"),
                    a.get("men"),
                    a.get("unspecified"),
                    a.get("total"),
                    a.get("vulnerable"),
                ]
                for a in activities.get("items", [])
            ],
        )
    )
    tables.append(
        ReportTable(
            "concerns",
            _("Préoccupations soulevées et réponses apportées"),
            _("Préoccupations"),
            [
                _("Thème"),
                _("Soulevée par"),
                _("Activité"),
                _("Date"),
                _("Préoccupation ou avis"),
                _("Réponse apportée"),
                _("Action de suivi"),
            ],
            [
                [
                    c.get("theme"),
                    text(c.get("group")),
                    c.get("activity_title"),
                    day(c.get("activity_date")),
                    c.get("description"),
                    c.get("answer") or None,
                    c.get("follow_up_action"),
                ]
                for c in data.get("concerns", [])
            ],
        )
    )
    campaigns = data.get("campaigns", {})
    tables.append(
        ReportTable(
            "campaigns",
            _("Campagnes de communication et exécution budgétaire (MAD TTC)"),
            _("Campagnes"),
            [
                _("Campagne"),
                _("Programme"),
                _("Organisme responsable"),
                _("Début"),
                _("Fin"),
                _("Budget prévu"),
                _("Dépense réelle"),
                _("Taux d'exécution (%)"),
            ],
            [
                *(
                    [
                        c.get("title"),
                        text(c.get("programme")),
                        text(c.get("responsible")),
                        day(c.get("start_date")),
                        day(c.get("end_date")),
                        amount(c.get("planned")),
                        amount(c.get("actual")),
                        amount(c.get("execution_rate")),
                    ]
                    for c in campaigns.get("items", [])
                ),
                [
                    _("Total"),
                    None,
                    None,
                    None,
                    None,
                    amount(campaigns.get("planned_total")),
                    amount(campaigns.get("actual_total")),
                    amount(campaigns.get("execution_rate")),
                ],
            ],
        )
    )
    tables.append(
        ReportTable(
            "corrective-actions",
            _("Actions correctives et leur avancement"),
            _("Actions correctives"),
            [
                _("Action"),
                _("Programme"),
                _("Responsable"),
                _("État"),
                _("Échéance"),
                _("Réalisée le"),
                _("En retard"),
                _("Dernière note d'avancement"),
                _("Note du"),
                _("Avancement (%)"),
            ],
            [
                [
                    a.get("title"),
                    text(a.get("programme")),
                    " — ".join(filter(None, [text(a.get("owner")), a.get("owner_name")])),
                    choice(CorrectiveAction.Status, a.get("status")),
                    day(a.get("due_on")),
                    day(a.get("completed_on")),
                    _("Oui") if a.get("overdue") else _("Non"),
                    a.get("latest_note"),
                    day(a.get("latest_note_at")),
                    a.get("percent_done"),
                ]
                for a in data.get("corrective_actions", [])
            ],
        )
    )
    sensitive = data.get("sensitive_cases", {})
    tables.append(
        ReportTable(
            "sensitive-cases",
            _("Plaintes VBG/EAS/HS — agrégats anonymes"),
            _("VBG-EAS-HS"),
            [_("Indicateur"), _("Nombre")],
            [
                [metrics.name("sensitive_cases.received"), sensitive.get("received")],
                [metrics.name("sensitive_cases.referred"), sensitive.get("referred")],
                [metrics.name("sensitive_cases.referred_within_deadline"), sensitive.get("referred_within_deadline")],
                *(
                    [
                        _("Auteur présumé lié au projet : %(answer)s")
                        % {"answer": choice(SensitiveCase.Linked, row.get("key"))},
                        row.get("count"),
                    ]
                    for row in sensitive.get("by_perpetrator_linked", [])
                ),
            ],
            note=_(
                "« <5 » : effectif inférieur à 5, masqué ; « n.c. » : masqué pour qu'un petit effectif ne puisse "
                "pas être retrouvé par différence. Aucune donnée individuelle n'est présentée."
            ),
        )
    )

    if schema >= 2:
        tables.append(methodology_table(meta))
    return tables


def methodology_table(meta: dict) -> ReportTable:
    """The dictionary the report was assembled with, in the reader's language, as frozen."""
    sections = (meta.get("methodology") or {}).get(active_language()) or (meta.get("methodology") or {}).get("fr") or []
    rows: list[list] = []
    for section in sections:
        rows.append([section["title"], None])
        rows += [[name, definition] for name, definition in section["terms"]]
    return ReportTable(
        "methodology",
        _("Méthodologie : le dictionnaire des indicateurs (version %(version)s)")
        % {"version": meta.get("metrics_version")},
        _("Méthodologie"),
        [_("Indicateur"), _("Définition")],
        rows,
        note=_(
            "Les rapports approuvés avant la version 2 du dictionnaire gardent leurs chiffres et leur méthodologie ; "
            "ce rapport applique la version indiquée."
        ),
    )


# --- grievances, schema 2: the metric dictionary -----------------------------------------------------------


def _grievance_tables(grievances: dict) -> list[ReportTable]:
    total = grievances.get("total", {})
    working = figures.uses_working_days(total)
    columns = figures.BREAKDOWN + (figures.WORKING_DAYS if working else ())
    headings = figures.header(columns)

    def rows(name: str, group: str, keys=columns) -> list[list]:
        found = []
        for row in grievances.get(name, []):
            label = month_label(row["key"]) if group == "month" else text(row.get("names"))
            found.append([label, *figures.values(row, keys)])
        return found

    tables = [
        ReportTable(
            "grievances",
            _("Réclamations — ensemble du semestre"),
            _("Réclamations"),
            [_("Période"), *headings],
            [[_("Ensemble du semestre"), *figures.values(total, columns)]],
            note=_(
                "Demandes reçues dans le semestre, hors doublons et hors cas sensibles VBG/EAS/HS ; chiffres des "
                "réclamations en première instance, selon la méthodologie (dictionnaire des indicateurs)."
            ),
        )
    ]
    breakdowns = (
        ("by_programme", "programme", _("Réclamations par programme"), _("Récl. par programme"), _("Programme")),
        (
            "by_category",
            "category",
            _("Réclamations par catégorie"),
            _("Récl. par catégorie"),
            _("Programme · catégorie"),
        ),
        ("by_channel_group", "channel_group", _("Réclamations web et hors web"), _("Récl. web - hors web"), _("Canal")),
        ("by_region", "region", _("Réclamations par région"), _("Récl. par région"), _("Région")),
        ("by_sex", "sex", _("Réclamations par sexe du réclamant"), _("Récl. par sexe"), _("Sexe")),
        ("by_month", "month", _("Réclamations par mois de réception"), _("Récl. par mois"), _("Mois")),
    )
    for name, group, title, sheet, first in breakdowns:
        tables.append(
            ReportTable(f"grievances-{name.replace('_', '-')}", title, sheet, [first, *headings], rows(name, group))
        )
    tables.append(
        ReportTable(
            "grievances-by-not-complaint-kind",
            _("Requêtes hors réclamation par type"),
            _("Requêtes par type"),
            [_("Type de requête"), *figures.header(figures.NOT_COMPLAINTS)],
            [
                [_("Ensemble du semestre"), *figures.values(total, figures.NOT_COMPLAINTS)],
                *rows("by_not_complaint_kind", "not_complaint_kind", figures.NOT_COMPLAINTS),
            ],
        )
    )
    tables.append(
        ReportTable(
            "grievances-by-unfounded-reason",
            _("Réclamations non fondées par motif"),
            _("Non fondées par motif"),
            [_("Motif"), *figures.header(figures.UNFOUNDED)],
            [
                [_("Ensemble du semestre"), *figures.values(total, figures.UNFOUNDED)],
                *rows("by_unfounded_reason", "unfounded_reason", figures.UNFOUNDED),
            ],
        )
    )
    tables.append(
        ReportTable(
            "grievances-appeals",
            _("Recours (sur leur propre délai)"),
            _("Recours"),
            [_("Programme"), *figures.header(figures.APPEALS)],
            [
                [_("Ensemble du semestre"), *figures.values(total, figures.APPEALS)],
                *(row for row in rows("by_programme", "programme", figures.APPEALS) if row[1]),
            ],
            note=_(
                "Un recours a sa propre échéance et son propre délai (du recours à la décision du réexamen) ; il ne "
                "change aucun chiffre de la première instance."
            ),
        )
    )
    return tables
