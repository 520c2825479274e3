"""The definitions of docs/metrics.md in SQL: every breakdown of a period in one query on PostgreSQL.

`_measure` (reporting.statistics.portable) is the dictionary row by row; this module writes
the same definitions in SQL, and a test compares the two on every figure.

What costs at a million grievances (a semester holds some 200,000 requests) is the work per
row, and the medians most: an ordered-set aggregate sorts its rows once per breakdown. So:

- **Counts, sums and days.** Each request is reduced to one small integer, its *class*,
  that encodes every count of the dictionary it falls in (`_CLASS`, decoded by `_counts`),
  and to its delays: whole days (treatment or answer, appeal, working days) and exact
  microseconds. The rows are counted at the finest grain (every breakdown's key, the class
  and the days), and those groups rolled up into each breakdown (GROUPING SETS): a few
  thousand rows, whatever the number of requests. Days are small integers, so each
  breakdown's counts by number of days are its histogram, from which its mean and exact
  median are read here (`_Histograms`), without sorting a row.
- **Medians in hours**, the only ones that need an ordered-set aggregate (percentile_cont),
  over the rows whose first closure is validated, half of the breakdowns in each of two parts.

The parts run side by side, one process each (a Parallel Append). Means come from integer
sums, medians from the same integers, so both computations agree to the last digit. Every
part reads one of the two covering indexes of grievances migration 0016 (rows whose first
closure is validated, and the others), on the same condition as they are written, with the
local dates and delay that migration stores with each row.
"""

import functools
from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from reporting.statistics.core import BREAKDOWNS, MEASURES, Statistics, Summary, _Context, _key, _order

_SQL_ROW = {
    "s_status": "status",
    "s_kind": "request_kind",
    "s_outcome": "outcome",
    "s_programme": "programme_id",
    "s_channel": "channel_id",
    "s_received": "received_at",
    "s_due": "due_on",
    "s_validated": "closure_validated_at",
    "s_closed": "effective_closed_at",
    "s_appealed": "appealed_at",
    "s_appeal_due": "appeal_due_on",
    "s_reviewed": "appeal_reviewed_at",
    "s_decision": "appeal_decision",
}
# Stored generated columns of PostgreSQL (grievances migration 0016): the reception's and the
# effective closure's local dates, and the exact delay, written once with the row.
_GENERATED = {
    "s_received_on": "stat_received_on",
    "s_closed_on": "stat_closed_on",
    "s_us": "stat_delay_us",
}
_LOCAL = "(({0}) AT TIME ZONE 'Africa/Casablanca')::date"
# The two parts of a period's rows, as grievances migration 0016's partial indexes are written.
_TIMED, _UNTIMED = "s_validated IS NOT NULL", "s_validated IS NULL"

_COMPLAINT = "s_status NOT IN ('duplicate', 'received') AND s_kind = 'complaint'"
_REQUEST = "s_status NOT IN ('duplicate', 'received') AND s_kind = 'request'"
_CLOSED_ON, _RECEIVED_ON, _MICROSECONDS = "s_closed_on", "s_received_on", "s_us"

# A request's class: population + 4 × outcome + 12 × treatment + 48 × appeal, where
#   population: 0 duplicate, 1 to qualify, 2 not a complaint, 3 complaint;
#   outcome (complaints): 0 awaiting its conclusion, 1 founded, 2 unfounded;
#   treatment (complaints): 0 open, 1 open and overdue, 2 treated late, 3 treated within the deadline;
#   appeal (complaints): 0 none, 1 pending, 2 pending and overdue, 3 upheld late, 4 upheld within
#   its deadline, 5 reversed late, 6 reversed within its deadline.
_CLASS = f"""(
    CASE WHEN s_status = 'duplicate' THEN 0 WHEN s_status = 'received' THEN 1
         WHEN s_kind = 'request' THEN 2 ELSE 3 END
    + CASE WHEN {_COMPLAINT} THEN
        4 * CASE s_outcome WHEN 'founded' THEN 1 WHEN 'unfounded' THEN 2 ELSE 0 END
        + 12 * CASE WHEN s_validated IS NULL THEN CASE WHEN s_due < %(today)s THEN 1 ELSE 0 END
                    WHEN {_CLOSED_ON} <= s_due THEN 3 ELSE 2 END
        + 48 * CASE WHEN s_appealed IS NULL THEN 0
                    WHEN s_reviewed IS NULL THEN CASE WHEN s_appeal_due < %(today)s THEN 2 ELSE 1 END
                    ELSE CASE s_decision WHEN 'upheld' THEN 3 ELSE 5 END
                         + CASE WHEN {_LOCAL.format("s_reviewed")} <= s_appeal_due THEN 1 ELSE 0 END END
      ELSE 0 END
)"""


