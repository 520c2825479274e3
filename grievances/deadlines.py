"""Deadlines, SLA status and the closure date of a grievance (PMPP §6.2.2, §6.3.2, §6.3.3; SPEC 5.3, 5.5).

Pure functions: no database access and no settings, so that queues, notifications and the
semester report all measure time with the same rules and those rules can be tested alone.

- Treatment deadline (§6.2.2, §6.3.3): 10 days from the reception date, 60 days for complaints
  submitted to the Médiateur du Royaume; calendar days unless the programme's policy says
  working days, in which case weekends and Moroccan public holidays do not count.
- Acknowledgement deadline: the policy's acknowledgement days (2 calendar days by default).
- SLA status: cases due soon and overdue are highlighted so that nothing waits silently (SPEC 5.3).
- Closure date rule (§6.3.2): treatment time is measured up to the notification date of a
  commitment honoured at the first attempt, up to the date a renewed commitment was actually
  carried out when an earlier one was broken (penalty principle), and up to the validation of
  the closure when there was no commitment.
- GBV/SEA/SH referral (SPEC 5.5): a sensitive case is referred to a specialised NGO within 24 hours.

Callers pass the deadline policy (days, calendar or working) and the public holidays
(`pmpp.models.PublicHoliday` dates); this module chooses none of them.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

# Deadlines run on Moroccan dates whatever the server's TIME_ZONE: a complaint received at
# 23:30 UTC in winter was received the next day in Morocco (UTC+1).
MOROCCO = ZoneInfo("Africa/Casablanca")

# Morocco's weekend is Saturday and Sunday (date.weekday(): Monday is 0).
_WEEKEND = frozenset({5, 6})

COMMITMENT_PENDING = "pending"
COMMITMENT_HONOURED = "honoured"
COMMITMENT_BROKEN = "broken"
COMMITMENT_STATUSES = frozenset({COMMITMENT_PENDING, COMMITMENT_HONOURED, COMMITMENT_BROKEN})


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment.isoformat()}")


def _utc(moment: datetime, name: str) -> datetime:
    # Python compares and subtracts two datetimes sharing one tzinfo by their wall clocks, which
    # is wrong by an hour across Morocco's Ramadan clock changes; in UTC the arithmetic is exact.
    _require_aware(moment, name)
    return moment.astimezone(UTC)


def _is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() not in _WEEKEND and day not in holidays


def add_days(start: date, days: int, *, working: bool, holidays: Collection[date] = ()) -> date:
    """Return the date `days` days after `start` (treatment deadline, §6.2.2, §6.3.3).

    Calendar days when `working` is false (holidays are then ignored). Working days otherwise:
    only Monday to Friday dates not in `holidays` are counted, so a deadline never falls on a
    weekend or a public holiday. Day 0 is `start` itself, even when it is not a working day.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    if not working:
        return start + timedelta(days=days)
    # `holidays` is queried with `in`, not copied into a set, so that a lazily filled calendar
    # such as `holidays.country_holidays("MA")` loads the years the count reaches.
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if _is_working_day(current, holidays):
            remaining -= 1
    return current


def local_date(moment: datetime) -> date:
    """Return the Moroccan (Africa/Casablanca) date of an aware datetime (reception date, §6.3.1).

    A naive datetime is refused: its date in Morocco cannot be known.
    """
    _require_aware(moment, "moment")
    return moment.astimezone(MOROCCO).date()


def treatment_due_date(*, received_at: datetime, days: int, working: bool, holidays: Collection[date] = ()) -> date:
    """Return the treatment deadline (§6.2.2, §6.3.3): `days` after the Moroccan reception date.

    The policy gives `days`: 10 by default, 60 for complaints submitted to the Médiateur du Royaume.
    """
    return add_days(local_date(received_at), days, working=working, holidays=holidays)


def acknowledgement_due_date(
    *, received_at: datetime, days: int = 2, working: bool = False, holidays: Collection[date] = ()
) -> date:
    """Return the date by which receipt must be acknowledged: `days` after the Moroccan reception date.

    Same arithmetic as the treatment deadline; 2 calendar days unless the programme's policy
    (`DeadlinePolicy.acknowledgement_days`) says otherwise.
    """
    return add_days(local_date(received_at), days, working=working, holidays=holidays)


class SlaStatus(models.TextChoices):
    """Where a case stands against its deadline; due-soon and overdue cases are highlighted (SPEC 5.3)."""

    ON_TRACK = "on_track", _("Dans les délais")
    DUE_SOON = "due_soon", _("Échéance proche")
    OVERDUE = "overdue", _("En retard")
    # Not overdue yet, but the treatment date promised falls after the due date.
    BEYOND_DUE = "beyond_due", _("Hors délai prévisible")


