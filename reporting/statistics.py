"""Grievance statistics for any period and filter (SPEC §6, PMPP §6.2.6).

Counts come from one aggregate query per breakdown; treatment delays are measured from the
reception date to the effective closure date of §6.3.2 (a broken commitment closes when
the treatment was actually carried out), never from raw timestamps. Duplicates are linked
to their original and not counted twice; sensitive GBV/SEA/SH cases are never part of these
figures (they have their own anonymous aggregates).
"""

import statistics as pystatistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, connections
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from grievances.models import Grievance

S = Grievance.Status
# Breakdown → the columns its key is made of (a tuple key when there are several).
_GROUPINGS = {
    "programme": ("programme__name",),
    "channel": ("channel__name",),
    "channel_group": ("channel__is_web",),
    # Categories of different programmes share names (« Autre »): the key names the programme.
    "category": ("category_label",),
    # The same, as a (programme, category) pair; no category is (programme, None).
    "programme_category": ("programme__name", "category__name"),
    "region": ("region__name",),
    "sex": ("complainant_sex",),
    "month": ("month",),
}


@dataclass(frozen=True)
class Period:
    """An inclusive range of reception dates, in Moroccan local time."""

    start: date
    end: date
    label: str = ""

    @classmethod
    def quarter(cls, year: int, number: int) -> "Period":
        if number not in (1, 2, 3, 4):
            raise ValueError("A quarter is numbered 1 to 4.")
        start = date(year, 3 * number - 2, 1)
        end = (date(year + (number == 4), (3 * number) % 12 + 1, 1)) - timedelta(days=1)
        return cls(start, end, f"T{number} {year}")

    @classmethod
    def semester(cls, year: int, number: int) -> "Period":
        if number not in (1, 2):
            raise ValueError("A semester is numbered 1 or 2.")
        start = date(year, 1 if number == 1 else 7, 1)
        end = date(year, 6, 30) if number == 1 else date(year, 12, 31)
        return cls(start, end, f"S{number} {year}")

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


@dataclass(frozen=True)
class Filters:
    programme_ids: tuple[int, ...] = ()
    channel_ids: tuple[int, ...] = ()
    web: bool | None = None  # True: web channels only; False: non-web only
    category_ids: tuple[int, ...] = ()
    region_ids: tuple[int, ...] = ()
    sexes: tuple[str, ...] = ()

    def q(self) -> Q:
        q = Q()
        if self.programme_ids:
            q &= Q(programme_id__in=self.programme_ids)
        if self.channel_ids:
            q &= Q(channel_id__in=self.channel_ids)
        if self.web is not None:
            q &= Q(channel__is_web=self.web)
        if self.category_ids:
            q &= Q(category_id__in=self.category_ids)
        if self.region_ids:
            q &= Q(region_id__in=self.region_ids)
        if self.sexes:
            q &= Q(complainant_sex__in=self.sexes)
        return q


@dataclass
class Statistics:
    received: int = 0
    complaints: int = 0
    not_complaints: int = 0
    founded: int = 0
    unfounded: int = 0
    treated: int = 0
    open: int = 0
    overdue: int = 0
    treated_within_deadline: int = 0
    appeals: int = 0
    duplicates: int = 0
    delays_hours: list[float] = field(default_factory=list, repr=False)
    # Computed by the database (PostgreSQL) instead of from `delays_hours`.
    average_hours: float | None = field(default=None, repr=False)
    median_hours: float | None = field(default=None, repr=False)

    @property
    def treated_within_deadline_rate(self) -> float | None:
        """Share of treated requests closed by their due date (effective closure date)."""
        return round(100 * self.treated_within_deadline / self.treated, 1) if self.treated else None

    @property
    def treated_rate(self) -> float | None:
        return round(100 * self.treated / self.received, 1) if self.received else None

    @property
    def average_delay_hours(self) -> float | None:
        if self.average_hours is not None:
            return round(self.average_hours, 1)
        return round(pystatistics.fmean(self.delays_hours), 1) if self.delays_hours else None

    @property
    def median_delay_hours(self) -> float | None:
        if self.median_hours is not None:
            return round(self.median_hours, 1)
        return round(pystatistics.median(self.delays_hours), 1) if self.delays_hours else None

    @property
    def average_delay_days(self) -> float | None:
        hours = self.average_delay_hours
        return round(hours / 24, 1) if hours is not None else None

    @property
    def median_delay_days(self) -> float | None:
        hours = self.median_delay_hours
        return round(hours / 24, 1) if hours is not None else None

    def as_dict(self) -> dict:
        names = [
            "received", "complaints", "not_complaints", "founded", "unfounded", "treated", "open", "overdue",
            "treated_within_deadline", "appeals", "duplicates", "treated_rate", "treated_within_deadline_rate",
            "average_delay_hours", "median_delay_hours", "average_delay_days", "median_delay_days",
        ]  # fmt: skip
        return {name: getattr(self, name) for name in names}


