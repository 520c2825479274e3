"""The charts of the pages, as inline SVG (see reporting/charts/__init__.py)."""

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

from reporting.charts.common import (
    AXIS_STROKE,
    BAR_FILL,
    GRID_STROKE,
    MIN_WIDTH,
    MUTED_FILL,
    Datum,
    _bar_title,
    _c,
    _empty,
    _join,
    _Mirror,
    _share,
    _short,
    _svg,
    _ticks,
    is_rtl,
    number,
    sla_bars,
)


def _axes(m: _Mirror, *, left: float, top: float, base: float, plot_width: float) -> SafeString:
    """The two axes of a plot: the vertical one at its start (the left, the right when mirrored), the base line."""
    return format_html(
        '<g class="chart-axes" stroke="{s}" stroke-width="1">'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><line x1="{l}" y1="{b}" x2="{r}" y2="{b}"/></g>',
        s=AXIS_STROKE,
        l=m.x(left),
        t=top,
        b=base,
        r=m.x(left + plot_width),
    )


def bar_chart(
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
    """Vertical bars, one per (label, value), in the given order (e.g. months, channels).

    Right to left (`rtl`, by default when Arabic is active), the first bar is at the right and
    the value axis on the right side."""
    rtl = is_rtl(rtl)
    count = len(data)
    left, top, right = 64, 24, 16
    slot = max(44.0, min(120.0, (MIN_WIDTH - left - right) / max(count, 1)))
    labels_fit = all(len(label) * 6.2 <= slot - 4 for label, _value in data)
    plot_height = 200
    bottom = 52 if labels_fit else 150
    plot_width = slot * count if count else MIN_WIDTH - left - right
    width = left + plot_width + right
    height = top + plot_height + bottom
    base = top + plot_height
    ticks = _ticks(max((value for _label, value in data), default=0))
    scale = plot_height / ticks[-1]
    m = _Mirror(width, rtl)

    body: list[SafeString] = []
    for tick in ticks:
        y = base - tick * scale
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                m.x(left),
                _c(y),
                m.x(left + plot_width),
                _c(y),
                GRID_STROKE,
                m.x(left - 6),
                _c(y + 4),
                MUTED_FILL,
                number(tick),
            )
        )
    body.append(_axes(m, left=left, top=top, base=base, plot_width=plot_width))
    bars: list[SafeString] = []
    for index, (label, value) in enumerate(data):
        centre = left + slot * (index + 0.5)
        bar_width = slot * 0.6
        bar_height = value * scale
        label_y = base + 16
        if labels_fit:
            tick_label = format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', m.x(centre), label_y, label)
        else:
            # Slanted so that each label ends under its bar: down-left of it, or down-right mirrored.
            tick_label = format_html(
                '<text x="{x}" y="{y}" text-anchor="end" transform="rotate({a} {x} {y})">{t}</text>',
                x=m.x(centre + 4),
                y=label_y,
                a=m.angle(-40),
                t=_short(label, 22),
            )
        bars.append(
            format_html(
                '<g class="chart-bar" data-label="{label}" data-value="{raw}"><title>{tip}</title>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'
                '<text x="{cx}" y="{vy}" text-anchor="middle" font-weight="bold">{value}</text>{tick}</g>',
                label=label,
                raw=value,
                tip=_bar_title(label, value),
                x=m.left(centre - bar_width / 2, bar_width),
                y=_c(base - bar_height),
                w=_c(bar_width),
                h=_c(bar_height),
                fill=fill,
                cx=m.x(centre),
                vy=_c(base - bar_height - 5),
                value=number(value),
                tick=tick_label,
            )
        )
    body.append(format_html('<g class="chart-bars">{}</g>', _join(bars)))
    if not data:
        body.append(_empty(m.x(left + plot_width / 2), top + plot_height / 2))
    body.append(
        format_html(
            '<g class="chart-axis-titles" font-size="12" font-weight="bold">'
            '<text x="{xx}" y="{xy}" text-anchor="middle">{xl}</text>'
            '<text x="{yx}" y="{yy}" text-anchor="middle" transform="rotate({a} {yx} {yy})">{yl}</text></g>',
            xx=m.x(left + plot_width / 2),
            xy=height - 8,
            xl=x_label,
            yx=m.x(16),
            yy=_c(top + plot_height / 2),
            a=m.angle(-90),
            yl=y_label,
        )
    )
    return _svg(chart_id=chart_id, title=title, description=description, width=width, height=height, body=body, rtl=rtl)


