"""The charts of the dashboard and of the semester-report PDF: mirrored in Arabic, escaped, Arabic in the PDF."""

import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date
from types import SimpleNamespace

import pypdf
import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from weasyprint import HTML

from reporting import charts

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [("janv.", 3), ("févr.", 12), ("mars", 7), ("avr.", 1)]
SCRIPT = "<script>alert(1)</script>"


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 — SVG the chart functions just drew, not untrusted input


def _bars(root: ET.Element) -> list[ET.Element]:
    """The <rect> of each bar, in the order of the data."""
    return [group.find(f"{SVG}rect") for group in root.iter(f"{SVG}g") if group.get("class") == "chart-bar"]


def _value_axis_x(root: ET.Element) -> float:
    """x of the vertical axis line (the value axis of a vertical chart, the label axis of a horizontal one)."""
    axes = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "chart-axes")
    vertical = next(line for line in axes.iter(f"{SVG}line") if line.get("x1") == line.get("x2"))
    return float(vertical.get("x1"))


def _tick_labels_x(root: ET.Element) -> list[float]:
    """x of the value-axis tick labels (the texts drawn outside any bar or axis-title group)."""
    return [float(text.get("x")) for text in root.findall(f"{SVG}text")]


# --- right to left -----------------------------------------------------------------------------------------


