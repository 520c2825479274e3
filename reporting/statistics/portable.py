"""The definitions of docs/metrics.md row by row, and the portable computation that sums them.

`_measure` is the dictionary for one request; `_portable` reads the period's rows once and
adds each figure to each of its groups (SQLite, the development default). PostgreSQL runs
the same definitions in SQL (reporting.statistics.postgres); a test compares the two.
"""

import statistics as pystatistics
from datetime import date, datetime

from django.db.models import QuerySet

from grievances.deadlines import elapsed_microseconds, local_date, working_days_between
from grievances.models import Grievance
from reporting.statistics.core import BREAKDOWNS, COUNTS, MEASURES, Statistics, Summary, _Context, _key, _order

S = Grievance.Status

_ROW = (
    "status", "request_kind", "outcome", "programme_id", "channel_id", "received_at", "due_on",
    "closure_validated_at", "effective_closed_at", "appealed_at", "appeal_due_on", "appeal_reviewed_at",
    "appeal_decision",
)  # fmt: skip


def _measure(row: dict, context: _Context) -> tuple[dict[str, int], dict[str, int]]:
    """(counts, measures) of one request, as docs/metrics.md defines them.

    Counts are 0/1 per figure; measures are integers (days, working days, microseconds), only
    for the requests a delay is measured on. The PostgreSQL pass (`_one_pass`) writes the same
    definitions in SQL.
    """
    counts = dict.fromkeys(COUNTS, 0)
    measures: dict[str, int] = {}
    if row["status"] == S.DUPLICATE:
        counts["duplicates"] = 1
        return counts, measures
    counts["received"] = 1
    if row["status"] == S.RECEIVED:
        counts["to_qualify"] = 1
        return counts, measures
    received_on = local_date(row["received_at"])
    if row["request_kind"] == Grievance.RequestKind.REQUEST:
        counts["not_complaints"] = 1
        if row["closure_validated_at"] is not None:
            closed_at = _closed_at(row)
            measures["not_complaint_delay_days"] = (local_date(closed_at) - received_on).days
            measures["not_complaint_delay_us"] = elapsed_microseconds(row["received_at"], closed_at)
        return counts, measures
    counts["complaints"] = 1
    outcome = row["outcome"] or ""
    counts["founded"] = outcome == Grievance.Outcome.FOUNDED
    counts["unfounded"] = outcome == Grievance.Outcome.UNFOUNDED
    counts["awaiting_conclusion"] = outcome == ""
    if row["closure_validated_at"] is None:
        counts["open"] = 1
        counts["overdue"] = row["due_on"] < context.today
    else:
        counts["treated"] = 1
        closed_at = _closed_at(row)
        closed_on = local_date(closed_at)
        counts["treated_within_deadline"] = closed_on <= row["due_on"]
        measures["delay_days"] = (closed_on - received_on).days
        measures["delay_us"] = elapsed_microseconds(row["received_at"], closed_at)
        if (row["programme_id"], row["channel_id"]) in context.working_pairs:
            measures["delay_working_days"] = working_days_between(received_on, closed_on, holidays=context.holidays)
    if row["appealed_at"] is not None:
        counts["appeals"] = 1
        if row["appeal_reviewed_at"] is None:
            counts["appeals_pending"] = 1
            counts["appeals_overdue"] = row["appeal_due_on"] < context.today
        else:
            reviewed_on = local_date(row["appeal_reviewed_at"])
            counts["appeals_upheld"] = row["appeal_decision"] == Grievance.AppealDecision.UPHELD
            counts["appeals_reversed"] = row["appeal_decision"] == Grievance.AppealDecision.REVERSED
            counts["appeals_reviewed_within_deadline"] = reviewed_on <= row["appeal_due_on"]
            measures["appeal_delay_days"] = (reviewed_on - local_date(row["appealed_at"])).days
    return {name: int(value) for name, value in counts.items()}, measures


def _closed_at(row: dict) -> datetime:
    """The effective closure (§6.3.2), never before the reception (a date typed to the minute)."""
    return max(row["effective_closed_at"] or row["closure_validated_at"], row["received_at"])


def _month(moment: datetime) -> date:
    return local_date(moment).replace(day=1)


def _portable(queryset: QuerySet, *, group_bys: list, context: _Context) -> dict:
    """Any database: every row of the period read once, each figure added to each of its groups."""
    keyed = [group for group in group_bys if group is not None]
    key_columns = list(dict.fromkeys(column for group in keyed for column in BREAKDOWNS[group] if column != "month"))
    columns = list(dict.fromkeys([*_ROW, *key_columns]))
    sums: dict = {group: {} for group in group_bys}
    values: dict = {group: {} for group in group_bys}
    for row in queryset.order_by().values(*columns).iterator(chunk_size=5000):
        row["month"] = _month(row["received_at"])
        counts, measures = _measure(row, context)
        for group in group_bys:
            key = None if group is None else _key(tuple(row[column] for column in BREAKDOWNS[group]))
            total = sums[group].setdefault(key, dict.fromkeys(COUNTS, 0))
            for name, value in counts.items():
                total[name] += value
            lists = values[group].setdefault(key, {name: [] for name in MEASURES})
            for name, value in measures.items():
                lists[name].append(value)
    if None in group_bys:
        # The whole period always has its figures, even over no request.
        sums[None].setdefault(None, dict.fromkeys(COUNTS, 0))
        values[None].setdefault(None, {name: [] for name in MEASURES})
    results = {}
    for group in group_bys:
        results[group] = {}
        for key in sorted(sums[group], key=_order):
            stats = Statistics(**sums[group][key])
            for name, items in values[group][key].items():
                stats.delays[name] = Summary(
                    count=len(items),
                    total=sum(items),
                    median=float(pystatistics.median(items)) if items else None,
                )
            results[group][key] = stats
    return results