def _base(*, user, period: Period, filters: Filters) -> QuerySet:
    start, end = period.bounds()
    return (
        Grievance.objects.visible_to(user)
        .exclude(status=S.SENSITIVE)
        .filter(filters.q(), received_at__gte=start, received_at__lt=end)
    )


def _annotate_group(queryset: QuerySet, group: str | None) -> QuerySet:
    if group == "month":
        return queryset.annotate(month=TruncMonth("received_at"))
    if group == "category":
        return queryset.annotate(
            category_label=Concat("category__programme__reference_prefix", Value(" · "), "category__name")
        )
    return queryset


def _counts(queryset: QuerySet, *, as_of: date, group: str | None) -> dict:
    live = ~Q(status=S.DUPLICATE)
    closed = live & Q(status=S.CLOSED)
    aggregates = {
        "received": Count("pk", filter=live),
        "complaints": Count("pk", filter=live & Q(request_kind=Grievance.RequestKind.COMPLAINT)),
        "not_complaints": Count("pk", filter=live & Q(request_kind=Grievance.RequestKind.REQUEST)),
        "founded": Count("pk", filter=live & Q(outcome=Grievance.Outcome.FOUNDED)),
        "unfounded": Count("pk", filter=live & Q(outcome=Grievance.Outcome.UNFOUNDED)),
        "treated": Count("pk", filter=closed),
        "open": Count("pk", filter=live & ~Q(status=S.CLOSED)),
        "overdue": Count("pk", filter=live & ~Q(status=S.CLOSED) & Q(due_on__lt=as_of)),
        "appeals": Count("pk", filter=live & Q(appeal_count__gt=0)),
        "duplicates": Count("pk", filter=Q(status=S.DUPLICATE)),
    }
    if group is None:
        return {None: queryset.aggregate(**aggregates)}
    keys = _GROUPINGS[group]
    queryset = _annotate_group(queryset, group)
    rows = queryset.values(*keys).annotate(**aggregates).order_by(*keys)
    return {_key(tuple(row.pop(k) for k in keys)): row for row in rows}


def _key(values: tuple):
    return values[0] if len(values) == 1 else values


def grievance_statistics(
    *, user, period: Period, filters: Filters | None = None, group_by: str | None = None, as_of: date | None = None
) -> dict:
    """Statistics of the period, whole (`group_by=None`, key None) or per programme, channel,
    web/non-web, category, region, sex or month. Everything stays within the user's visibility.
    """
    return grievance_statistics_by(user=user, period=period, filters=filters, group_bys=[group_by], as_of=as_of)[
        group_by
    ]


def grievance_statistics_by(
    *, user, period: Period, filters: Filters | None = None, group_bys: list, as_of: date | None = None
) -> dict:
    """The statistics of several breakdowns at once: {group_by: {key: Statistics}}.

    Counts take one aggregate query per breakdown; the closed grievances, whose delays are
    measured one by one, are read once for all breakdowns (a dashboard asks for eight).
    """
    unknown = [group for group in group_bys if group is not None and group not in _GROUPINGS]
    if unknown:
        raise ValueError(f"Unknown breakdown {unknown[0]!r}")
    filters = filters or Filters()
    as_of = as_of or timezone.localdate()
    queryset = _base(user=user, period=period, filters=filters)
    if connection.vendor == "postgresql":
        return _by_grouping_sets(queryset, group_bys=group_bys, as_of=as_of)
    return _portable(queryset, group_bys=group_bys, as_of=as_of)


