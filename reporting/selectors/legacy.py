"""The grievance tables of a semester report frozen with schema 1, before the metric dictionary:
the columns and labels it was approved with (see reporting/selectors/layout.py)."""

from django.utils.translation import gettext as _

from grievances.models import Sex
from reporting.selectors.cells import ReportTable, choice, month_label


def _legacy_group_label(group: str, key) -> str:
    if key is None:
        return _("Non renseigné")
    if group == "channel_group":
        return _("Canaux web") if key == "web" else _("Canaux hors web")
    if group == "sex":
        return choice(Sex, key)
    if group == "month":
        return month_label(key)
    return str(key)


_LEGACY_FIGURES = (
    "received", "complaints", "not_complaints", "founded", "unfounded", "treated", "treated_rate", "open",
    "overdue", "treated_within_deadline_rate", "average_delay_days", "median_delay_days", "appeals", "duplicates",
)  # fmt: skip


def _legacy_grievance_header(first: str) -> list[str]:
    return [
        first,
        _("Requêtes reçues"),
        _("dont réclamations"),
        _("Hors réclamation"),
        _("Fondées"),
        _("Non fondées"),
        _("Traitées"),
        _("Traitées (%)"),
        _("En cours"),
        _("En retard"),
        _("Traitées dans le délai (%)"),
        _("Délai moyen (jours)"),
        _("Délai médian (jours)"),
        _("Recours"),
        _("Doublons (non comptés)"),
    ]


def legacy_grievance_tables(grievances: dict, meta: dict) -> list[ReportTable]:
    """The grievance tables of a report frozen with schema 1, as they were approved."""

    def row(label: str, s: dict) -> list:
        return [label, *(s.get(name) for name in _LEGACY_FIGURES)]

    tables = [
        ReportTable(
            "grievances",
            _("Réclamations — ensemble du semestre"),
            _("Réclamations"),
            _legacy_grievance_header(_("Période")),
            [row(meta.get("label", ""), grievances.get("total", {}))],
            note=_(
                "Hors doublons et hors cas sensibles VBG/EAS/HS ; délais selon la date de clôture retenue (§6.3.2)."
            ),
        )
    ]
    breakdowns = (
        ("by_programme", "programme", _("Réclamations par programme"), _("Récl. par programme"), _("Programme")),
        ("by_channel_group", "channel_group", _("Réclamations web et hors web"), _("Récl. web - hors web"), _("Canal")),
        ("by_region", "region", _("Réclamations par région"), _("Récl. par région"), _("Région")),
        ("by_sex", "sex", _("Réclamations par sexe du réclamant"), _("Récl. par sexe"), _("Sexe")),
        ("by_month", "month", _("Réclamations par mois de réception"), _("Récl. par mois"), _("Mois")),
    )
    for name, group, title, sheet, first in breakdowns:
        rows = [row(_legacy_group_label(group, item.get("key")), item) for item in grievances.get(name, [])]
        tables.append(
            ReportTable(f"grievances-{name.replace('_', '-')}", title, sheet, _legacy_grievance_header(first), rows)
        )
        if name == "by_programme":
            tables.append(
                ReportTable(
                    "grievances-by-category",
                    _("Réclamations par catégorie"),
                    _("Récl. par catégorie"),
                    _legacy_grievance_header(_("Programme · catégorie")),
                    [
                        row(f"{item.get('programme')} · {_legacy_group_label('category', item.get('key'))}", item)
                        for item in grievances.get("by_category", [])
                    ],
                )
            )
    return tables
