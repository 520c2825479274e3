"""One definition per figure: docs/metrics.md, `reporting.metrics`, and every surface that shows figures.

The dictionary is written twice, for a reader (docs/metrics.md) and for the reports' own
methodology (`reporting.metrics`, translated in locale/ar): the two must say the same. And a
surface may show no figure the dictionary does not define: the dashboard (page, CSV, XLSX),
the semester report (its frozen data and its tables), the public statistics and the API.
"""

import csv
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from pmpp import roles
from reporting import figures, metrics
from reporting.public import PUBLIC_FIGURES
from reporting.selectors import assemble_semester_report
from reporting.statistics import COUNTS, FIGURES, MEASURES, Statistics
from tests.api.conftest import make_account

pytestmark = pytest.mark.django_db

DOCUMENT = (settings.BASE_DIR / "docs" / "metrics.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^### `([^`]+)` — (.+) · (.+)$", re.MULTILINE)


def _defined(key: str) -> bool:
    return key in metrics.TERMS


def test_the_document_and_the_code_define_the_same_terms_with_the_same_names_and_definitions():
    headings = {key: (french.strip(), arabic.strip()) for key, french, arabic in HEADING.findall(DOCUMENT)}
    assert set(headings) == set(metrics.TERMS), "docs/metrics.md and reporting/metrics.py list different terms"
    for key, term in metrics.TERMS.items():
        with override("fr"):
            french, definition = str(term.name), str(term.definition)
        with override("ar"):
            arabic = str(term.name)
        assert headings[key] == (french, arabic), key
        assert re.search(r"[\u0600-\u06ff]", arabic), f"{key}: no Arabic name"
        assert definition in DOCUMENT, f"{key}: the definition in docs/metrics.md differs from reporting/metrics.py"


def test_every_figure_of_the_statistics_is_a_term_and_every_statistics_term_a_figure():
    assert set(FIGURES) <= set(metrics.TERMS)
    assert set(Statistics().as_dict()) == set(FIGURES)
    # Every count is shown as a figure, and every delay measure as its mean and its median.
    assert set(COUNTS) <= set(FIGURES)
    stats = Statistics()
    for measure in MEASURES:
        stats.delays[measure].count, stats.delays[measure].total, stats.delays[measure].median = 2, 7, 3.0
    shown = {key for key, value in stats.as_dict().items() if isinstance(value, float) and not key.endswith("_rate")}
    assert len(shown) == 2 * len(MEASURES)
    for key in FIGURES:
        term = metrics.TERMS[key]
        if term.fraction:
            assert all(part in FIGURES for part in term.fraction), key


def test_the_dashboard_shows_only_terms_of_the_dictionary(client, walk, omar):
    walk.closed()
    walk.register()
    client.force_login(omar)
    today = timezone.localdate()
    query = {"period": "custom", "start": f"{today:%Y}-01-01", "end": today.isoformat()}
    response = client.get(reverse("reporting:dashboard"), query)
    data = response.context["dashboard"]
    keys = {figure.name for figure in data.figures}
    keys |= {figure.name for group in data.groups for figure in group.figures}
    for breakdown in [*data.breakdowns, data.not_complaint_kinds, data.unfounded_reasons, data.appeals]:
        keys |= set(breakdown.columns)
    assert keys
    assert {key for key in keys if not _defined(key)} == set()
    content = response.content.decode()
    for figure in (figure for group in data.groups for figure in group.figures):
        # The page names each key figure by its dictionary name and gives its definition.
        assert f'id="label-{figure.name}">{metrics.name(figure.name)}</p>' in content.replace("&#x27;", "'")
    assert 'id="dashboard-situation"' in content

    # The flat CSV: its figure columns are the dictionary's names, in the statistics' order.
    export = client.get(reverse("reporting:dashboard_export", args=["csv"]), query)
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert lines[0][2:] == [metrics.name(key) for key in FIGURES]
    assert lines[2][0] == metrics.name("as_of")


def test_the_semester_report_shows_only_terms_of_the_dictionary(walk, leila, workshop, campaign, late_action):
    walk.closed()
    walk.appealed()
    today = timezone.localdate()
    data = assemble_semester_report(user=leila, year=today.year, semester=1 if today.month <= 6 else 2)
    grievances = data["grievances"]
    keys = set(grievances["total"])
    for name, rows in grievances.items():
        if name != "total":
            for row in rows:
                keys |= set(row) - {"key", "names"}
    for section in ("total",):
        keys |= {f"activities.{key}" for key in data["activities"][section]}
    keys |= {f"activities.{key}" for row in data["activities"]["by_type"] for key in row if key != "key"}
    keys |= {f"campaigns.{key}" for key in ("planned", "actual", "execution_rate")}
    keys |= {f"corrective_actions.{key}" for key in ("overdue", "percent_done") if key in data["corrective_actions"][0]}
    keys |= {f"sensitive_cases.{key}" for key in data["sensitive_cases"] if key != "threshold"}
    assert {key for key in keys if not _defined(key)} == set()
    assert data["metadata"]["metrics_version"] == metrics.VERSION
    # The methodology is the dictionary, frozen in both languages.
    for language in ("fr", "ar"):
        assert data["metadata"]["methodology"][language] == metrics.methodology(language)


def test_the_grievance_tables_of_the_report_and_the_dashboard_name_their_columns_by_the_dictionary():
    for columns in (figures.BREAKDOWN, figures.PAGE_BREAKDOWN, figures.NOT_COMPLAINTS, figures.APPEALS):
        assert all(_defined(key) for key in columns)
        assert figures.header(columns) == [metrics.name(key) for key in columns]


def test_the_public_statistics_and_the_api_show_only_terms_of_the_dictionary(client, walk):
    assert all(_defined(key) for key in PUBLIC_FIGURES)
    content = client.get(reverse("reporting:public_statistics")).content.decode()
    for key in PUBLIC_FIGURES:
        assert f">{metrics.name(key)}</th>".replace("'", "&#x27;") in content
    assert 'id="public-situation"' in content

    walk.closed()
    _account, api = make_account(name="centre-appel", channel="call-centre", extra_roles=[roles.AGENT])
    today = timezone.localdate()
    body = api.get(
        "/api/v1/statistics/",
        {"period": "quarter", "year": today.year, "number": (today.month - 1) // 3 + 1, "group_by": "channel"},
    ).json()
    shown = {key for row in body["results"] for key in row} - {"key", "label"}
    assert shown == set(FIGURES)
    assert body["metrics_version"] == metrics.VERSION
