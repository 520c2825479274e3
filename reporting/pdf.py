"""The semester report as a PDF (SPEC §6), in French or Arabic, rendered on the server by WeasyPrint.

The PDF carries what the report's page carries — the snapshot once approved, the live
preview of a draft — plus the charts of reporting/charts/html.py drawn as HTML. Its stylesheet
lives in the template: the Content-Security-Policy governs browser pages, not a document
drawn here. Nothing is fetched while rendering: the URL fetcher refuses every URL but
`data:` ones (no network, no file of the server), and fonts come from the system (Amiri
for Arabic, installed by scripts/system-deps.sh).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from pmpp.languages import active_language
from reporting import charts, metrics
from reporting.display import displayed
from reporting.models import SemesterReport
from reporting.selectors import moment

PDF_LANGUAGES = ("fr", "ar")
# Past this many columns a table is printed on a landscape page.
WIDE_TABLE = 10


def _methodology_sections(methodology, language: str) -> list[dict]:
    if not isinstance(methodology, dict):
        return []
    return methodology.get(language) or methodology.get("fr") or []


class DataOnlyURLFetcher(URLFetcher):
    """Fetches `data:` URLs only; any other URL (http, https, file…) is refused, never opened."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        if not str(url).strip().lower().startswith("data:"):
            raise ValueError(f"URL refusée lors du rendu PDF : {url}")
        return super().fetch(url, headers)


def _count(value) -> int | float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _label(row: dict) -> str:
    """A breakdown row's name in the active language: frozen names (schema 2) or the French key (schema 1)."""
    names = row.get("names")
    if isinstance(names, dict):
        return names.get(active_language()) or names.get("fr") or ""
    if row.get("programme"):  # schema 1 categories
        return f"{row.get('programme')} · {row.get('key') or _('Non renseigné')}"
    return row.get("key") or _("Non renseigné")


def _chart_titles() -> dict:
    return {
        "month": _("Demandes reçues par mois"),
        "category": _("Demandes reçues par catégorie"),
        "programme": _("Demandes reçues par programme"),
        "sla": _("Respect du délai de traitement"),
    }


def _charts(data: dict) -> list[tuple[str, str]]:
    """(caption, chart) of each chart of the grievance figures, in the active language.

    Drawn as HTML (`charts.html_*`), not SVG: WeasyPrint lays SVG text out one character at
    a time, so Arabic would come out disjoined and reversed there, while it shapes HTML text
    like any other. In Arabic the charts read right to left, from the active language.
    """
    grievances = data.get("grievances", {})
    received = metrics.name("received")
    months = [
        (charts.month_label(row.get("key", "")), _count(row.get("received"))) for row in grievances.get("by_month", [])
    ]
    categories = [
        (_label(row), _count(row.get("received")))
        for row in grievances.get("by_category", [])
        if _count(row.get("received"))
    ]
    programmes = [(_label(row), _count(row.get("received"))) for row in grievances.get("by_programme", [])]
    total = grievances.get("total", {})
    on_time = _count(total.get("treated_within_deadline"))
    late = max(_count(total.get("treated")) - on_time, 0)
    titles = _chart_titles()
    return [
        (
            titles["month"],
            charts.html_bar_chart(
                months,
                chart_id="pdf-chart-month",
                title=titles["month"],
                description=_("Nombre de demandes reçues chaque mois de la période, doublons exclus."),
                x_label=_("Mois de réception"),
                y_label=received,
            ),
        ),
        (
            titles["category"],
            charts.html_horizontal_bar_chart(
                categories,
                chart_id="pdf-chart-category",
                title=titles["category"],
                description=_("Nombre de demandes reçues dans la période, par catégorie de réclamation."),
                x_label=received,
                y_label=_("Catégorie"),
            ),
        ),
        (
            titles["programme"],
            charts.html_horizontal_bar_chart(
                programmes,
                chart_id="pdf-chart-programme",
                title=titles["programme"],
                x_label=received,
                y_label=_("Programme"),
            ),
        ),
        (
            titles["sla"],
            charts.html_sla_chart(
                on_time=on_time,
                late=late,
                chart_id="pdf-chart-sla",
                title=titles["sla"],
                description=_(
                    "Réclamations traitées : date de clôture retenue au plus tard à l'échéance (dans le délai), ou "
                    "après (en retard)."
                ),
            ),
        ),
    ]


def semester_report_pdf(*, report: SemesterReport, data: dict, tables: list, language: str) -> bytes:
    """The report as PDF bytes. `data` is what the report shows (`semester_report_data`) and
    `tables` its layout (`semester_report_tables`), built in `language`."""
    if language not in PDF_LANGUAGES:
        raise ValueError(f"Langue du PDF inconnue : {language}")
    meta = data.get("metadata", {})
    methodology = meta.get("methodology") or ""
    with override(language):
        # A download: means, medians and rates to 2 decimals (docs/metrics.md).
        blocks = displayed(tables, places=2)
        for block in blocks:
            if block["table"].key == "metadata":
                # The methodology has its own section: the key-value table keeps the rest.
                block["rows"] = [
                    row
                    for row, raw in zip(block["rows"], block["table"].rows, strict=True)
                    if raw[0] != _("Méthodologie")
                ]
            block["wide"] = len(block["table"].header) > WIDE_TABLE
        html = render_to_string(
            "reporting/report_pdf.html",
            {
                "report": report,
                "language": language,
                "rtl": language == "ar",
                "is_draft": report.status != SemesterReport.Status.APPROVED,
                "approver": (report.approved_by.get_full_name() or report.approved_by.username)
                if report.approved_by
                else "",
                "data_generated_at": moment(meta.get("generated_at")),
                "printed_at": timezone.localtime(),
                # Schema 2: the metric dictionary frozen with the report, in the PDF's language;
                # schema 1: the paragraph the report was approved with.
                "methodology": methodology if isinstance(methodology, str) else "",
                "methodology_sections": _methodology_sections(methodology, language),
                "charts": _charts(data),
                "tables": blocks,
            },
        )
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=DataOnlyURLFetcher())
    return document.write_pdf()
