"""The grievance dashboard (SPEC §6): key figures, breakdowns and charts for any period.

Every figure is a term of the metric dictionary (docs/metrics.md, `reporting.metrics`),
computed by `reporting.statistics` within the user's visibility: an agent of AMO TADAMON
reads AMO TADAMON's figures only, the focal point and ministry staff read the whole
project. The page costs a fixed number of queries whatever the number of grievances.

The filter travels in the query string and holds reference data and dates only. The page
gives means and medians to 1 decimal, the downloads to 2; every rate comes with its
numerator and denominator. The CSV download is one flat table of every figure; the XLSX
download has one sheet per section, with native Excel charts beside the figures
(`export_tables`). Each states the instant its figures describe (« Situation au »).
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

from pmpp.db_routers import reporting_reads
from pmpp.exports import csv_response
from pmpp.languages import active_language
from reporting import charts, figures, metrics
from reporting.breakdowns import Labeller
from reporting.display import cell
from reporting.downloads import tables_xlsx_response
from reporting.forms import DashboardFilterForm
from reporting.selectors import ReportTable
from reporting.statistics import FIGURES, Period, Statistics, grievance_statistics_by

PERMISSION = "reporting.view_statistics"

# (breakdown of reporting.statistics, section title, heading of the label column)
BREAKDOWNS = [
    ("programme", gettext_lazy("Par programme"), gettext_lazy("Programme")),
    ("channel_group", gettext_lazy("Web / non web"), gettext_lazy("Canaux")),
    ("channel", gettext_lazy("Par canal"), gettext_lazy("Canal")),
    ("category", gettext_lazy("Par catégorie"), gettext_lazy("Catégorie")),
    ("region", gettext_lazy("Par région"), gettext_lazy("Région")),
    ("sex", gettext_lazy("Par sexe du plaignant"), gettext_lazy("Sexe")),
]
_GROUPS = [None, *(group for group, _title, _heading in BREAKDOWNS), "month", "not_complaint_kind", "unfounded_reason"]


@dataclass(frozen=True)
class Figure:
    """One key figure: its dictionary key and name, its value, and how the page writes it."""

    name: str
    label: str
    value: int | float | None
    # A rate with its numerator and denominator (`metrics.Rate`), as the page writes it.
    shown: int | float | None = None

    @property
    def unit(self) -> str:
        if self.name.endswith("_rate"):
            return ""  # the text carries « % » and the fraction
        if self.name.endswith("_days"):
            return _("j")
        if self.name.endswith("_hours"):
            return _("h")
        return ""

    @property
    def text(self) -> str:
        return cell(self.shown if self.shown is not None else self.value, places=1)[0]


@dataclass(frozen=True)
class FigureGroup:
    key: str
    title: str
    figures: list[Figure]


@dataclass(frozen=True)
class Row:
    label: str
    stats: Statistics

    @property
    def figures(self) -> dict:
        return self.stats.as_dict()


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    label_heading: str
    columns: tuple[str, ...]
    rows: list[Row]

    @property
    def headings(self) -> list[str]:
        return figures.header(self.columns)

    @property
    def page_rows(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(label, [(text, tooltip)]) of each row as the page shows it: 1 decimal, rates with their fraction."""
        shown = []
        for row in self.rows:
            cells, values = [], row.figures
            for key in self.columns:
                value = figures.value(values, key, places=1)
                text = cell(value, places=1)[0]
                cells.append((text, text if isinstance(value, metrics.Rate) else ""))
            shown.append((row.label, cells))
        return shown


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
    as_of: datetime
    overall: Statistics
    figures: list[Figure]
    groups: list[FigureGroup]
    breakdowns: list[Breakdown]
    months: list[Row]
    not_complaint_kinds: Breakdown
    unfounded_reasons: Breakdown
    appeals: Breakdown
    charts: list[Chart]

    @property
    def working_days(self) -> bool:
        return figures.uses_working_days(self.overall.as_dict())


def _months(period: Period) -> list[date]:
    month, months = period.start.replace(day=1), []
    while month <= period.end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


# The page gives delays in hours for the whole period and per kind of request only (its
# breakdown tables give days); the downloads give them for every breakdown.
_PAGE_MEDIANS_IN_HOURS = (None, "not_complaint_kind")


