"""What the SVG charts of the pages and the HTML charts of the PDF share: colours, numbers,
month names, the direction of the language, ticks and shares (see reporting/charts/__init__.py)."""

import math
import re
from collections.abc import Sequence
from datetime import date

from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pmpp.languages import is_right_to_left

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


def is_rtl(rtl: bool | None = None) -> bool:
    """Whether to draw right to left: `rtl` when given, else whether the active language is Arabic."""
    if rtl is not None:
        return rtl
    return is_right_to_left()


def month_label(month: date | str) -> str:
    """A month on a chart's axis: « يناير 2024 » in Arabic, « 01/2024 » otherwise.

    `month` is a date or a « YYYY-MM[-DD] » key; anything else is returned as text."""
    if isinstance(month, date):
        year, number_ = month.year, month.month
    else:
        match = re.match(r"(\d{4})-(\d{2})", str(month or ""))
        if not match or not 1 <= int(match[2]) <= 12:
            return str(month)
        year, number_ = int(match[1]), int(match[2])
    if is_right_to_left():
        return f"{MONTHS[number_]} {year}"
    return f"{number_:02d}/{year}"


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


class _Mirror:
    """x coordinates of a chart `width` wide, laid out left to right and mirrored when `rtl`."""

    def __init__(self, width: float, rtl: bool):
        self.width = width
        self.rtl = rtl

    def x(self, x: float) -> str:
        """The point x of the left-to-right layout."""
        return _c(self.width - x if self.rtl else x)

    def left(self, x: float, width: float) -> str:
        """The left edge of a box spanning [x, x + width] in the left-to-right layout."""
        return _c(self.width - x - width if self.rtl else x)

    def angle(self, degrees: float) -> str:
        """A rotation of the left-to-right layout, mirrored."""
        return _c(-degrees if self.rtl else degrees)


def _svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    width: float,
    height: float,
    body: Sequence[SafeString],
    rtl: bool = False,
) -> SafeString:
    scaled = "mw-100 h-auto" if width <= _MAX_SCALED_WIDTH else ""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart d-block mx-auto {scaled}" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'direction="{direction}" font-family="{font}" font-size="11" fill="{fill}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        scaled=scaled,
        w=_c(width),
        h=_c(height),
        direction="rtl" if rtl else "ltr",
        font=FONT,
        fill=TEXT_FILL,
        title=title,
        desc=description,
        body=_join(body),
    )


def _empty_text() -> str:
    return _("Aucune donnée pour ces filtres.")


def _empty(x: str, y: float) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="{}" class="chart-empty">{}</text>',
        x,
        _c(y),
        MUTED_FILL,
        _empty_text(),
    )


def _bar_title(label: str, value: int | float, share: str = "") -> str:
    return f"{label} : {number(value)}{share}"


def _share(value: int | float, total: int | float) -> str:
    if not total:
        return ""
    share = round(100 * value / total, 1)
    return f" ({number(int(share) if share.is_integer() else share)} %)"


def sla_bars(on_time: int, late: int) -> dict:
    """What makes a horizontal bar chart the deadline chart, on a page or in the PDF: the treated
    complaints (docs/metrics.md, `treated`) within their deadline and late, with their shares."""
    return {
        "data": [(_("Traitées dans le délai"), on_time), (_("Traitées en retard"), late)],
        "x_label": _("Réclamations traitées"),
        "y_label": _("Respect du délai"),
        "fills": [ON_TIME_FILL, LATE_FILL],
        "show_share": True,
    }