@functools.cache
def _counted(cls: int) -> tuple[str, ...]:
    """The counts a request of class `cls` adds one to."""
    return tuple(name for name, value in _counts(cls).items() if value)


def _counts(cls: int) -> dict[str, int]:
    """The counts of docs/metrics.md a request of class `cls` falls in (see `_CLASS`)."""
    population, outcome, treatment, appeal = cls % 4, cls // 4 % 3, cls // 12 % 4, cls // 48
    complaint = population == 3
    counts = {
        "received": population != 0,
        "complaints": complaint,
        "not_complaints": population == 2,
        "to_qualify": population == 1,
        "founded": complaint and outcome == 1,
        "unfounded": complaint and outcome == 2,
        "awaiting_conclusion": complaint and outcome == 0,
        "treated": complaint and treatment >= 2,
        "open": complaint and treatment < 2,
        "overdue": complaint and treatment == 1,
        "treated_within_deadline": complaint and treatment == 3,
        "appeals": appeal > 0,
        "appeals_pending": appeal in (1, 2),
        "appeals_upheld": appeal in (3, 4),
        "appeals_reversed": appeal in (5, 6),
        "appeals_reviewed_within_deadline": appeal in (4, 6),
        "appeals_overdue": appeal == 2,
        "duplicates": population == 0,
    }
    return {name: int(value) for name, value in counts.items()}


class _Histograms:
    """Counts by number of days, per `Statistics` and measure: the exact median and the total of
    a measure in whole days (`close` writes them into each `Summary`)."""

    def __init__(self):
        self.counts: dict[int, tuple[Statistics, dict[str, Counter]]] = {}

    def add(self, stats, cls, days, appeal_days, working_days, number, microseconds) -> None:
        """Add `number` requests of class `cls` (`_CLASS`) with these days and microseconds."""
        for name in _counted(cls):
            setattr(stats, name, getattr(stats, name) + number)
        if days is None:
            return  # not measured: a row whose first closure is not validated
        entry = self.counts.get(id(stats))
        if entry is None:
            entry = self.counts[id(stats)] = (stats, {name: Counter() for name in MEASURES})
        counters = entry[1]
        population, treatment, appeal = cls % 4, cls // 12 % 4, cls // 48
        if population == 3 and treatment >= 2:  # a treated complaint
            counters["delay_days"][days] += number
            if working_days is not None:
                counters["delay_working_days"][working_days] += number
            summary = stats.delays["delay_us"]
        else:  # an answered request
            counters["not_complaint_delay_days"][days] += number
            summary = stats.delays["not_complaint_delay_us"]
        summary.count += number
        summary.total += microseconds
        if appeal >= 3:  # a reviewed appeal
            counters["appeal_delay_days"][appeal_days] += number

    def close(self) -> None:
        for stats, counters in self.counts.values():
            for name, counter in counters.items():
                if counter:
                    stats.delays[name] = _summary(counter)


