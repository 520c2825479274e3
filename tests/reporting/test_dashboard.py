"""The grievance dashboard (SPEC §6): who reads it, what it shows, and what it costs."""

import io
import re
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmpp.models import Channel, Programme
from reporting import charts
from reporting.forms import current_quarter
from reporting.statistics import Filters, Period, grievance_statistics

pytestmark = pytest.mark.django_db

URL = "/rapports/tableau-de-bord/"
CHART_IDS = ["chart-trend", "chart-category", "chart-channel", "chart-sla", "chart-overdue"]


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
    for name in ("received", "complaints", "not_complaints", "founded", "unfounded", "treated", "open", "overdue"):
        assert _figure(content, name) == str(getattr(expected, name)), name
    assert _figure(content, "duplicates") == "1"
    assert _figure(content, "treated_within_deadline_rate") == str(expected.treated_within_deadline_rate)
    assert _figure(content, "average_delay_hours") == str(expected.average_delay_hours)
    by_programme = grievance_statistics(user=user, period=_custom_period(), group_by="programme")
    table = content[content.index('id="breakdown-programme"') :]
    table = table[: table.index("</table>")]
    assert '<tr data-label="Tayssir"><th scope="row">Tayssir</th><td class="text-end">7</td>' in table
    assert by_programme["Tayssir"].received == 7


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
def test_without_the_grievance_view_permission_the_dashboard_is_forbidden(client, persona, request):
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
    assert [label for label, _value in trend.rows] == ["janvier 2023", "février 2023", "mars 2023"]
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
    assert lines[0].startswith("Ventilation,Valeur,Demandes reçues,dont plaintes")
    assert any(line.startswith("Filtre : Web / non web,Web uniquement") for line in lines)
    overall = next(line for line in lines if line.startswith("Ensemble,"))
    assert overall.split(",")[2] == "2"  # web only
    assert any(line.startswith("Par programme,Tayssir,2,") for line in lines)
    assert any(line.startswith("Par canal,") for line in lines)


def test_the_xlsx_export_is_a_workbook(client, grievances, omar):
    client.force_login(omar)
    response = client.get(reverse("reporting:dashboard_export", args=["xlsx"]), _custom())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    # Constant-memory mode writes the text inline in the sheet.
    assert "Tayssir" in sheet
    assert "Demandes reçues" in sheet
    assert "<f>" not in sheet


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
