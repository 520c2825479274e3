"""Charts of the reporting dashboard (SPEC §6), drawn on the server as inline SVG.

Each function is pure (given the active language): it takes a list of (label, value) pairs
and returns safe SVG markup, built with `format_html` so every label is escaped. Like the
influence–interest map of stakeholders/charts.py, the SVG uses presentation attributes only
— no style attribute, no script — because the Content-Security-Policy forbids inline styles
and scripts. (The `html_*` functions, for the PDF only, are the exception: see below.)

Every chart carries a <title> and a <desc> (named by `aria-labelledby`), an axis title on
each axis, tick values, and the value written next to each bar; each bar also has its own
<title> giving the full label and value on hover. The page shows the same numbers in a
table next to each chart.

Right-to-left: with Arabic active (or `rtl=True`), each chart is drawn mirrored — the first
bar of a vertical chart at the right, the value axis and its ticks on the right, horizontal
bars growing leftwards from labels on the right. The mirrored SVG says `direction="rtl"`, so
each <text> has a right-to-left base direction (Arabic labels, their "…", mixed labels such as
« TAY · فئة » read right to left) and, as SVG defines `text-anchor` start/end relative to
that direction, every anchor swaps sides by itself: a label whose right end touched its
anchor now has its left end there. Numbers stay numbers (Western digits, as the page writes
them).

The PDF: WeasyPrint (70) draws SVG text one character at a time, without shaping or bidi —
Arabic comes out as disjoined letters left to right. The PDF therefore draws its charts with
the `html_*` functions (`reporting.charts.html`): the same charts as HTML boxes, whose text WeasyPrint shapes
like any text of the page. They carry their geometry in inline `style` attributes (fine for
a document WeasyPrint renders, never for a page under the CSP: they are for the PDF only)
and their look in the `pdf-chart` rules of templates/reporting/report_pdf.html.

`common` holds what both share, `svg` the charts of the pages, `html` those of the PDF.
"""

from reporting.charts.common import LATE_FILL, ON_TIME_FILL, Datum, is_rtl, month_label, number
from reporting.charts.html import html_bar_chart, html_horizontal_bar_chart, html_sla_chart
from reporting.charts.svg import bar_chart, horizontal_bar_chart, sla_chart

__all__ = [
    "LATE_FILL",
    "ON_TIME_FILL",
    "Datum",
    "bar_chart",
    "horizontal_bar_chart",
    "html_bar_chart",
    "html_horizontal_bar_chart",
    "html_sla_chart",
    "is_rtl",
    "month_label",
    "number",
    "sla_chart",
]
