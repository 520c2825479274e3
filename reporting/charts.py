"""Charts of the reporting dashboard (SPEC §6), drawn on the server as inline SVG.

Each function is pure: it takes a list of (label, value) pairs and returns safe SVG markup,
built with `format_html` so every label is escaped. Like the influence–interest map of
stakeholders/charts.py, the markup uses SVG presentation attributes only — no style
attribute, no script — because the Content-Security-Policy forbids inline styles and
scripts.

Every chart carries a <title> and a <desc> (named by `aria-labelledby`), an axis title on
each axis, tick values, and the value written next to each bar; each bar also has its own
<title> giving the full label and value on hover. The page shows the same numbers in a
table next to each chart.

Right-to-left: the geometry stays left to right (`direction="ltr"`, as the numbers and the
time axis read left to right in Arabic reports too); labels are plain text, so Arabic labels
are shaped and read right to left by the browser inside each <text>.
"""

import math
from collections.abc import Sequence

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

Datum = tuple[str, int | float]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Naskh Arabic', sans-serif"
TEXT_FILL = "#212529"
MUTED_FILL = "#495057"
AXIS_STROKE = "#6c757d"
GRID_STROKE = "#dee2e6"
BAR_FILL = "#0a58ca"
ON_TIME_FILL = "#146c43"
LATE_FILL = "#b02a37"
# Charts fit half the page width; wider than _MAX_SCALED_WIDTH (a long trend), a chart keeps
# its size and scrolls instead of shrinking to unreadable text.
MIN_WIDTH = 540
_MAX_SCALED_WIDTH = 800


def number(value: int | float) -> str:
    """A value as the page writes it: localised decimal separator, grouped thousands."""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _c(value: float) -> str:
    """A coordinate, never localised (SVG wants a dot)."""
    return f"{round(value, 1):g}"


def _short(label: str, length: int) -> str:
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