def _portable(queryset: QuerySet, *, group_bys: list, as_of: date) -> dict:
    """Any database: one aggregate query per breakdown, then the closed grievances read once
    for their delays (SQLite, the development default)."""
    results: dict = {
        group: {key: Statistics(**counts) for key, counts in _counts(queryset, as_of=as_of, group=group).items()}
        for group in group_bys
    }
    # Delays and on-time closures, from the effective closure date (§6.3.2).
    closed = queryset.filter(status=S.CLOSED, effective_closed_at__isnull=False)
    for group in group_bys:
        closed = _annotate_group(closed, group)
    keyed = [group for group in group_bys if group is not None]
    columns = {group: _GROUPINGS[group] for group in keyed}
    fields = ["received_at", "effective_closed_at", "due_on", *(c for group in keyed for c in columns[group])]
    zone = timezone.get_default_timezone()
    for row in closed.values_list(*fields).iterator(chunk_size=5000):
        received_at, closed_at, due_on = row[:3]
        hours = max(0.0, (closed_at - received_at).total_seconds() / 3600)
        on_time = closed_at.astimezone(zone).date() <= due_on
        values, keys = row[3:], {}
        for group in keyed:
            width = len(columns[group])
            keys[group], values = _key(values[:width]), values[width:]
        for group in group_bys:
            stats = results[group].setdefault(keys.get(group), Statistics())
            stats.delays_hours.append(hours)
            stats.treated_within_deadline += on_time
    return results


# --- PostgreSQL: every breakdown in one scan ---------------------------------------------------------------

# The row-level columns the aggregates read, as aliases of the base query.
_ROW_COLUMNS = {
    "s_status": "status",
    "s_kind": "request_kind",
    "s_outcome": "outcome",
    "s_appeals": "appeal_count",
    "s_due": "due_on",
    "s_received": "received_at",
    "s_closed": "effective_closed_at",
}


# Integer keys group faster than names: the database groups by ids, names are put back after.
_ID_GROUPINGS = {
    "programme": ("programme_id",),
    "channel": ("channel_id",),
    "channel_group": ("channel__is_web",),
    "category": ("category_id",),
    "programme_category": ("programme_id", "category_id"),
    "region": ("region_id",),
    "sex": ("complainant_sex",),
    "month": ("month",),
}


def _labeller(group_bys: list):
    """Turns the id keys of `_ID_GROUPINGS` into the keys of the portable path (names)."""
    from pmpp.models import Channel, ComplaintCategory, Programme, Region

    wanted = set(group_bys)
    programmes = (
        dict(Programme.objects.values_list("pk", "name")) if wanted & {"programme", "programme_category"} else {}
    )
    channels = dict(Channel.objects.values_list("pk", "name")) if "channel" in wanted else {}
    regions = dict(Region.objects.values_list("pk", "name")) if "region" in wanted else {}
    categories = {}
    if wanted & {"category", "programme_category"}:
        categories = {
            pk: (f"{prefix} · {name}", name)
            for pk, prefix, name in ComplaintCategory.objects.values_list("pk", "programme__reference_prefix", "name")
        }

    def label(group: str, parts: tuple):
        if group == "programme":
            return programmes.get(parts[0])
        if group == "channel":
            return channels.get(parts[0])
        if group == "region":
            return regions.get(parts[0])
        if group == "category":
            return categories[parts[0]][0] if parts[0] is not None else None
        if group == "programme_category":
            return (programmes.get(parts[0]), categories[parts[1]][1] if parts[1] is not None else None)
        if group == "month":
            return _local(parts[0])
        return parts[0]

    return label


