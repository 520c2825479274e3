"""The figures of the metric dictionary, as data: periods, filters, breakdowns, `Statistics`.

What every computation shares (reporting.statistics.portable and .postgres): the breakdowns
and their key columns, the counts and delay measures of a `Statistics`, and the context the
definitions need besides the rows (the situation date, the working-day calendar).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from grievances.deadlines import MICROSECONDS_PER_HOUR, MOROCCO

# The breakdowns: name → the columns (ids) its key is made of, a tuple key when several.
BREAKDOWNS = {
    "programme": ("programme_id",),
    "channel": ("channel_id",),
    "channel_group": ("channel__is_web",),
    "category": ("category_id",),
    "programme_category": ("programme_id", "category_id"),
    "region": ("region_id",),
    "sex": ("complainant_sex",),
    "month": ("month",),
    "not_complaint_kind": ("not_complaint_kind_id",),
    "unfounded_reason": ("unfounded_reason_id",),
}


@dataclass(frozen=True)
class Period:
    """An inclusive range of reception dates, in Moroccan local time (§6.3.1)."""

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
        return (
            datetime.combine(self.start, time.min, tzinfo=MOROCCO),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=MOROCCO),
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
class Summary:
    """Count, exact integer total and median of one delay measure (days, working days or µs)."""

    count: int = 0
    total: int = 0
    median: float | None = None

    def mean(self, unit: int = 1) -> float | None:
        return self.total / self.count / unit if self.count else None

    def median_in(self, unit: int = 1) -> float | None:
        return self.median / unit if self.median is not None else None


# The counts of `Statistics`, in the order of the dictionary.
COUNTS = (
    "received", "complaints", "not_complaints", "to_qualify", "founded", "unfounded", "awaiting_conclusion",
    "treated", "open", "overdue", "treated_within_deadline", "appeals", "appeals_pending", "appeals_upheld",
    "appeals_reversed", "appeals_reviewed_within_deadline", "appeals_overdue", "duplicates",
)  # fmt: skip
# The delay measures: measure → (its summary's attribute, unit dividing the integers it sums).
# The measures in microseconds, whose medians alone need a sort per breakdown.
HOURS = ("delay_us", "not_complaint_delay_us")
MEASURES = {
    "delay_days": 1,
    "delay_working_days": 1,
    "delay_us": MICROSECONDS_PER_HOUR,
    "not_complaint_delay_days": 1,
    "not_complaint_delay_us": MICROSECONDS_PER_HOUR,
    "appeal_delay_days": 1,
}


@dataclass
class Statistics:
    """Every figure of docs/metrics.md for one set of requests, exact (surfaces round them)."""

    received: int = 0
    complaints: int = 0
    not_complaints: int = 0
    to_qualify: int = 0
    founded: int = 0
    unfounded: int = 0
    awaiting_conclusion: int = 0
    treated: int = 0
    open: int = 0
    overdue: int = 0
    treated_within_deadline: int = 0
    appeals: int = 0
    appeals_pending: int = 0
    appeals_upheld: int = 0
    appeals_reversed: int = 0
    appeals_reviewed_within_deadline: int = 0
    appeals_overdue: int = 0
    duplicates: int = 0
    delays: dict[str, Summary] = field(default_factory=lambda: {name: Summary() for name in MEASURES}, repr=False)

    # --- rates: numerator ÷ denominator, in percent --------------------------------------

    @property
    def treated_rate(self) -> float | None:
        """Treated complaints ÷ complaints."""
        return 100 * self.treated / self.complaints if self.complaints else None

    @property
    def treated_within_deadline_rate(self) -> float | None:
        """Treated within the deadline ÷ treated complaints."""
        return 100 * self.treated_within_deadline / self.treated if self.treated else None

    # --- delays ------------------------------------------------------------------------------

    def _mean(self, measure: str) -> float | None:
        return self.delays[measure].mean(MEASURES[measure])

    def _median(self, measure: str) -> float | None:
        return self.delays[measure].median_in(MEASURES[measure])

    @property
    def average_delay_days(self) -> float | None:
        return self._mean("delay_days")

    @property
    def median_delay_days(self) -> float | None:
        return self._median("delay_days")

    @property
    def average_delay_working_days(self) -> float | None:
        return self._mean("delay_working_days")

    @property
    def median_delay_working_days(self) -> float | None:
        return self._median("delay_working_days")

    @property
    def average_delay_hours(self) -> float | None:
        return self._mean("delay_us")

    @property
    def median_delay_hours(self) -> float | None:
        return self._median("delay_us")

    @property
    def not_complaint_average_delay_days(self) -> float | None:
        return self._mean("not_complaint_delay_days")

    @property
    def not_complaint_median_delay_days(self) -> float | None:
        return self._median("not_complaint_delay_days")

    @property
    def not_complaint_average_delay_hours(self) -> float | None:
        return self._mean("not_complaint_delay_us")

    @property
    def not_complaint_median_delay_hours(self) -> float | None:
        return self._median("not_complaint_delay_us")

    @property
    def appeal_average_delay_days(self) -> float | None:
        return self._mean("appeal_delay_days")

    @property
    def appeal_median_delay_days(self) -> float | None:
        return self._median("appeal_delay_days")

    def as_dict(self) -> dict:
        """Every figure by its dictionary key (`FIGURES`, each a term of `reporting.metrics`), exact."""
        return {name: getattr(self, name) for name in FIGURES}


# The figures of a `Statistics`, in the dictionary's order: the keys every surface shows.


FIGURES = (
    "received", "complaints", "not_complaints", "to_qualify", "founded", "unfounded", "awaiting_conclusion",
    "treated", "treated_rate", "open", "overdue", "treated_within_deadline", "treated_within_deadline_rate",
    "average_delay_days", "median_delay_days", "average_delay_working_days", "median_delay_working_days",
    "average_delay_hours", "median_delay_hours",
    "not_complaint_average_delay_days", "not_complaint_median_delay_days",
    "not_complaint_average_delay_hours", "not_complaint_median_delay_hours",
    "appeals", "appeals_pending", "appeals_upheld", "appeals_reversed", "appeals_overdue",
    "appeals_reviewed_within_deadline", "appeal_average_delay_days", "appeal_median_delay_days", "duplicates",
)  # fmt: skip


@dataclass(frozen=True)
class _Context:
    """What the definitions need besides the rows: the situation date and the working-day calendar."""

    today: date
    start: date
    # (programme id, channel id) pairs whose deadline counts working days, and the holidays.
    working_pairs: frozenset[tuple[int, int]]
    holidays: frozenset[date]

    @classmethod
    def read(cls, *, period: Period, today: date) -> "_Context":
        """The policies in force say which requests count working days (the channel's own
        policy, else the programme's default, as `grievances.services.intake` picks them)."""
        from pmpp.models import Channel, DeadlinePolicy, PublicHoliday

        working = DeadlinePolicy.DayKind.WORKING
        policies = list(DeadlinePolicy.objects.values_list("programme_id", "channel_id", "day_kind"))
        pairs: set[tuple[int, int]] = set()
        if any(kind == working for _programme, _channel, kind in policies):
            kinds = {(programme, channel): kind for programme, channel, kind in policies}
            for channel in Channel.objects.values_list("pk", flat=True):
                for programme in {programme for programme, _channel, _kind in policies}:
                    if kinds.get((programme, channel), kinds.get((programme, None))) == working:
                        pairs.add((programme, channel))
        holidays = frozenset(PublicHoliday.objects.values_list("date", flat=True)) if pairs else frozenset()
        return cls(today=today, start=period.start, working_pairs=frozenset(pairs), holidays=holidays)


def _key(values: tuple):
    return values[0] if len(values) == 1 else values


def _order(key) -> tuple:
    parts = key if isinstance(key, tuple) else (key,)
    return tuple((part is None, part if part is not None else 0) for part in parts)