def build_dashboard(
    *, user, form: DashboardFilterForm, as_of: datetime | None = None, download: bool = False
) -> Dashboard:
    """Everything the page (or, `download`, the exports) shows, for a valid filter form."""
    period, filters = form.get_period(), form.get_filters()
    as_of = as_of or timezone.now()
    computed = grievance_statistics_by(
        user=user,
        period=period,
        filters=filters,
        group_bys=_GROUPS,
        as_of=as_of,
        medians_in_hours=None if download else _PAGE_MEDIANS_IN_HOURS,
    )
    language = active_language()
    labeller = Labeller(_GROUPS[1:])
    overall = computed[None].get(None) or Statistics()
    working = figures.uses_working_days(overall.as_dict())
    columns = figures.PAGE_BREAKDOWN + (figures.WORKING_DAYS if working else ())

    def rows(group: str) -> list[Row]:
        found = [Row(labeller(group, key).text(language), stats) for key, stats in computed[group].items()]
        if group == "channel_group":
            found.sort(key=lambda row: row.label != labeller("channel_group", True).text(language))
        elif group not in ("programme", "sex"):
            found.sort(key=lambda row: (-row.stats.received, row.label))
        return found

    breakdowns = [
        Breakdown(group, str(title), str(heading), columns, rows(group)) for group, title, heading in BREAKDOWNS
    ]
    by_month = computed["month"]
    months = [
        Row(labeller("month", month).text(language), by_month.get(month, Statistics())) for month in _months(period)
    ]
    values = overall.as_dict()
    key_figures = [
        Figure(name, metrics.name(name), values[name], figures.value(values, name, places=1)) for name in FIGURES
    ]
    by_name = {figure.name: figure for figure in key_figures}
    groups = [
        FigureGroup(
            key,
            str(title),
            [by_name[name] for name in names if working or name not in figures.WORKING_DAYS],
        )
        for key, title, names in figures.KEY_FIGURES
    ]
    kinds = [row for row in rows("not_complaint_kind") if row.stats.not_complaints]
    reasons = [row for row in rows("unfounded_reason") if row.stats.unfounded]
    appeals = [row for row in breakdowns[0].rows if row.stats.appeals]
    by_key = {breakdown.key: breakdown for breakdown in breakdowns}
    return Dashboard(
        period=period,
        period_label=form.period_label(),
        as_of=as_of,
        overall=overall,
        figures=key_figures,
        groups=groups,
        breakdowns=breakdowns,
        months=months,
        not_complaint_kinds=Breakdown(
            "not-complaint-kind", _("Requêtes hors réclamation par type"), _("Type de requête"),
            figures.NOT_COMPLAINTS, kinds,
        ),
        unfounded_reasons=Breakdown(
            "unfounded-reason", _("Réclamations non fondées par motif"), _("Motif"), figures.UNFOUNDED, reasons
        ),
        appeals=Breakdown("appeals", _("Recours par programme"), _("Programme"), figures.APPEALS, appeals),
        charts=_charts(overall, months, by_key, period_months=_months(period)),
    )  # fmt: skip


def _charts(overall: Statistics, months: list[Row], by_key: dict, *, period_months: list[date]) -> list[Chart]:
    received = metrics.name("received")
    trend = [(charts.month_label(month), row.stats.received) for month, row in zip(period_months, months, strict=True)]
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
            "Réclamations traitées (clôture de première instance validée) : clôture retenue au plus tard à "
            "l'échéance, ou après."
        ),
        "chart-overdue": _("Réclamations en cours dont l'échéance de traitement est passée, à la date de situation."),
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
            metrics.name("treated"),
            [(metrics.name("treated_within_deadline"), on_time), (_("Traitées en retard"), late)],
        ),
        (
            "chart-overdue",
            _("Réclamations en retard par programme"),
            charts.horizontal_bar_chart(
                overdue,
                chart_id="chart-overdue",
                title=_("Réclamations en retard par programme"),
                description=descriptions["chart-overdue"],
                x_label=metrics.name("overdue"),
                y_label=_("Programme"),
                fill=charts.LATE_FILL,
            ),
            _("Programme"),
            metrics.name("overdue"),
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
            "active_filters": form.active_filters() if data else [],
            "export_query": form.querystring() if data else "",
        },
    )


def _situation(data: Dashboard) -> str:
    return formats.date_format(timezone.localtime(data.as_of), "d/m/Y H:i")