def _by_grouping_sets(queryset: QuerySet, *, group_bys: list, as_of: date) -> dict:
    """The same figures as the portable path, from one query over the period's rows, on
    PostgreSQL: GROUPING SETS, delays averaged and their median taken (percentile_cont) by
    the database, no row sent back.

    A quarter at a million grievances holds a quarter of a million rows, so what costs is the
    work per row, and the costliest is the median: its rows are sorted once per breakdown.
    So only the rows with a delay (closed, with a closure date) go through that sorted pass,
    which also counts them. The others, most of a recent quarter, are only counted: summed
    once at the finest grain (every breakdown's key together: some ten thousand groups for a
    recent quarter at a million grievances), and those groups rolled up into each breakdown.
    The two parts' counts are added here.
    """
    keyed = [group for group in group_bys if group is not None]
    if "month" in keyed:
        queryset = _annotate_group(queryset, "month")
    aliases: dict[str, str] = {}  # key column path → alias
    for group in keyed:
        for path in _ID_GROUPINGS[group]:
            aliases.setdefault(path, f"k{len(aliases)}")
    selected = queryset.order_by().values(
        **{alias: F(path) for path, alias in aliases.items()},
        **{alias: F(column) for alias, column in _ROW_COLUMNS.items()},
    )
    base_sql, params = selected.query.sql_with_params()
    sets = {group: tuple(aliases[path] for path in _ID_GROUPINGS[group]) if group else () for group in group_bys}
    label = _labeller(keyed)
    by_columns = {frozenset(columns): group for group, columns in sets.items()}
    all_keys = list(aliases.values())
    keys = "".join(f"{alias}, " for alias in all_keys)
    grouping = ", ".join(f"({', '.join(columns)})" for columns in dict.fromkeys(sets.values()))
    flags = ", ".join(f"GROUPING({alias})" for alias in all_keys) or "0"
    finest = f"GROUP BY {', '.join(all_keys)}" if all_keys else ""
    live = "s_status <> 'duplicate'"
    closed = "s_status = 'closed'"
    timed = f"{closed} AND s_closed IS NOT NULL"
    zone = timezone.get_default_timezone_name()
    # Each row's conditions are evaluated once, as 0/1 flags, then summed.
    flags_sql = {
        "received": live,
        "complaints": f"{live} AND s_kind = 'complaint'",
        "not_complaints": f"{live} AND s_kind = 'request'",
        "founded": f"{live} AND s_outcome = 'founded'",
        "unfounded": f"{live} AND s_outcome = 'unfounded'",
        "treated": closed,
        "open": f"{live} AND s_status <> 'closed'",
        "overdue": f"{live} AND s_status <> 'closed' AND s_due < %s",
        "appeals": f"{live} AND s_appeals > 0",
        "duplicates": "s_status = 'duplicate'",
        "treated_within_deadline": f"{timed} AND (s_closed AT TIME ZONE %s)::date <= s_due",
    }
    row_flags = ", ".join(f"({condition})::int AS f_{name}" for name, condition in flags_sql.items())
    sums = ", ".join(f"COALESCE(SUM(f_{name}), 0)::bigint" for name in flags_sql)
    sql = f"""
        SELECT 'timed', {flags}, {keys} {sums},
            AVG(hours),
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hours)
        FROM (
            SELECT {keys} {row_flags},
                GREATEST(0, EXTRACT(EPOCH FROM (s_closed - s_received)) / 3600)::float AS hours
            FROM ({base_sql}) AS period_rows
            WHERE {timed}
        ) AS timed_rows
        GROUP BY GROUPING SETS ({grouping})
        UNION ALL
        SELECT 'untimed', {flags}, {keys} {sums}, NULL::float, NULL::float
        FROM (
            SELECT {keys} {", ".join(f"SUM(f_{name}) AS f_{name}" for name in flags_sql)}
            FROM (
                SELECT {keys} {row_flags}
                FROM ({base_sql}) AS period_rows
                WHERE NOT ({timed})
            ) AS untimed_rows
            {finest}
        ) AS finest_groups
        GROUP BY GROUPING SETS ({grouping})
    """  # noqa: S608 — aliases and SQL are ours; values travel as parameters
    results: dict = {group: {} for group in group_bys}
    count_names = list(flags_sql)
    width = len(all_keys) if all_keys else 1
    with connections[queryset.db].cursor() as cursor:
        # The parameters in the order they appear in the text.
        cursor.execute(sql, [as_of, zone, *params, as_of, zone, *params])
        for part, *row in cursor.fetchall():
            flags_row, keys_row, figures = row[:width], row[width : width + len(all_keys)], row[width + len(all_keys) :]
            grouped = frozenset(alias for alias, flag in zip(all_keys, flags_row, strict=False) if flag == 0)
            group = by_columns.get(grouped)
            if group not in results:
                continue
            values = dict(zip(all_keys, keys_row, strict=True))
            key = label(group, tuple(values[alias] for alias in sets[group])) if group else None
            stats = results[group].setdefault(key, Statistics())
            for name, count in zip(count_names, figures[:11], strict=True):
                setattr(stats, name, getattr(stats, name) + count)
            if part == "timed":
                stats.average_hours, stats.median_hours = figures[11], figures[12]
    # The empty grouping set gives a row even over no rows, so the whole period always has its
    # figures; a breakdown has a row only where rows have its key.
    return {group: dict(sorted(rows.items(), key=lambda item: _order(item[0]))) for group, rows in results.items()}


def _local(value):
    # A month truncated in local time comes back naive from a raw cursor; the ORM makes it aware.
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _order(key) -> tuple:
    parts = key if isinstance(key, tuple) else (key,)
    return tuple((part is None, part if part is not None else 0) for part in parts)
