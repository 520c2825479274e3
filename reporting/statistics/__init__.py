"""Grievance statistics for any period and filter (SPEC §6, PMPP §6.2.6), as docs/metrics.md defines them.

One implementation for every surface: the dashboard, the semester report and its snapshot,
the public statistics, the statistics API and the downloads all read `Statistics` from here,
and every figure they show is one term of the dictionary (`reporting.metrics`).

The population: the requests *received* in the period, by their reception date (§6.3.1,
local date in Morocco, both ends inclusive). Duplicates are counted apart and nowhere else;
sensitive GBV/SEA/SH cases are never part of these figures. Each live request is exactly one
of: a request still to qualify, a complaint, or a non-complaint request. Complaint figures
(treated, open, overdue, within the deadline, delays) concern qualified complaints only and
the first instance only: an appeal has its own figures and never changes those.

Two computations give the same figures: one pass over the period's rows on PostgreSQL
(GROUPING SETS; averages from integer sums, medians by the database), and a portable one
that reads the rows and applies `_measure` in Python (SQLite, the development default). A
test compares them on every figure.

The package: `core` (the figures as data), `portable` (the definitions row by row, and their
sum in Python) and `postgres` (the same definitions in one SQL pass).
"""

from collections.abc import Collection
from datetime import datetime

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from grievances.deadlines import local_date
from grievances.models import Grievance
from reporting.statistics.core import (
    BREAKDOWNS,
    COUNTS,
    FIGURES,
    HOURS,
    MEASURES,
    Filters,
    Period,
    Statistics,
    Summary,
    _Context,
)
from reporting.statistics.portable import _measure, _portable
from reporting.statistics.postgres import _SQL_ROW, _one_pass

__all__ = [
    "BREAKDOWNS", "COUNTS", "FIGURES", "MEASURES", "_SQL_ROW", "Filters", "Period", "Statistics", "Summary",
    "_Context", "_measure", "_one_pass", "_portable", "grievance_statistics", "grievance_statistics_by",
    "period_statistics",
]  # fmt: skip

S = Grievance.Status


def grievance_statistics(
    *, user, period: Period, filters: Filters | None = None, group_by: str | None = None, as_of: datetime | None = None
) -> dict:
    """Statistics of the period, whole (`group_by=None`, key None) or by one breakdown.
    Everything stays within the user's visibility."""
    return grievance_statistics_by(user=user, period=period, filters=filters, group_bys=[group_by], as_of=as_of)[
        group_by
    ]


def grievance_statistics_by(
    *,
    user,
    period: Period,
    filters: Filters | None = None,
    group_bys: list,
    as_of: datetime | None = None,
    medians_in_hours: Collection | None = None,
) -> dict:
    """The statistics of several breakdowns at once, within the user's visibility:
    {group_by: {key: Statistics}}. Keys are ids (a tuple for a pair), None where missing;
    `month` keys are the first day of the month (a date); `channel_group` keys are booleans."""
    return period_statistics(
        grievances=Grievance.objects.counted_by(user),
        period=period,
        filters=filters,
        group_bys=group_bys,
        as_of=as_of,
        medians_in_hours=medians_in_hours,
    )


def period_statistics(
    *,
    grievances: QuerySet,
    period: Period,
    filters: Filters | None = None,
    group_bys: list,
    as_of: datetime | None = None,
    medians_in_hours: Collection | None = None,
) -> dict:
    """The figures of the requests of `grievances` received in `period`, by breakdown.

    `as_of` is the instant the figures describe (now by default): « en retard » is judged on
    its Moroccan date. `grievances` is the scope: a user's visible grievances, or all of them
    for the public statistics (which publish aggregates only). `medians_in_hours` names the
    breakdowns (None for the whole period) whose medians in hours a caller shows, when not
    all: they are the one figure that costs a sort per breakdown, so a page that shows them
    for the whole period only asks for that; the others are then None. Every other figure is
    computed for every breakdown.
    """
    unknown = [group for group in group_bys if group is not None and group not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"Unknown breakdown {unknown[0]!r}")
    today = local_date(as_of or timezone.now())
    start, end = period.bounds()
    queryset = grievances.exclude(status=S.SENSITIVE).filter(
        (filters or Filters()).q(), received_at__gte=start, received_at__lt=end
    )
    context = _Context.read(period=period, today=today)
    if connections[queryset.db].vendor == "postgresql":
        return _one_pass(queryset, group_bys=group_bys, context=context, medians_in_hours=medians_in_hours)
    results = _portable(queryset, group_bys=group_bys, context=context)
    for group in group_bys:
        if medians_in_hours is not None and group not in medians_in_hours:
            for stats in results[group].values():
                for measure in HOURS:
                    stats.delays[measure].median = None
    return results
