"""The same charts as HTML boxes, for the PDF only (see reporting/charts/__init__.py).

Geometry (positions, sizes, colours) goes in inline `style` attributes, computed here; the
look (fonts, axes, grid, spacing) in the `.pdf-chart` rules of templates/reporting/report_pdf.html.
Every position is a percentage of the plot, so the chart takes the width the page gives it.
Physical sides are chosen here (`left` or `right`), not left to the renderer's handling of
`direction`: the wrapper's class `rtl`/`ltr` picks the mirrored CSS rules, and its `dir`
gives the text its base direction.
"""

import re
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reporting.charts.common import (
    BAR_FILL,
    Datum,
    _empty_text,
    _join,
    _share,
    _ticks,
    is_rtl,
    number,
    sla_bars,
)

_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


def _colour(fill: str) -> str:
    """A colour for a `style` attribute: a hex colour only, never any other CSS."""
    if not _COLOUR.fullmatch(fill):
        raise ValueError(f"Couleur de graphique invalide : {fill!r}")
    return fill


def _pct(value: float) -> str:
    return f"{round(value, 3):g}%"


def _html_chart(
    *, kind: str, chart_id: str, title: str, description: str, rtl: bool, body: Sequence[SafeString]
) -> SafeString:
    note = format_html('<p class="pdf-chart-note">{}</p>', description) if description else ""
    return format_html(
        '<div class="pdf-chart pdf-chart-{kind} {direction}" id="{id}" dir="{direction}" role="group" '
        'aria-label="{title}">{body}{note}</div>',
        kind=kind,
        direction="rtl" if rtl else "ltr",
        id=chart_id,
        title=title,
        body=_join(body),
        note=note,
    )


def _html_empty() -> SafeString:
    return format_html('<p class="pdf-chart-empty">{}</p>', _empty_text())


def html_bar_chart(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    description: str = "",
    fill: str = BAR_FILL,
    rtl: bool | None = None,
) -> SafeString:
    """`bar_chart` as HTML for the PDF: vertical bars in the given order, the value axis named
    above its ticks, each bar's value above it, the labels below (wrapped, never cut).

    Right to left (`rtl`, by default when Arabic is active), the first bar is at the right and
    the value axis on the right side."""
    rtl = is_rtl(rtl)
    side = "right" if rtl else "left"
    colour = _colour(fill)
    ticks = _ticks(max((value for _label, value in data), default=0))
    slot = 100 / max(len(data), 1)
    grid = [
        format_html(
            '<div class="pdf-chart-grid" style="bottom: {}"><span class="pdf-chart-tick">{}</span></div>',
            _pct(100 * tick / ticks[-1]),
            number(tick),
        )
        for tick in ticks
    ]
    bars = []
    for index, (label, value) in enumerate(data):
        height = _pct(100 * value / ticks[-1])
        bars.append(
            format_html(
                '<div class="pdf-chart-column" data-label="{label}" data-value="{raw}" '
                'style="{side}: {x}; width: {w}; height: {h}; background-color: {fill}"></div>'
                '<div class="pdf-chart-value" style="{side}: {slot_x}; width: {slot}; bottom: {h}">{value}</div>',
                label=label,
                raw=value,
                side=side,
                x=_pct(slot * (index + 0.2)),
                w=_pct(slot * 0.6),
                h=height,
                fill=colour,
                slot_x=_pct(slot * index),
                slot=_pct(slot),
                value=number(value),
            )
        )
    labels = format_html_join("", '<td class="pdf-chart-label">{}</td>', ((label,) for label, _value in data))
    labels_row = format_html('<table class="pdf-chart-labels"><tr>{}</tr></table>', labels) if data else _html_empty()
    body = [
        format_html('<p class="pdf-chart-axis-name pdf-chart-y-name">{}</p>', y_label),
        format_html(
            '<div class="pdf-chart-body"><div class="pdf-chart-plot">{grid}{bars}</div>{labels}</div>',
            grid=_join(grid),
            bars=_join(bars),
            labels=labels_row,
        ),
        format_html('<p class="pdf-chart-axis-name pdf-chart-x-name">{}</p>', x_label),
    ]
    return _html_chart(kind="columns", chart_id=chart_id, title=title, description=description, rtl=rtl, body=body)


def html_horizontal_bar_chart(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    description: str = "",
    fill: str = BAR_FILL,
    fills: Sequence[str] | None = None,
    show_share: bool = False,
    rtl: bool | None = None,
) -> SafeString:
    """`horizontal_bar_chart` as HTML for the PDF: one table row per (label, value), the label
    in full, the bar, its value (with its share when `show_share`) at its end.

    Right to left (`rtl`, by default when Arabic is active), the labels are on the right and
    the bars grow leftwards."""
    rtl = is_rtl(rtl)
    side = "right" if rtl else "left"
    colours = [_colour(colour) for colour in (fills or [fill])]
    ticks = _ticks(max((value for _label, value in data), default=0))
    total = sum(value for _label, value in data)
    grid = _join(
        [
            format_html('<div class="pdf-chart-vgrid" style="{}: {}"></div>', side, _pct(100 * t / ticks[-1]))
            for t in ticks
        ]
    )
    rows = []
    for index, (label, value) in enumerate(data):
        share = _share(value, total) if show_share else ""
        rows.append(
            format_html(
                '<tr class="pdf-chart-row" data-label="{label}" data-value="{raw}">'
                '<th scope="row" class="pdf-chart-label">{label}</th>'
                '<td class="pdf-chart-cell"><div class="pdf-chart-track">{grid}'
                '<div class="pdf-chart-bar" style="width: {w}; background-color: {fill}">'
                '<span class="pdf-chart-value">{value}</span></div></div></td></tr>',
                label=label,
                raw=value,
                grid=grid,
                w=_pct(100 * value / ticks[-1]),
                fill=colours[index % len(colours)],
                value=number(value) + share,
            )
        )
    if not data:
        rows.append(format_html('<tr><td colspan="2">{}</td></tr>', _html_empty()))
    scale = format_html_join(
        "",
        '<span class="pdf-chart-tick" style="{}: {}">{}</span>',
        ((side, _pct(100 * tick / ticks[-1]), number(tick)) for tick in ticks),
    )
    body = [
        format_html(
            '<table class="pdf-chart-rows-table">'
            '<thead><tr><th scope="col" class="pdf-chart-axis-name pdf-chart-y-name">{y}</th><td></td></tr></thead>'
            "<tbody>{rows}</tbody>"
            '<tfoot><tr><td></td><td class="pdf-chart-scale"><div class="pdf-chart-track">{scale}</div></td></tr>'
            '<tr><td></td><td class="pdf-chart-axis-name pdf-chart-x-name">{x}</td></tr></tfoot></table>',
            y=y_label,
            rows=_join(rows),
            scale=scale,
            x=x_label,
        )
    ]
    return _html_chart(kind="rows", chart_id=chart_id, title=title, description=description, rtl=rtl, body=body)


def html_sla_chart(
    *, on_time: int, late: int, chart_id: str, title: str, description: str = "", rtl: bool | None = None
) -> SafeString:
    """`sla_chart` as HTML for the PDF."""
    return html_horizontal_bar_chart(
        **sla_bars(on_time, late), chart_id=chart_id, title=title, description=description, rtl=rtl
    )