def sla_status(*, due_on: date, today: date, due_soon_days: int = 2) -> SlaStatus:
    """Classify a case against its deadline (§6.2.2, §6.3.3; SPEC 5.3).

    Overdue once `today` is past `due_on`; due soon from `due_soon_days` days before the
    deadline up to and including the deadline itself, so the last day still gets a warning.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be >= 0, got {due_soon_days}")
    days_left = (due_on - today).days
    if days_left < 0:
        return SlaStatus.OVERDUE
    if days_left <= due_soon_days:
        return SlaStatus.DUE_SOON
    return SlaStatus.ON_TRACK


@dataclass(frozen=True)
class CommitmentFacts:
    """What the closure date rule (§6.3.2) needs to know about one treatment commitment.

    `status` is "pending", "honoured" or "broken"; `notified_at` is when the complainant was told
    of the commitment, `realised_at` when it was actually carried out.
    """

    status: str
    notified_at: datetime | None
    realised_at: datetime | None

    def __post_init__(self) -> None:
        if self.status not in COMMITMENT_STATUSES:
            raise ValueError(
                f"unknown commitment status {self.status!r}; expected one of {sorted(COMMITMENT_STATUSES)}"
            )


def effective_closure_at(
    *, commitments: Sequence[CommitmentFacts], closure_validated_at: datetime | None
) -> datetime | None:
    """Return the closure date used to measure treatment time (closure date rule, §6.3.2).

    `commitments` is the renewal chain of the case, oldest first.

    - No commitment: the date the closure was validated (None while it is not).
    - One commitment, honoured at the first attempt: the date it was notified to the complainant.
    - A broken commitment renewed until one was honoured: the date the last one was actually
      carried out (penalty principle).
    - Otherwise (last commitment pending or broken, or not yet carried out): None, not closed yet.

    Raises ValueError when the time cannot be measured (an honoured first commitment without a
    notification date) or when the chain is inconsistent (a commitment followed by another
    although it was not broken).
    """
    if not commitments:
        return closure_validated_at
    *renewed, last = commitments
    # A new commitment is only given when the previous one was not honoured (SPEC 5.2 step 3);
    # any other chain is a data error that would silently skew the reported delays.
    if any(commitment.status != COMMITMENT_BROKEN for commitment in renewed):
        raise ValueError(
            "inconsistent commitment chain: every commitment but the last must be broken, got "
            + ", ".join(commitment.status for commitment in commitments)
        )
    if last.status != COMMITMENT_HONOURED:
        return None
    if renewed:
        # Penalty principle: a broken promise is measured up to the actual realisation,
        # not up to the date of the renewed promise.
        return last.realised_at
    if last.notified_at is None:
        raise ValueError("an honoured first commitment needs its notification date to measure the treatment time")
    # Honoured at the first attempt: the complaint counts as treated from the day the
    # complainant was told when it would be, which is the date §6.3.2 retains.
    return last.notified_at


@dataclass(frozen=True)
class Delay:
    """A treatment delay as docs/metrics.md defines it (« délai de traitement »).

    `days`: the Moroccan date of the end less the Moroccan date of the start, whole days, the
    unit the deadline is judged in (a complaint received on day 0 and closed on day 10 at
    any hour took 10 days). `total_hours`: the exact elapsed time, in UTC arithmetic, so a
    day when Morocco changes its clocks counts 23 or 25 hours.
    """

    total_hours: float
    days: int


def treatment_delay(*, received_at: datetime, closed_at: datetime) -> Delay:
    """Return the time from reception to the effective closure (closure date rule, §6.3.2).

    `closed_at` is the result of `effective_closure_at`. Both moments must be aware.
    """
    start = _utc(received_at, "received_at")
    end = _utc(closed_at, "closed_at")
    if end < start:
        raise ValueError(
            f"closed_at ({closed_at.isoformat()}) is before received_at ({received_at.isoformat()}); "
            "a treatment delay cannot be negative"
        )
    return Delay(
        total_hours=elapsed_microseconds(start, end) / MICROSECONDS_PER_HOUR,
        days=(local_date(end) - local_date(start)).days,
    )


MICROSECONDS_PER_HOUR = 3_600_000_000


def elapsed_microseconds(start: datetime, end: datetime) -> int:
    """The exact time from `start` to `end`, as an integer: averages and medians of delays are
    computed from these on every database, so that they come out the same to the last digit."""
    delta = _utc(end, "end") - _utc(start, "start")
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def working_days_between(start: date, end: date, *, holidays: Collection[date] = ()) -> int:
    """Working days after `start` up to and including `end` (the count `add_days` makes when
    working): a delay in working days, ≤ N exactly when `end` is on or before the deadline
    `add_days(start, N, working=True)`. Zero when `end` is not after `start`."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += _is_working_day(current, holidays)
    return count


def referral_due_at(*, received_at: datetime, hours: int = 24) -> datetime:
    """Return when a sensitive GBV/SEA/SH case must be referred to a specialised NGO (SPEC 5.5).

    `hours` of elapsed time after reception, returned in the time zone of `received_at`.
    """
    if hours < 0:
        raise ValueError(f"hours must be >= 0, got {hours}")
    return (_utc(received_at, "received_at") + timedelta(hours=hours)).astimezone(received_at.tzinfo)


def referral_overdue(*, received_at: datetime, referred_at: datetime | None, now: datetime, hours: int = 24) -> bool:
    """Tell whether a sensitive GBV/SEA/SH case missed its referral deadline (SPEC 5.5).

    True when it is not referred and the deadline has passed, or when it was referred after the
    deadline; a referral exactly at the deadline is on time.
    """
    due = _utc(referral_due_at(received_at=received_at, hours=hours), "received_at")
    now_utc = _utc(now, "now")
    if referred_at is None:
        return now_utc > due
    return _utc(referred_at, "referred_at") > due
