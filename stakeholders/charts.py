"""The influence–interest map of the stakeholders (SPEC §3), drawn on the server as SVG.

The page carries no script (the Content-Security-Policy forbids inline scripts) and no
style attribute: this module computes the geometry, and the template writes it out with
SVG presentation attributes only. Interest runs left to right and influence bottom to
top, on the 1–5 levels of `Level`; a level of 3 or more counts as high.

Each active stakeholder is one link (`data-stakeholder`) in the drawing. A cell holding one
stakeholder shows a labelled circle; a cell holding several shows a bubble with their
count, the stakeholders as small dots around it, and their names in its <title>.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from stakeholders.models import Level, Stakeholder

CELL = 100
LEFT, TOP, RIGHT, BOTTOM = 90, 20, 20, 70
LEVELS = 5
PLOT = CELL * LEVELS
WIDTH, HEIGHT = LEFT + PLOT + RIGHT, TOP + PLOT + BOTTOM
HIGH = 3

# Light fills, so that the dark bubbles and the labels keep a contrast of at least 4.5:1.
QUADRANTS = {
    "manage_closely": (_("Gérer étroitement"), "#f8d7da"),
    "keep_satisfied": (_("Tenir satisfait"), "#fff3cd"),
    "keep_informed": (_("Tenir informé"), "#cfe2ff"),
    "monitor": (_("Surveiller"), "#e9ecef"),
}
POINT_FILL = "#0a58ca"
LABEL_FILL = "#212529"
_SINGLE_RADIUS, _BUBBLE_RADIUS, _RING_RADIUS = 14, 15, 28
_LABEL_LENGTH = 16


def quadrant(*, influence: int, interest: int) -> str:
    if influence >= HIGH:
        return "manage_closely" if interest >= HIGH else "keep_satisfied"
    return "keep_informed" if interest >= HIGH else "monitor"


def quadrant_label(*, influence: int, interest: int) -> str:
    return str(QUADRANTS[quadrant(influence=influence, interest=interest)][0])


@dataclass(frozen=True)
class Area:
    x: int
    y: int
    width: int
    height: int
    fill: str
    label: str
    label_x: int
    label_y: int


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Point:
    pk: int
    cx: float
    cy: float
    r: float
    title: str
    url: str
    label: str = ""
    label_y: float = 0


@dataclass(frozen=True)
class Bubble:
    cx: float
    cy: float
    r: float
    count: int
    title: str
    points: list[Point] = field(default_factory=list)


@dataclass(frozen=True)
class InfluenceInterestMap:
    width: int
    height: int
    areas: list[Area]
    grid: list[tuple[float, float, float, float]]
    dividers: list[tuple[float, float, float, float]]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    singles: list[Point]
    bubbles: list[Bubble]
    rows: list[dict]
    x_title: Tick
    y_title: Tick

    @property
    def point_count(self) -> int:
        return len(self.singles) + sum(len(bubble.points) for bubble in self.bubbles)


def _centre(*, influence: int, interest: int) -> tuple[float, float]:
    return LEFT + (interest - 0.5) * CELL, TOP + (LEVELS - influence + 0.5) * CELL


def _title(stakeholder: Stakeholder) -> str:
    return _("%(name)s — influence : %(influence)s, intérêt : %(interest)s") % {
        "name": stakeholder.name,
        "influence": stakeholder.get_influence_display(),
        "interest": stakeholder.get_interest_display(),
    }


def _short(name: str) -> str:
    return name if len(name) <= _LABEL_LENGTH else name[: _LABEL_LENGTH - 1].rstrip() + "…"


def _areas() -> list[Area]:
    low, high = (HIGH - 1) * CELL, (LEVELS - HIGH + 1) * CELL
    boxes = {
        # (x, y, width, height) of each quadrant, in cells of the grid.
        "keep_satisfied": (LEFT, TOP, low, high),
        "manage_closely": (LEFT + low, TOP, high, high),
        "monitor": (LEFT, TOP + high, low, low),
        "keep_informed": (LEFT + low, TOP + high, high, low),
    }
    areas = []
    for code, (x, y, width, height) in boxes.items():
        label, fill = QUADRANTS[code]
        areas.append(Area(x, y, width, height, fill, str(label), x + width // 2, y + 12))
    return areas


def influence_interest_map(
    stakeholders: Iterable[Stakeholder], *, url: Callable[[Stakeholder], str]
) -> InfluenceInterestMap:
    """The map of the given stakeholders; `url` gives the address of each one's page."""
    cells: dict[tuple[int, int], list[Stakeholder]] = defaultdict(list)
    rows = []
    for stakeholder in stakeholders:
        cells[(stakeholder.influence, stakeholder.interest)].append(stakeholder)
        rows.append(
            {
                "stakeholder": stakeholder,
                "url": url(stakeholder),
                "quadrant": quadrant_label(influence=stakeholder.influence, interest=stakeholder.interest),
            }
        )
    singles, bubbles = [], []
    for (influence, interest), members in sorted(cells.items()):
        cx, cy = _centre(influence=influence, interest=interest)
        if len(members) == 1:
            only = members[0]
            singles.append(
                Point(
                    only.pk,
                    cx,
                    cy - 6,
                    _SINGLE_RADIUS,
                    _title(only),
                    url(only),
                    _short(only.name),
                    cy - 6 + _SINGLE_RADIUS + 13,
                )
            )
            continue
        # The members as dots on a ring around the count, small enough never to overlap.
        step = 2 * math.pi / len(members)
        radius = max(1.5, min(5.0, math.pi * _RING_RADIUS / len(members) * 0.8))
        points = [
            Point(
                member.pk,
                round(cx + _RING_RADIUS * math.sin(index * step), 2),
                round(cy - _RING_RADIUS * math.cos(index * step), 2),
                round(radius, 2),
                _title(member),
                url(member),
            )
            for index, member in enumerate(members)
        ]
        names = ", ".join(member.name for member in members)
        title = _("%(count)d parties prenantes : %(names)s") % {"count": len(members), "names": names}
        bubbles.append(Bubble(cx, cy, _BUBBLE_RADIUS, len(members), title, points))

    grid = []
    for index in range(LEVELS + 1):
        offset = index * CELL
        grid.append((LEFT + offset, TOP, LEFT + offset, TOP + PLOT))
        grid.append((LEFT, TOP + offset, LEFT + PLOT, TOP + offset))
    labels = dict(Level.choices)
    x_ticks = [Tick(LEFT + (level - 0.5) * CELL, TOP + PLOT + 18, str(labels[level])) for level in range(1, 6)]
    y_ticks = [Tick(LEFT - 8, TOP + (LEVELS - level + 0.5) * CELL + 4, str(labels[level])) for level in range(1, 6)]
    return InfluenceInterestMap(
        width=WIDTH,
        height=HEIGHT,
        areas=_areas(),
        grid=grid,
        # Where low turns high: between levels 2 and 3 on each axis.
        dividers=[
            (LEFT + (HIGH - 1) * CELL, TOP, LEFT + (HIGH - 1) * CELL, TOP + PLOT),
            (LEFT, TOP + (LEVELS - HIGH + 1) * CELL, LEFT + PLOT, TOP + (LEVELS - HIGH + 1) * CELL),
        ],
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        singles=singles,
        bubbles=bubbles,
        rows=rows,
        x_title=Tick(LEFT + PLOT / 2, TOP + PLOT + 50, str(_("Intérêt →"))),
        y_title=Tick(22, TOP + PLOT / 2, str(_("Influence →"))),
    )