def _ticks(maximum: float, count: int = 4) -> list[int]:
    """Round tick values from 0 to at least `maximum` (steps of 1, 2 or 5 × 10ⁿ)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg(
    *, chart_id: str, title: str, description: str, width: float, height: float, body: Sequence[SafeString]
) -> SafeString:
    scaled = "mw-100 h-auto" if width <= _MAX_SCALED_WIDTH else ""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart d-block mx-auto {scaled}" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'direction="ltr" font-family="{font}" font-size="11" fill="{fill}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        scaled=scaled,
        w=_c(width),
        h=_c(height),
        font=FONT,
        fill=TEXT_FILL,
        title=title,
        desc=description,
        body=_join(body),
    )


def _empty(x: float, y: float) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="{}" class="chart-empty">{}</text>',
        _c(x),
        _c(y),
        MUTED_FILL,
        _("Aucune donnée pour ces filtres."),
    )


def _bar_title(label: str, value: int | float, share: str = "") -> str:
    return f"{label} : {number(value)}{share}"


def _share(value: int | float, total: int | float) -> str:
    if not total:
        return ""
    share = round(100 * value / total, 1)
    return f" ({number(int(share) if share.is_integer() else share)} %)"


def bar_chart(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    description: str = "",
    fill: str = BAR_FILL,
) -> SafeString:
    """Vertical bars, one per (label, value), in the given order (e.g. months, channels)."""
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

    body: list[SafeString] = []
    for tick in ticks:
        y = base - tick * scale
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                left,
                _c(y),
                _c(left + plot_width),
                _c(y),
                GRID_STROKE,
                left - 6,
                _c(y + 4),
                MUTED_FILL,
                number(tick),
            )
        )
    body.append(
        format_html(
            '<g class="chart-axes" stroke="{s}" stroke-width="1">'
            '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><line x1="{l}" y1="{b}" x2="{r}" y2="{b}"/></g>',
            s=AXIS_STROKE,
            l=left,
            t=top,
            b=base,
            r=_c(left + plot_width),
        )
    )
    bars: list[SafeString] = []
    for index, (label, value) in enumerate(data):
        centre = left + slot * (index + 0.5)
        bar_width = slot * 0.6
        bar_height = value * scale
        label_y = base + 16
        if labels_fit:
            tick_label = format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', _c(centre), label_y, label)
        else:
            tick_label = format_html(
                '<text x="{x}" y="{y}" text-anchor="end" transform="rotate(-40 {x} {y})">{t}</text>',
                x=_c(centre + 4),
                y=label_y,
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
                x=_c(centre - bar_width / 2),
                y=_c(base - bar_height),
                w=_c(bar_width),
                h=_c(bar_height),
                fill=fill,
                cx=_c(centre),
                vy=_c(base - bar_height - 5),
                value=number(value),
                tick=tick_label,
            )
        )
    body.append(format_html('<g class="chart-bars">{}</g>', _join(bars)))
    if not data:
        body.append(_empty(left + plot_width / 2, top + plot_height / 2))
    body.append(
        format_html(
            '<g class="chart-axis-titles" font-size="12" font-weight="bold">'
            '<text x="{xx}" y="{xy}" text-anchor="middle">{xl}</text>'
            '<text x="{yx}" y="{yy}" text-anchor="middle" transform="rotate(-90 {yx} {yy})">{yl}</text></g>',
            xx=_c(left + plot_width / 2),
            xy=height - 8,
            xl=x_label,
            yx=16,
            yy=_c(top + plot_height / 2),
            yl=y_label,
        )
    )
    return _svg(chart_id=chart_id, title=title, description=description, width=width, height=height, body=body)


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
) -> SafeString:
    """Horizontal bars, one row per (label, value), for long labels (categories, programmes).

    `fills` colours each bar in turn (e.g. on time / late); `show_share` writes each value
    with its share of the total, e.g. « 12 (80 %) ».
    """
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

    body: list[SafeString] = []
    for tick in ticks:
        x = left + tick * scale
        body.append(
            format_html(
                '<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{s}" stroke-width="1"/>'
                '<text x="{x}" y="{ty}" text-anchor="middle" fill="{f}">{v}</text>',
                x=_c(x),
                t=top,
                b=base,
                s=GRID_STROKE,
                ty=base + 15,
                f=MUTED_FILL,
                v=number(tick),
            )
        )
    body.append(
        format_html(
            '<g class="chart-axes" stroke="{s}" stroke-width="1">'
            '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><line x1="{l}" y1="{b}" x2="{r}" y2="{b}"/></g>',
            s=AXIS_STROKE,
            l=left,
            t=top,
            b=base,
            r=_c(left + plot_width),
        )
    )
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
                lx=left - 8,
                ty=_c(y + bar_height / 2 + 4),
                short=_short(label, 30),
                x=left,
                y=_c(y),
                w=_c(bar_width),
                h=bar_height,
                fill=fills[index % len(fills)] if fills else fill,
                vx=_c(left + bar_width + 6),
                value=number(value) + share,
            )
        )
    body.append(format_html('<g class="chart-bars">{}</g>', _join(bars)))
    if not data:
        body.append(_empty(left + plot_width / 2, top + plot_height / 2 + 4))
    body.append(
        format_html(
            '<g class="chart-axis-titles" font-size="12" font-weight="bold">'
            '<text x="{xx}" y="{xy}" text-anchor="middle">{xl}</text>'
            '<text x="{yx}" y="{yy}" text-anchor="end">{yl}</text></g>',
            xx=_c(left + plot_width / 2),
            xy=height - 8,
            xl=x_label,
            # The axis of the labels is named above them, where a short chart has room for it.
            yx=left - 8,
            yy=top - 10,
            yl=y_label,
        )
    )
    return _svg(chart_id=chart_id, title=title, description=description, width=width, height=height, body=body)


def sla_chart(*, on_time: int, late: int, chart_id: str, title: str, description: str = "") -> SafeString:
    """Treated requests closed within their deadline against those closed late."""
    return horizontal_bar_chart(
        [(_("Traitées dans le délai"), on_time), (_("Traitées en retard"), late)],
        chart_id=chart_id,
        title=title,
        x_label=_("Demandes traitées"),
        y_label=_("Respect du délai"),
        description=description,
        fills=[ON_TIME_FILL, LATE_FILL],
        show_share=True,
    )
