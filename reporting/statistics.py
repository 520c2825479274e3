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

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from grievances.models import Grievance

S = Grievance.Status
_GROUPINGS = {
    "programme": ("programme__name", "programme__name"),
    "channel": ("channel__name", "channel__name"),
    "channel_group": ("channel__is_web", "channel__is_web"),
    # Categories of different programmes share names (« Autre »): the key names the programme.
    "category": ("category_label", "category_label"),
    "region": ("region__name", "region__name"),
    "sex": ("complainant_sex", "complainant_sex"),
    "month": ("month", "month"),
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

    @property
    def treated_within_deadline_rate(self) -> float | None:
        """Share of treated requests closed by their due date (effective closure date)."""
        return round(100 * self.treated_within_deadline / self.treated, 1) if self.treated else None

    @property
    def treated_rate(self) -> float | None:
        return round(100 * self.treated / self.received, 1) if self.received else None

    @property
    def average_delay_hours(self) -> float | None:
        return round(pystatistics.fmean(self.delays_hours), 1) if self.delays_hours else None

    @property
    def median_delay_hours(self) -> float | None:
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
    key = _GROUPINGS[group][0]
    queryset = _annotate_group(queryset, group)
    rows = queryset.values(key).annotate(**aggregates).order_by(key)
    return {row.pop(key): row for row in rows}


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
    results: dict = {
        group: {key: Statistics(**counts) for key, counts in _counts(queryset, as_of=as_of, group=group).items()}
        for group in group_bys
    }
    # Delays and on-time closures, from the effective closure date (§6.3.2).
    closed = queryset.filter(status=S.CLOSED, effective_closed_at__isnull=False)
    for group in group_bys:
        closed = _annotate_group(closed, group)
    keyed = [group for group in group_bys if group is not None]
    fields = ["received_at", "effective_closed_at", "due_on", *(_GROUPINGS[group][0] for group in keyed)]
    zone = timezone.get_default_timezone()
    for row in closed.values_list(*fields).iterator(chunk_size=5000):
        received_at, closed_at, due_on = row[:3]
        hours = max(0.0, (closed_at - received_at).total_seconds() / 3600)
        on_time = closed_at.astimezone(zone).date() <= due_on
        keys = dict(zip(keyed, row[3:], strict=True))
        for group in group_bys:
            stats = results[group].setdefault(keys.get(group), Statistics())
            stats.delays_hours.append(hours)
            stats.treated_within_deadline += on_time
    return results