def _summary(counter: Counter) -> Summary:
    """Count, total and exact median of integers given by their counts (the median of an even
    count is the mean of the two middle values, as percentile_cont and statistics.median say)."""
    count = sum(counter.values())
    middle = {(count + 1) // 2, count // 2 + 1}
    found, seen = [], 0
    for value in sorted(counter):
        before, seen = seen, seen + counter[value]
        found += [value for rank in sorted(middle) if before < rank <= seen]
    return Summary(
        count=count, total=sum(value * number for value, number in counter.items()), median=sum(found) / len(found)
    )


def _measures(*, working: bool) -> dict[str, tuple[str, str]]:
    """Each delay measure: (the rows it is measured on, its integer value), over `_SQL_ROW`."""
    treated = f"{_COMPLAINT} AND s_validated IS NOT NULL"
    answered = f"{_REQUEST} AND s_validated IS NOT NULL"
    reviewed = f"{_COMPLAINT} AND s_reviewed IS NOT NULL"
    return {
        "delay_days": (treated, f"{_CLOSED_ON} - {_RECEIVED_ON}"),
        # The running counts of working days at both dates, joined in by `_joins`.
        "delay_working_days": (treated, "at_closure.n - at_reception.n" if working else "NULL::int"),
        "delay_us": (treated, _MICROSECONDS),
        "not_complaint_delay_days": (answered, f"{_CLOSED_ON} - {_RECEIVED_ON}"),
        "not_complaint_delay_us": (answered, _MICROSECONDS),
        "appeal_delay_days": (reviewed, f"{_LOCAL.format('s_reviewed')} - {_LOCAL.format('s_appealed')}"),
    }


_CALENDAR = """
    calendar AS (
        SELECT d::date AS day,
            SUM(CASE WHEN EXTRACT(ISODOW FROM d) < 6 AND NOT (d::date = ANY(%(holidays)s::date[]))
                THEN 1 ELSE 0 END) OVER (ORDER BY d) AS n
        FROM generate_series(%(calendar_start)s::date, %(calendar_end)s::date, interval '1 day') AS d
    ), working_pairs (p, c) AS (SELECT * FROM unnest(%(programmes)s::bigint[], %(channels)s::bigint[]))
"""


def _joins(*, working: bool) -> str:
    """The running counts of working days at a treated complaint's two dates (`_CALENDAR`):
    a delay in working days is their difference (grievances.deadlines.working_days_between)."""
    if not working:
        return ""
    on_working = "(period_rows.s_programme, period_rows.s_channel) IN (SELECT p, c FROM working_pairs)"
    return (
        f"LEFT JOIN calendar AS at_reception ON {on_working} AND at_reception.day = {_RECEIVED_ON} "
        f"LEFT JOIN calendar AS at_closure ON {on_working} AND at_closure.day = {_CLOSED_ON}"
    )


def _one_pass(queryset: QuerySet, *, group_bys: list, context: _Context, medians_in_hours=None) -> dict:
    """The figures of `reporting.statistics.portable._portable`, in one query on PostgreSQL."""
    keyed = [group for group in group_bys if group is not None]
    table = queryset.model._meta.db_table
    if "month" in keyed:
        month = f"date_trunc('month', \"{table}\".stat_received_on)::date"
        queryset = queryset.annotate(month=RawSQL(month, ()))  # noqa: S611 — our own column, no value in it
    aliases: dict[str, str] = {}  # key column path → alias
    for group in keyed:
        for path in BREAKDOWNS[group]:
            aliases.setdefault(path, f"k{len(aliases)}")
    selected = queryset.order_by().values(
        **{alias: _column(path) for path, alias in aliases.items()},
        **{alias: F(column) for alias, column in _SQL_ROW.items()},
        # Columns of the database, not of the model (grievances migration 0016): no value in them.
        **{alias: RawSQL(f'"{table}".{column}', ()) for alias, column in _GENERATED.items()},  # noqa: S611
    )
    base, params = _named(*selected.query.sql_with_params(), prefix="p")
    params["today"] = context.today
    working = bool(context.working_pairs)
    if working:
        pairs = sorted(context.working_pairs)
        params |= {
            "holidays": sorted(context.holidays),
            "calendar_start": context.start - timedelta(days=1),
            # Closures come after the period, up to now: three years of dates cover them.
            "calendar_end": max(context.today, context.start) + timedelta(days=3 * 366),
            "programmes": [p for p, _c in pairs],
            "channels": [c for _p, c in pairs],
        }
    sets = {group: tuple(aliases[path] for path in BREAKDOWNS[group]) if group else () for group in group_bys}
    distinct_sets = list(dict.fromkeys(sets.values()))
    all_keys = list(aliases.values())
    measures = _measures(working=working)
    # The parts, run side by side: the counts, sums and days of the rows of each index, and the
    # medians in hours of the rows whose first closure is validated (of the breakdowns that
    # want them), half of those breakdowns each when there are several.
    in_hours = [sets[group] for group in group_bys if medians_in_hours is None or group in medians_in_hours]
    in_hours = list(dict.fromkeys(in_hours))
    halves = [in_hours[0::2], in_hours[1::2]] if len(in_hours) > 3 else [in_hours] if in_hours else []
    parts = [
        *(_sums_part(base, all_keys, distinct_sets, measures, timed=timed, working=working) for timed in (True, False)),
        *(_medians_part(base, all_keys, part_sets) for part_sets in halves),
    ]
    prelude = f"WITH {_CALENDAR}" if working else ""
    sql = prelude + "\nUNION ALL\n".join(f"({part})" for part in parts)
    results: dict = {group: {} for group in group_bys}
    by_columns = {frozenset(columns): group for group, columns in sets.items()}
    width = max(len(all_keys), 1)
    connection = connections[queryset.db]
    enclosed = connection.in_atomic_block
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        # The parts are run side by side, each by one process (a Parallel Append under one
        # Gather), rather than one after the other each spread over the processes: a worker
        # costs more to start than it is assumed to, for this transaction only (SET LOCAL).
        cursor.execute("SET LOCAL parallel_setup_cost = 10000")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if enclosed:
            cursor.execute("RESET parallel_setup_cost")
    histograms = _Histograms()
    # Which breakdown a row belongs to, from its GROUPING flags, and where its key's columns
    # are: worked out once per combination of flags, not once per row.
    positions = {alias: width + index for index, alias in enumerate(all_keys)}
    by_flags: dict[tuple, tuple | None] = {}
    start = width + len(all_keys)
    for part, *row in rows:
        flags = tuple(row[:width])
        if flags not in by_flags:
            grouped = frozenset(alias for alias, flag in zip(all_keys, flags, strict=False) if flag == 0)
            group = by_columns.get(grouped, _UNKNOWN)
            by_flags[flags] = (group, [positions[alias] for alias in sets[group]]) if group in results else None
        found = by_flags[flags]
        if found is None:
            continue
        group, columns = found
        key = _key(tuple(_sql_value(row[column]) for column in columns)) if group else None
        by_key = results[group]
        stats = by_key.get(key)
        if stats is None:
            stats = by_key[key] = Statistics()
        if part == "sums":
            cls, days, appeal_days, working_days, number, seconds, microseconds = row[start : start + 7]
            histograms.add(stats, cls, days, appeal_days, working_days, number, seconds * 1_000_000 + microseconds)
        else:
            stats.delays["delay_us"].median, stats.delays["not_complaint_delay_us"].median = row[start + 7 : start + 9]
    histograms.close()
    # The empty grouping set gives a row even over no rows, so the whole period always has its
    # figures; a breakdown has a row only where rows have its key.
    return {group: dict(sorted(found.items(), key=lambda item: _order(item[0]))) for group, found in results.items()}


_UNKNOWN = object()


def _column(path: str):
    """A breakdown's key column. Web or not is read from the channel's id against the list of
    web channels (a dozen ids), not from a join that every row of the period would go through."""
    if path == "channel__is_web":
        from pmpp.models import Channel

        web = list(Channel.objects.filter(is_web=True).values_list("pk", flat=True))
        return ExpressionWrapper(Q(channel_id__in=web or [0]), output_field=BooleanField())
    return F(path)


def _grouping(all_keys: list[str], part_sets: list[tuple]) -> tuple[str, str, str]:
    """(GROUPING flags, key columns, GROUPING SETS) of a part that rolls up `part_sets`: keys that
    none of its sets uses are written NULL, flagged as rolled up."""
    used = {alias for columns in part_sets for alias in columns}
    flags = ", ".join(f"GROUPING({alias})" if alias in used else "1" for alias in all_keys) or "0"
    keys = "".join(f"{alias}, " if alias in used else "NULL, " for alias in all_keys)
    grouping = ", ".join(f"({', '.join(columns)})" for columns in part_sets)
    return flags, keys, grouping


# What a counts-and-sums part gives for each group, class and number of days: the number of
# requests and their microseconds, as seconds and the remainder (integer sums, exact and fast
# where a sum of 64-bit integers would be a slow numeric one).
_DAYS = ("days", "appeal_days", "working_days")
_SUMS = ("n", "seconds", "microseconds")


def _sums_part(
    base: str, all_keys: list[str], part_sets: list[tuple], measures: dict, *, timed: bool, working: bool
) -> str:
    """The rows of one index, counted at the finest grain (every key, the class and the days),
    then rolled up into each breakdown with their class and days."""
    flags, keys, _grouping_sets = _grouping(all_keys, part_sets)
    finest = "".join(f"{alias}, " for alias in all_keys)
    days = ", ".join(_DAYS)
    if timed:
        # Every such row is a treated complaint or an answered request (a first closure is
        # validated): its days and microseconds are measured; the class tells which.
        values = (
            f"{_CLOSED_ON} - {_RECEIVED_ON} AS days, "
            f"CASE WHEN s_reviewed IS NOT NULL THEN {measures['appeal_delay_days'][1]} END AS appeal_days, "
            f"{measures['delay_working_days'][1] if working else 'NULL::int'} AS working_days, "
            "(s_us / 1000000)::int AS seconds, (s_us %% 1000000)::int AS microseconds"
        )
        counted = f"{days}, COUNT(*) AS n, SUM(seconds) AS seconds, SUM(microseconds) AS microseconds"
        grain, joins, condition = f"{finest} cls, {days}", _joins(working=working), _TIMED
    else:
        # No first closure validated: nothing is measured on these rows, only counted.
        values, counted = (
            "",
            ", ".join(
                [*(f"NULL::int AS {name}" for name in _DAYS), "COUNT(*) AS n", "0 AS seconds", "0 AS microseconds"]
            ),
        )
        grain, joins, condition = f"{finest} cls", "", _UNTIMED
    rolled = ", ".join(f"COALESCE(SUM({name}), 0)::bigint" for name in _SUMS)
    rollups = ", ".join(f"({', '.join((*columns, 'cls', days))})" for columns in part_sets)
    return f"""
        SELECT 'sums', {flags}, {keys} cls, {days}, {rolled}, NULL::float8, NULL::float8
        FROM (
            SELECT {finest} cls, {counted}
            FROM (
                SELECT {finest} {_CLASS} AS cls {", " + values if values else ""}
                FROM ({base}) AS period_rows {joins}
                WHERE {condition}
            ) AS every_row
            GROUP BY {grain}
        ) AS finest_groups
        GROUP BY GROUPING SETS ({rollups})
    """  # noqa: S608 — aliases and SQL are ours; values travel as parameters


def _medians_part(base: str, all_keys: list[str], part_sets: list[tuple]) -> str:
    """The medians in hours of the treated complaints and of the answered requests."""
    flags, keys, grouping = _grouping(all_keys, part_sets)
    used = [alias for alias in all_keys if any(alias in columns for columns in part_sets)]
    nothing = ", ".join(["NULL::int"] * (1 + len(_DAYS)) + ["0::bigint"] * len(_SUMS))
    return f"""
        SELECT 'medians', {flags}, {keys} {nothing},
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY complaint_us),
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY request_us)
        FROM (
            SELECT {"".join(f"{alias}, " for alias in used)}
                CASE WHEN s_kind = 'complaint' THEN s_us::float8 END AS complaint_us,
                CASE WHEN s_kind = 'request' THEN s_us::float8 END AS request_us
            FROM ({base}) AS period_rows
            WHERE {_TIMED}
        ) AS measured
        GROUP BY GROUPING SETS ({grouping})
    """  # noqa: S608 — aliases and SQL are ours; values travel as parameters


def _named(sql: str, params: Collection, *, prefix: str) -> tuple[str, dict]:
    """The ORM's positional placeholders as named ones (`prefix` and a number), so that the text
    can use them several times and several queries' texts can be joined."""
    parts = sql.split("%s")
    if len(parts) - 1 != len(params):
        raise ValueError("The base query's placeholders and parameters disagree.")
    names = {f"{prefix}{index}": value for index, value in enumerate(params)}
    text = parts[0] + "".join(f"%({prefix}{index})s{part}" for index, part in enumerate(parts[1:]))
    return text, names


def _sql_value(value):
    # A month truncated in local time comes back as a naive timestamp from a raw cursor.
    if isinstance(value, datetime):
        return value.date()
    return value