def test_a_mirrored_bar_chart_reads_from_right_to_left_with_its_value_axis_on_the_right():
    root = _svg(charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y", rtl=True))
    width = float(root.get("width"))
    bars = _bars(root)
    lefts = [float(bar.get("x")) for bar in bars]
    assert lefts == sorted(lefts, reverse=True)  # the first datum at the right, the last at the left
    assert lefts[0] > lefts[-1]
    axis = _value_axis_x(root)
    assert axis > width / 2
    assert all(axis >= left + float(bar.get("width")) for left, bar in zip(lefts, bars, strict=True))
    ticks = _tick_labels_x(root)
    assert ticks
    assert all(x > axis for x in ticks)
    assert root.get("direction") == "rtl"
    assert 'transform="rotate(90 ' in str(
        charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y", rtl=True)
    )


def test_a_left_to_right_bar_chart_keeps_its_geometry():
    markup = charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y", rtl=False)
    root = _svg(markup)
    lefts = [float(bar.get("x")) for bar in _bars(root)]
    assert lefts == sorted(lefts)
    axis = _value_axis_x(root)
    assert axis == 64
    assert all(x < axis for x in _tick_labels_x(root))
    assert root.get("direction") == "ltr"


def test_mirroring_is_an_exact_reflection():
    """Every bar of the mirrored chart is where the left-to-right one's would be seen in a mirror."""
    ltr = _svg(charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y", rtl=False))
    rtl = _svg(charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y", rtl=True))
    width = float(ltr.get("width"))
    assert float(rtl.get("width")) == width
    for a, b in zip(_bars(ltr), _bars(rtl), strict=True):
        assert float(b.get("x")) == pytest.approx(width - float(a.get("x")) - float(a.get("width")), abs=0.1)
        assert (b.get("y"), b.get("height")) == (a.get("y"), a.get("height"))


def test_slanted_month_labels_hang_the_other_way_in_a_mirrored_chart():
    long_labels = [(f"Mois numéro {index}", index) for index in range(1, 9)]
    ltr = str(charts.bar_chart(long_labels, chart_id="m", title="t", x_label="x", y_label="y", rtl=False))
    rtl = str(charts.bar_chart(long_labels, chart_id="m", title="t", x_label="x", y_label="y", rtl=True))
    assert 'transform="rotate(-40 ' in ltr
    assert 'transform="rotate(40 ' in rtl


def test_horizontal_bars_grow_leftwards_from_labels_on_the_right():
    data = [("Catégorie A", 5), ("Catégorie B", 20), ("Catégorie C", 0)]
    root = _svg(charts.horizontal_bar_chart(data, chart_id="h", title="t", x_label="x", y_label="y", rtl=True))
    axis = _value_axis_x(root)
    assert axis > float(root.get("width")) / 2
    rects = _bars(root)
    # Each bar ends at the axis and starts further left the larger its value.
    for rect in rects:
        assert float(rect.get("x")) + float(rect.get("width")) == pytest.approx(axis, abs=0.1)
    assert float(rects[1].get("x")) < float(rects[0].get("x")) < float(rects[2].get("x"))
    labels = [group.findall(f"{SVG}text")[0] for group in root.iter(f"{SVG}g") if group.get("class") == "chart-bar"]
    assert all(float(label.get("x")) > axis for label in labels)


def test_horizontal_bars_grow_rightwards_left_to_right():
    data = [("Catégorie A", 5), ("Catégorie B", 20)]
    root = _svg(charts.horizontal_bar_chart(data, chart_id="h", title="t", x_label="x", y_label="y", rtl=False))
    axis = _value_axis_x(root)
    assert all(float(rect.get("x")) == axis for rect in _bars(root))


def test_the_mirrored_sla_chart_has_its_parts_on_the_right_and_its_shares():
    root = _svg(charts.sla_chart(on_time=3, late=1, chart_id="s", title="Délais", rtl=True))
    axis = _value_axis_x(root)
    on_time, late = _bars(root)
    assert float(on_time.get("x")) < float(late.get("x"))  # the longer bar reaches further left
    assert float(on_time.get("x")) + float(on_time.get("width")) == pytest.approx(axis, abs=0.1)
    assert (on_time.get("fill"), late.get("fill")) == (charts.ON_TIME_FILL, charts.LATE_FILL)
    markup = ET.tostring(root, encoding="unicode")
    assert "3 (75 %)" in markup
    assert "1 (25 %)" in markup


def test_the_direction_follows_the_active_language_unless_forced():
    for language, direction in (("ar", "rtl"), ("fr", "ltr")):
        with override(language):
            for markup in (
                charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y"),
                charts.horizontal_bar_chart(MONTHS, chart_id="h", title="t", x_label="x", y_label="y"),
                charts.sla_chart(on_time=1, late=1, chart_id="s", title="t"),
            ):
                assert _svg(markup).get("direction") == direction
            assert f'dir="{direction}"' in charts.html_bar_chart(
                MONTHS, chart_id="p", title="t", x_label="x", y_label="y"
            )
    with override("ar"):
        assert (
            _svg(charts.bar_chart(MONTHS, chart_id="m", title="t", x_label="x", y_label="y", rtl=False)).get(
                "direction"
            )
            == "ltr"
        )
    with override("fr"):
        assert charts.is_rtl(True)
        assert not charts.is_rtl()


# --- escaping ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rtl", [False, True])
def test_labels_are_escaped_in_both_directions(rtl):
    data = [(SCRIPT, 3), ("Web", 12)]
    drawn = [
        charts.bar_chart(data, chart_id="c", title="Titre & co", x_label="<b>x</b>", y_label="y", rtl=rtl),
        charts.horizontal_bar_chart(data, chart_id="c", title="Titre & co", x_label="<b>x</b>", y_label="y", rtl=rtl),
        charts.html_bar_chart(data, chart_id="c", title="Titre & co", x_label="<b>x</b>", y_label="y", rtl=rtl),
        charts.html_horizontal_bar_chart(
            data, chart_id="c", title="Titre & co", x_label="<b>x</b>", y_label="y", rtl=rtl
        ),
    ]
    for markup in drawn:
        assert "<script>" not in markup
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
        assert "<b>" not in markup
        assert "&lt;b&gt;x&lt;/b&gt;" in markup
        assert "Titre &amp; co" in markup
    for svg in drawn[:2]:
        assert " style=" not in svg
        _svg(svg)  # well-formed


def test_an_html_chart_takes_only_hex_colours():
    with pytest.raises(ValueError, match="Couleur de graphique invalide"):
        charts.html_bar_chart(MONTHS, chart_id="c", title="t", x_label="x", y_label="y", fill="red; background: url(x)")


def test_html_charts_place_their_bars_from_the_right_in_arabic():
    rtl = charts.html_bar_chart(MONTHS, chart_id="c", title="t", x_label="x", y_label="y", rtl=True)
    ltr = charts.html_bar_chart(MONTHS, chart_id="c", title="t", x_label="x", y_label="y", rtl=False)
    first = re.compile(r'data-label="janv\." data-value="3" style="(right|left): 5%;')
    assert first.search(rtl)[1] == "right"
    assert first.search(ltr)[1] == "left"
    rows = charts.html_horizontal_bar_chart(MONTHS, chart_id="h", title="t", x_label="x", y_label="y", rtl=True)
    assert 'class="pdf-chart pdf-chart-rows rtl"' in rows
    assert 'dir="rtl"' in rows


def test_months_are_named_in_arabic():
    with override("ar"):
        assert charts.month_label(date(2024, 1, 1)) == "يناير 2024"
        assert charts.month_label("2024-12") == "ديسمبر 2024"
    with override("fr"):
        assert charts.month_label(date(2024, 1, 1)) == "01/2024"
        assert charts.month_label("2024-12-01") == "12/2024"
    assert charts.month_label("") == ""


# --- Arabic in the PDF -------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    """The text pypdf extracts from every page, NFKC-normalised.

    What is robust, found by experiment with WeasyPrint 70 and Amiri: HTML text is shaped by
    Pango and written with its Unicode mapping, so pypdf returns each Arabic run in logical
    order, as plain letters (NFKC would fold presentation forms back to letters if a font or
    an extractor produced them; it is a no-op otherwise). Only the order of runs on one line
    may differ from the reading order (« 2024 يناير »), so the assertions look for words and
    short phrases, never for a whole line. The reversed string is deliberately NOT accepted:
    SVG <text>, which WeasyPrint draws letter by letter, unshaped, left to right, extracts
    reversed and without spaces (« ريناي » for « يناير ») — accepting it would hide that bug.
    """
    reader = pypdf.PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in reader.pages))


def test_the_arabic_pdf_charts_are_wholly_arabic():
    with override("ar"):
        months = [(charts.month_label(date(2024, month, 1)), count) for month, count in ((1, 4), (2, 9), (3, 2))]
        title = _("Demandes reçues par mois")
        x_label, y_label = _("Mois de réception"), _("Demandes reçues")
        sla_title = _("Respect du délai de traitement")
        drawn = [
            (
                title,
                charts.html_bar_chart(
                    months, chart_id="pdf-chart-month", title=title, x_label=x_label, y_label=y_label
                ),
            ),
            (sla_title, charts.html_sla_chart(on_time=3, late=1, chart_id="pdf-chart-sla", title=sla_title)),
        ]
        html = render_to_string(
            "reporting/report_pdf.html",
            {
                "report": SimpleNamespace(label="S1 2024", version=1),
                "language": "ar",
                "rtl": True,
                "is_draft": True,
                "printed_at": timezone.localtime(),
                "methodology": "",
                "charts": drawn,
                "tables": [],
            },
        )
        on_time, late, sla_axis = _("Traitées dans le délai"), _("Traitées en retard"), _("Réclamations traitées")
    text = _pdf_text(HTML(string=html).write_pdf())
    assert title == "الطلبات المتوصل بها حسب الشهر"
    for arabic in (title, x_label, y_label, "يناير", "فبراير", "مارس", sla_title, on_time, late, sla_axis):
        assert arabic in text, arabic
    assert "ريناي" not in text  # « يناير » reversed: what SVG text would give
    for french in ("Demandes reçues", "Mois de réception", "01/2024", "Traitées", "Aucune donnée"):
        assert french not in text
    # The share « 3 (75 %) »: in a right-to-left line pypdf gives the runs in visual order, « )% 75( 3 ».
    assert re.search(r"3 \(75 %\)|\)% 75\( 3", text)