def export_rows(data: Dashboard, form: DashboardFilterForm) -> list[list]:
    """Every figure of the whole period, then of each breakdown, one row each, after the period,
    the situation instant and the filters. Means, medians and rates to 2 decimals."""
    blank = [None] * len(FIGURES)

    def line(section: str, label: str, stats: Statistics) -> list:
        return [section, label, *figures.values(stats.as_dict(), FIGURES)]

    rows = [[_("Période"), data.period_label, *blank], [metrics.name("as_of"), _situation(data), *blank]]
    rows += [[_("Filtre : %(name)s") % {"name": name}, value, *blank] for name, value in form.active_filters()]
    rows.append(line(_("Ensemble"), data.period_label, data.overall))
    for breakdown in data.breakdowns:
        rows += [line(breakdown.title, row.label, row.stats) for row in breakdown.rows]
    rows += [line(_("Par mois"), row.label, row.stats) for row in data.months]
    for breakdown in (data.not_complaint_kinds, data.unfounded_reasons):
        rows += [line(breakdown.title, row.label, row.stats) for row in breakdown.rows]
    return rows


def export_tables(data: Dashboard, form: DashboardFilterForm) -> list[ReportTable]:
    """The sections of the XLSX download, one sheet each, built like the semester report's tables.

    The keys are those of the semester report where the figures are the same (requests by
    month, programme, category, web or not), so that `downloads.NATIVE_CHARTS` draws the same
    native chart beside them. Each breakdown's first figure column is the requests received,
    which its chart reads; the deadline and backlog tables are those under the page's charts.
    """
    working = data.working_days
    columns = figures.BREAKDOWN + (figures.WORKING_DAYS if working else ())
    headings = figures.header(columns)
    empty = _("Aucune demande pour ces filtres.")
    by_id = {chart.id: chart for chart in data.charts}
    overall = data.overall.as_dict()
    key_rows = [
        [_("Période"), data.period_label],
        [metrics.name("as_of"), _situation(data)],
        *([_("Filtre : %(name)s") % {"name": name}, value] for name, value in form.active_filters()),
    ]
    for group in data.groups:
        key_rows += [[figure.label, figures.value(overall, figure.name)] for figure in group.figures]
    tables = [
        ReportTable(
            "dashboard",
            _("Chiffres clés"),
            _("Chiffres clés"),
            [_("Indicateur"), _("Valeur")],
            key_rows,
            note=_(
                "Définitions : docs/metrics.md (dictionnaire des indicateurs, version %(version)s). Demandes reçues "
                "dans la période, limitées aux programmes que vous pouvez consulter ; doublons comptés à part ; cas "
                "sensibles VBG/EAS/HS jamais comptés. Moyennes, médianes et taux arrondis à 2 décimales."
            )
            % {"version": metrics.VERSION},
        ),
        ReportTable(
            "grievances-by-month",
            _("Par mois"),
            _("Par mois"),
            [_("Mois"), *headings],
            [[row.label, *figures.values(row.figures, columns)] for row in data.months],
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
                [[row.label, *figures.values(row.figures, columns)] for row in breakdown.rows],
                note="" if breakdown.rows else empty,
            )
        )
    sheets = {
        "not-complaint-kind": _("Requêtes par type"),
        "unfounded-reason": _("Non fondées par motif"),
        "appeals": metrics.name("appeals"),
    }
    for breakdown in (data.not_complaint_kinds, data.unfounded_reasons, data.appeals):
        tables.append(
            ReportTable(
                f"grievances-{breakdown.key}",
                breakdown.title,
                sheets[breakdown.key],
                [breakdown.label_heading, *breakdown.headings],
                [[row.label, *figures.values(row.figures, breakdown.columns)] for row in breakdown.rows],
                note="" if breakdown.rows else empty,
            )
        )
    for chart_id, key, sheet in (
        ("chart-sla", "grievances-sla", by_id["chart-sla"].title),
        ("chart-overdue", "grievances-overdue", metrics.name("overdue")),
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
    """The figures and breakdowns of the current filter: a flat CSV, or a workbook with charts."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Filtre invalide."))
    data = build_dashboard(user=request.user, form=form, download=True)
    filename = f"tableau-de-bord-{data.period.start:%Y%m%d}-{data.period.end:%Y%m%d}"
    if fmt == "csv":
        header = [_("Ventilation"), _("Valeur"), *figures.header(FIGURES)]
        return csv_response(filename=f"{filename}.csv", header=header, rows=export_rows(data, form))
    return tables_xlsx_response(
        filename=f"{filename}.xlsx",
        title=f"{_('Tableau de bord')} — {data.period_label}",
        tables=export_tables(data, form),
    )
