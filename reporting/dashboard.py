"""The grievance dashboard (SPEC §6): key figures, breakdowns and charts for any period.

Every figure comes from `grievance_statistics_by`, which keeps to the user's visibility: an
agent of AMO TADAMON reads AMO TADAMON's figures only, the focal point and ministry staff
read the whole project. The page costs a fixed number of queries (one aggregate and one
delay read per breakdown, plus the reference lists of the filter form), whatever the
number of grievances.

The filter travels in the query string and holds reference data and dates only. The CSV
download is one flat table; the XLSX download has one sheet per section, with native Excel
charts beside the figures (see `export_tables`).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grievances.models import Sex
from pmpp.db_routers import reporting_reads
from pmpp.exports import csv_response
from reporting import charts
from reporting.downloads import tables_xlsx_response
from reporting.forms import DashboardFilterForm
from reporting.selectors import ReportTable
from reporting.statistics import Period, Statistics, grievance_statistics_by

PERMISSION = "grievances.view_grievance"

# (attribute of Statistics, column heading). Shared by the key figures, the tables and the exports.
FIGURES = [
    ("received", gettext_lazy("Demandes reçues")),
    ("complaints", gettext_lazy("dont plaintes")),
    ("not_complaints", gettext_lazy("dont demandes hors plainte")),
    ("founded", gettext_lazy("Fondées")),
    ("unfounded", gettext_lazy("Non fondées")),
    ("treated", gettext_lazy("Traitées")),
    ("open", gettext_lazy("En cours")),
    ("overdue", gettext_lazy("En retard")),
    ("treated_rate", gettext_lazy("% traitées")),
    ("treated_within_deadline_rate", gettext_lazy("% traitées dans le délai")),
    ("average_delay_days", gettext_lazy("Délai moyen (jours)")),
    ("average_delay_hours", gettext_lazy("Délai moyen (heures)")),
    ("median_delay_days", gettext_lazy("Délai médian (jours)")),
    ("median_delay_hours", gettext_lazy("Délai médian (heures)")),
    ("appeals", gettext_lazy("Recours")),
    ("duplicates", gettext_lazy("Doublons rattachés")),
]

# (group_by of grievance_statistics, section title, heading of the label column)
BREAKDOWNS = [
    ("programme", gettext_lazy("Par programme"), gettext_lazy("Programme")),
    ("channel_group", gettext_lazy("Web / non web"), gettext_lazy("Canaux")),
    ("channel", gettext_lazy("Par canal"), gettext_lazy("Canal")),
    ("category", gettext_lazy("Par catégorie"), gettext_lazy("Catégorie")),
    ("region", gettext_lazy("Par région"), gettext_lazy("Région")),
    ("sex", gettext_lazy("Par sexe du plaignant"), gettext_lazy("Sexe")),
]


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    value: int | float | None

    @property
    def unit(self) -> str:
        if self.name.endswith("_rate"):
            return "%"
        if self.name.endswith("_days"):
            return _("j")
        if self.name.endswith("_hours"):
            return _("h")
        return ""


# The breakdown tables of the page give delays in days only, to stay readable; exports give both.
TABLE_FIGURES = [(name, label) for name, label in FIGURES if not name.endswith("_hours")]


@dataclass(frozen=True)
class Row:
    label: str
    stats: Statistics

    @property
    def values(self) -> list:
        return [getattr(self.stats, name) for name, _label in FIGURES]

    @property
    def table_values(self) -> list:
        return [getattr(self.stats, name) for name, _label in TABLE_FIGURES]


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    label_heading: str
    rows: list[Row]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: str
    label_heading: str
    value_heading: str
    rows: list[tuple[str, int | float]]
    description: str = ""


@dataclass(frozen=True)
class Dashboard:
    period: Period
    period_label: str
    overall: Statistics
    figures: list[Figure]
    breakdowns: list[Breakdown]
    months: list[Row]
    charts: list[Chart]


def _month_key(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _months(period: Period) -> list[date]:
    month, months = period.start.replace(day=1), []
    while month <= period.end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _labeller(group: str, form: DashboardFilterForm):
    """How a breakdown's key (a French name, a code, a boolean) is shown in the user's language."""
    by_name = {
        "programme": {programme.name: programme.label for programme in form.programmes},
        "channel": {channel.name: channel.label for channel in form.channels},
        # The statistics name a category « PREFIX · Nom » (programmes share category names).
        "category": {
            f"{category.programme.reference_prefix} · {category.name}": (
                f"{category.programme.reference_prefix} · {category.label}"
            )
            for category in form.categories
        },
        "region": {region.name: region.label for region in form.regions},
    }
    missing = {"category": _("Non catégorisée"), "region": _("Région non renseignée")}

    def label(key) -> str:
        if group == "channel_group":
            return _("Web") if key else _("Non web")
        if group == "sex":
            return str(Sex(key).label) if key in Sex.values else str(key)
        if key is None:
            return missing.get(group, _("Non renseigné"))
        return by_name[group].get(key, key)

    return label


def build_dashboard(*, user, form: DashboardFilterForm, as_of: date | None = None) -> Dashboard:
    """Everything the page and the exports show, for a valid filter form."""
    period, filters = form.get_period(), form.get_filters()

    # One reading of the closed grievances for every breakdown of the page.
    computed = grievance_statistics_by(
        user=user,
        period=period,
        filters=filters,
        group_bys=[None, *(group for group, _title, _heading in BREAKDOWNS), "month"],
        as_of=as_of,
    )

    def statistics(group: str | None) -> dict:
        return computed[group]

    overall = statistics(None).get(None) or Statistics()
    breakdowns = []
    for group, title, heading in BREAKDOWNS:
        label = _labeller(group, form)
        rows = [Row(label(key), stats) for key, stats in statistics(group).items()]
        if group == "channel_group":
            rows.sort(key=lambda row: row.label != _("Web"))
        elif group not in ("programme", "sex"):
            rows.sort(key=lambda row: (-row.stats.received, row.label))
        breakdowns.append(Breakdown(group, str(title), str(heading), rows))
    by_month = {_month_key(key): stats for key, stats in statistics("month").items() if key is not None}
    months = [
        Row(formats.date_format(month, "YEAR_MONTH_FORMAT"), by_month.get(month, Statistics()))
        for month in _months(period)
    ]
    by_key = {breakdown.key: breakdown for breakdown in breakdowns}
    return Dashboard(
        period=period,
        period_label=form.period_label(),
        overall=overall,
        figures=[Figure(name, str(label), getattr(overall, name)) for name, label in FIGURES],
        breakdowns=breakdowns,
        months=months,
        charts=_charts(overall, months, by_key, period_months=_months(period)),
    )


def _charts(overall: Statistics, months: list[Row], by_key: dict, *, period_months: list[date]) -> list[Chart]:
    received = _("Demandes reçues")
    trend = [(month.strftime("%m/%Y"), row.stats.received) for month, row in zip(period_months, months, strict=True)]
    categories = [(row.label, row.stats.received) for row in by_key["category"].rows]
    channels = [(row.label, row.stats.received) for row in by_key["channel"].rows]
    overdue = [(row.label, row.stats.overdue) for row in by_key["programme"].rows]
    on_time = overall.treated_within_deadline
    late = overall.treated - on_time
    descriptions = {
        "chart-trend": _("Nombre de demandes reçues chaque mois de la période, doublons exclus."),
        "chart-category": _("Nombre de demandes reçues dans la période, par catégorie de réclamation."),
        "chart-channel": _("Nombre de demandes reçues dans la période, par canal de réception."),
        "chart-sla": _(
            "Demandes traitées dans la période : clôturées au plus tard à leur échéance, ou après "
            "(date de clôture effective)."
        ),
        "chart-overdue": _(
            "Demandes reçues dans la période, toujours ouvertes et dont l'échéance de traitement est passée."
        ),
    }
    specs = [
        (
            "chart-trend",
            _("Demandes reçues par mois"),
            charts.bar_chart(
                trend,
                chart_id="chart-trend",
                title=_("Demandes reçues par mois"),
                description=descriptions["chart-trend"],
                x_label=_("Mois de réception"),
                y_label=received,
            ),
            _("Mois"),
            received,
            [(row.label, row.stats.received) for row in months],
        ),
        (
            "chart-category",
            _("Demandes reçues par catégorie"),
            charts.horizontal_bar_chart(
                categories,
                chart_id="chart-category",
                title=_("Demandes reçues par catégorie"),
                description=descriptions["chart-category"],
                x_label=received,
                y_label=_("Catégorie"),
            ),
            _("Catégorie"),
            received,
            categories,
        ),
        (
            "chart-channel",
            _("Demandes reçues par canal"),
            charts.bar_chart(
                channels,
                chart_id="chart-channel",
                title=_("Demandes reçues par canal"),
                description=descriptions["chart-channel"],
                x_label=_("Canal de réception"),
                y_label=received,
            ),
            _("Canal"),
            received,
            channels,
        ),
        (
            "chart-sla",
            _("Respect du délai de traitement"),
            charts.sla_chart(
                on_time=on_time,
                late=late,
                chart_id="chart-sla",
                title=_("Respect du délai de traitement"),
                description=descriptions["chart-sla"],
            ),
            _("Délai"),
            _("Demandes traitées"),
            [(_("Traitées dans le délai"), on_time), (_("Traitées en retard"), late)],
        ),
        (
            "chart-overdue",
            _("Demandes en retard par programme"),
            charts.horizontal_bar_chart(
                overdue,
                chart_id="chart-overdue",
                title=_("Demandes en retard par programme"),
                description=descriptions["chart-overdue"],
                x_label=_("Demandes en retard"),
                y_label=_("Programme"),
                fill=charts.LATE_FILL,
            ),
            _("Programme"),
            _("Demandes en retard"),
            overdue,
        ),
    ]
    return [Chart(*spec, description=descriptions[spec[0]]) for spec in specs]


def _form(request: HttpRequest) -> DashboardFilterForm:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return DashboardFilterForm(request.GET, user=request.user)


@login_required
@reporting_reads()
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    data = build_dashboard(user=request.user, form=form) if form.is_valid() else None
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "dashboard": data,
            "figure_headings": [label for _name, label in TABLE_FIGURES],
            "active_filters": form.active_filters() if data else [],
            "export_query": form.querystring() if data else "",
        },
    )


def export_rows(data: Dashboard, form: DashboardFilterForm) -> list[list]:
    """The key figures then every breakdown, one row each, after the period and filters."""
    blank = [None] * len(FIGURES)
    rows = [[_("Période"), data.period_label, *blank]]
    rows += [[_("Filtre : %(name)s") % {"name": name}, value, *blank] for name, value in form.active_filters()]
    rows.append([_("Ensemble"), data.period_label, *Row("", data.overall).values])
    for breakdown in data.breakdowns:
        rows += [[breakdown.title, row.label, *row.values] for row in breakdown.rows]
    rows += [[_("Par mois"), row.label, *row.values] for row in data.months]
    return rows


def export_tables(data: Dashboard, form: DashboardFilterForm) -> list[ReportTable]:
    """The sections of the XLSX download, one sheet each, built like the semester report's tables.

    The keys are those of the semester report where the figures are the same (requests by
    month, programme, category, web or not), so that `downloads.NATIVE_CHARTS` draws the same
    native chart beside them. Each breakdown's first figure column is the requests received,
    which its chart reads; the deadline and backlog tables are those under the page's charts.
    """
    headings = [str(label) for _name, label in FIGURES]
    empty = _("Aucune demande pour ces filtres.")
    by_id = {chart.id: chart for chart in data.charts}
    tables = [
        ReportTable(
            "dashboard",
            _("Chiffres clés"),
            _("Chiffres clés"),
            [_("Indicateur"), _("Valeur")],
            [
                [_("Période"), data.period_label],
                *([_("Filtre : %(name)s") % {"name": name}, value] for name, value in form.active_filters()),
                *([figure.label, figure.value] for figure in data.figures),
            ],
            note=_(
                "Chiffres des demandes reçues dans la période, limités aux programmes que vous pouvez consulter. "
                "Les doublons sont rattachés à la demande d'origine et comptés à part ; les cas sensibles "
                "VBG/EAS/HS n'y figurent jamais. Délais mesurés de la réception à la date de clôture effective."
            ),
        ),
        ReportTable(
            "grievances-by-month",
            _("Par mois"),
            _("Par mois"),
            [_("Mois"), *headings],
            [[row.label, *row.values] for row in data.months],
            note=by_id["chart-trend"].description,
        ),
    ]
    for breakdown in data.breakdowns:
        tables.append(
            ReportTable(
                f"grievances-by-{breakdown.key.replace('_', '-')}",
                breakdown.title,
                breakdown.title,
                [breakdown.label_heading, *headings],
                [[row.label, *row.values] for row in breakdown.rows],
                note="" if breakdown.rows else empty,
            )
        )
    for chart_id, key, sheet in (
        ("chart-sla", "grievances-sla", by_id["chart-sla"].title),
        ("chart-overdue", "grievances-overdue", _("En retard")),
    ):
        chart = by_id[chart_id]
        tables.append(
            ReportTable(
                key,
                chart.title,
                sheet,
                [chart.label_heading, chart.value_heading],
                [[label, value] for label, value in chart.rows],
                note=chart.description if chart.rows else empty,
            )
        )
    return tables


@login_required
@reporting_reads()
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The key figures and breakdowns of the current filter: a flat CSV, or a workbook with charts."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Filtre invalide."))
    data = build_dashboard(user=request.user, form=form)
    filename = f"tableau-de-bord-{data.period.start:%Y%m%d}-{data.period.end:%Y%m%d}"
    if fmt == "csv":
        header = [_("Ventilation"), _("Valeur"), *(str(label) for _name, label in FIGURES)]
        return csv_response(filename=f"{filename}.csv", header=header, rows=export_rows(data, form))
    return tables_xlsx_response(
        filename=f"{filename}.xlsx",
        title=f"{_('Tableau de bord')} — {data.period_label}",
        tables=export_tables(data, form),
    )