def horizontal_bar_chart(
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
    """Horizontal bars, one row per (label, value), for long labels (categories, programmes).

    `fills` colours each bar in turn (e.g. on time / late); `show_share` writes each value
    with its share of the total, e.g. « 12 (80 %) ». Right to left (`rtl`, by default when
    Arabic is active), the labels are on the right and the bars grow leftwards.
    """
    rtl = is_rtl(rtl)
    count = len(data)
    left, top, right, bottom = 196, 28, 96, 52
    row, bar_height = 30, 18
    plot_width = MIN_WIDTH - left - right
    plot_height = row * max(count, 1)
    width = left + plot_width + right
    height = top + plot_height + bottom
    base = top + plot_height
    ticks = _ticks(max((value for _label, value in data), default=0))
    scale = plot_width / ticks[-1]
    total = sum(value for _label, value in data)
    m = _Mirror(width, rtl)

    body: list[SafeString] = []
    for tick in ticks:
        x = left + tick * scale
        body.append(
            format_html(
                '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{s}" stroke-width="1"/>'
                '<text x="{x}" y="{ty}" text-anchor="middle" fill="{f}">{v}</text>',
                x=m.x(x),
                t=top,
                b=base,
                s=GRID_STROKE,
                ty=base + 15,
                f=MUTED_FILL,
                v=number(tick),
            )
        )
    body.append(_axes(m, left=left, top=top, base=base, plot_width=plot_width))
    bars: list[SafeString] = []
    for index, (label, value) in enumerate(data):
        y = top + row * index + (row - bar_height) / 2
        share = _share(value, total) if show_share else ""
        bar_width = value * scale
        bars.append(
            format_html(
                '<g class="chart-bar" data-label="{label}" data-value="{raw}"><title>{tip}</title>'
                '<text x="{lx}" y="{ty}" text-anchor="end">{short}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'
                '<text x="{vx}" y="{ty}" font-weight="bold">{value}</text></g>',
                label=label,
                raw=value,
                tip=_bar_title(label, value, share),
                lx=m.x(left - 8),
                ty=_c(y + bar_height / 2 + 4),
                short=_short(label, 30),
                x=m.left(left, bar_width),
                y=_c(y),
                w=_c(bar_width),
                h=bar_height,
                fill=fills[index % len(fills)] if fills else fill,
                vx=m.x(left + bar_width + 6),
                value=number(value) + share,
            )
        )
    body.append(format_html('<g class="chart-bars">{}</g>', _join(bars)))
    if not data:
        body.append(_empty(m.x(left + plot_width / 2), top + plot_height / 2 + 4))
    body.append(
        format_html(
            '<g class="chart-axis-titles" font-size="12" font-weight="bold">'
            '<text x="{xx}" y="{xy}" text-anchor="middle">{xl}</text>'
            '<text x="{yx}" y="{yy}" text-anchor="end">{yl}</text></g>',
            xx=m.x(left + plot_width / 2),
            xy=height - 8,
            xl=x_label,
            # The axis of the labels is named above them, where a short chart has room for it.
            yx=m.x(left - 8),
            yy=top - 10,
            yl=y_label,
        )
    )
    return _svg(chart_id=chart_id, title=title, description=description, width=width, height=height, body=body, rtl=rtl)


def sla_chart(
    *, on_time: int, late: int, chart_id: str, title: str, description: str = "", rtl: bool | None = None
) -> SafeString:
    """Treated complaints closed within their deadline against those closed late."""
    return horizontal_bar_chart(
        **sla_bars(on_time, late), chart_id=chart_id, title=title, description=description, rtl=rtl
    )
