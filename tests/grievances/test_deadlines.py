"""Deadlines, SLA status, the closure date rule and GBV referral (PMPP §6.2.2, §6.3.2, §6.3.3; SPEC 5.3, 5.5).

Pure functions: none of these tests touches the database.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from grievances.deadlines import (
    MOROCCO,
    CommitmentFacts,
    Delay,
    SlaStatus,
    acknowledgement_due_date,
    add_days,
    effective_closure_at,
    local_date,
    referral_due_at,
    referral_overdue,
    sla_status,
    treatment_delay,
    treatment_due_date,
    working_days_between,
)

# Throne Day (Fête du Trône), 30 July: a Tuesday in 2024, a Sunday in 2023.
THRONE_DAY_2024 = date(2024, 7, 30)
THRONE_DAY_2023 = date(2023, 7, 30)
PARIS = ZoneInfo("Europe/Paris")


def _morocco(*args: int) -> datetime:
    return datetime(*args, tzinfo=MOROCCO)


def _is_working_day(day: date, holidays: frozenset[date]) -> bool:
    # Independent oracle: Morocco's weekend is Saturday and Sunday.
    return day.weekday() < 5 and day not in holidays


# --- Treatment and acknowledgement deadlines (§6.2.2, §6.3.3) ---------------------------------


def test_the_default_treatment_deadline_is_ten_calendar_days():
    received_at = _morocco(2023, 3, 1, 9, 30)
    assert treatment_due_date(received_at=received_at, days=10, working=False) == date(2023, 3, 11)


def test_a_complaint_to_the_mediateur_du_royaume_has_sixty_days():
    received_at = _morocco(2023, 3, 1, 9, 30)
    assert treatment_due_date(received_at=received_at, days=60, working=False) == date(2023, 4, 30)


def test_calendar_days_ignore_weekends_and_holidays():
    assert add_days(date(2024, 7, 26), 4, working=False, holidays={THRONE_DAY_2024}) == THRONE_DAY_2024


def test_a_working_day_deadline_skips_the_weekend():
    friday = date(2024, 7, 19)
    assert add_days(friday, 1, working=True) == date(2024, 7, 22)


def test_a_working_day_deadline_skips_a_public_holiday():
    monday = date(2024, 7, 29)
    assert add_days(monday, 1, working=True, holidays={THRONE_DAY_2024}) == date(2024, 7, 31)


def test_ten_working_days_skip_the_weekends_and_throne_day():
    received_at = _morocco(2024, 7, 26, 16, 0)  # a Friday
    due = treatment_due_date(received_at=received_at, days=10, working=True, holidays={THRONE_DAY_2024})
    assert due == date(2024, 8, 12)


def test_a_holiday_falling_on_a_weekend_costs_no_extra_day():
    friday = date(2023, 7, 28)
    assert add_days(friday, 1, working=True, holidays={THRONE_DAY_2023}) == date(2023, 7, 31)
    assert add_days(friday, 1, working=True) == date(2023, 7, 31)


def test_the_holidays_package_calendar_can_be_passed_without_listing_its_years():
    # The calendar loads the years it is asked about, so nothing has to be pre-filled.
    moroccan_holidays = holidays_package.country_holidays("MA")
    due = add_days(date(2024, 7, 26), 10, working=True, holidays=moroccan_holidays)
    assert due == date(2024, 8, 12)


def test_day_zero_is_the_start_date_even_on_a_weekend():
    saturday = date(2024, 7, 27)
    assert add_days(saturday, 0, working=True) == saturday


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError, match="days must be >= 0"):
        add_days(date(2024, 1, 1), -1, working=False)


def test_the_acknowledgement_is_due_two_calendar_days_after_reception():
    received_at = _morocco(2024, 7, 26, 16, 0)  # a Friday
    assert acknowledgement_due_date(received_at=received_at) == date(2024, 7, 28)


def test_the_acknowledgement_can_count_working_days():
    received_at = _morocco(2024, 7, 26, 16, 0)  # a Friday
    due = acknowledgement_due_date(received_at=received_at, working=True, holidays={THRONE_DAY_2024})
    assert due == date(2024, 7, 31)


def test_the_reception_date_is_the_moroccan_date_not_the_utc_date():
    # In winter Morocco is UTC+1: 23:30 UTC is already the next day in Casablanca.
    received_at = datetime(2024, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(received_at) == date(2024, 3, 2)
    assert treatment_due_date(received_at=received_at, days=10, working=False) == date(2024, 3, 12)


def test_during_ramadan_the_moroccan_date_is_the_utc_date():
    # Morocco sets its clocks back to UTC+0 during Ramadan (10 March to 14 April 2024).
    assert local_date(datetime(2024, 3, 20, 23, 30, tzinfo=UTC)) == date(2024, 3, 20)


def test_a_naive_datetime_has_no_moroccan_date():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime(2024, 3, 1, 12, 0))  # naive on purpose


# --- SLA status (SPEC 5.3) ----------------------------------------------------------------------


def test_a_case_due_in_more_than_two_days_is_on_track():
    assert sla_status(due_on=date(2024, 7, 10), today=date(2024, 7, 7)) == SlaStatus.ON_TRACK


def test_a_case_due_in_exactly_two_days_is_due_soon():
    assert sla_status(due_on=date(2024, 7, 10), today=date(2024, 7, 8)) == SlaStatus.DUE_SOON


def test_a_case_due_today_is_due_soon_not_overdue():
    assert sla_status(due_on=date(2024, 7, 10), today=date(2024, 7, 10)) == SlaStatus.DUE_SOON


def test_a_case_past_its_deadline_is_overdue():
    assert sla_status(due_on=date(2024, 7, 10), today=date(2024, 7, 11)) == SlaStatus.OVERDUE


def test_the_due_soon_window_can_be_widened():
    assert sla_status(due_on=date(2024, 7, 10), today=date(2024, 7, 5), due_soon_days=5) == SlaStatus.DUE_SOON


def test_a_negative_due_soon_window_is_refused():
    with pytest.raises(ValueError, match="due_soon_days"):
        sla_status(due_on=date(2024, 7, 10), today=date(2024, 7, 5), due_soon_days=-1)


def test_the_sla_statuses_are_labelled_in_french():
    with translation.override("fr"):
        assert [str(label) for label in SlaStatus.labels] == [
            "Dans les délais",
            "Échéance proche",
            "En retard",
            "Hors délai prévisible",
        ]
    assert SlaStatus.values == ["on_track", "due_soon", "overdue", "beyond_due"]


# --- Closure date rule (§6.3.2) -------------------------------------------------------------------

NOTIFIED = _morocco(2024, 5, 6, 10, 0)
VALIDATED = _morocco(2024, 5, 20, 15, 0)


def test_without_commitment_the_closure_is_the_validation_date():
    assert effective_closure_at(commitments=[], closure_validated_at=VALIDATED) == VALIDATED


def test_without_commitment_nor_validation_the_case_is_not_closed():
    assert effective_closure_at(commitments=[], closure_validated_at=None) is None


def test_a_commitment_honoured_at_the_first_attempt_closes_on_its_notification_date():
    commitment = CommitmentFacts(status="honoured", notified_at=NOTIFIED, realised_at=_morocco(2024, 5, 14, 9, 0))
    assert effective_closure_at(commitments=[commitment], closure_validated_at=VALIDATED) == NOTIFIED


def test_a_broken_commitment_renewed_and_honoured_closes_on_the_realisation_of_the_last():
    broken = CommitmentFacts(status="broken", notified_at=NOTIFIED, realised_at=None)
    renewed = CommitmentFacts(
        status="honoured", notified_at=_morocco(2024, 5, 16, 10, 0), realised_at=_morocco(2024, 5, 24, 11, 0)
    )
    assert effective_closure_at(commitments=[broken, renewed], closure_validated_at=VALIDATED) == _morocco(
        2024, 5, 24, 11, 0
    )


def test_a_pending_commitment_is_not_closed_yet():
    pending = CommitmentFacts(status="pending", notified_at=NOTIFIED, realised_at=None)
    assert effective_closure_at(commitments=[pending], closure_validated_at=VALIDATED) is None


def test_a_renewed_commitment_still_pending_is_not_closed_yet():
    broken = CommitmentFacts(status="broken", notified_at=NOTIFIED, realised_at=None)
    pending = CommitmentFacts(status="pending", notified_at=_morocco(2024, 5, 16, 10, 0), realised_at=None)
    assert effective_closure_at(commitments=[broken, pending], closure_validated_at=None) is None


def test_a_broken_commitment_not_yet_renewed_is_not_closed_yet():
    broken = CommitmentFacts(status="broken", notified_at=NOTIFIED, realised_at=None)
    assert effective_closure_at(commitments=[broken], closure_validated_at=VALIDATED) is None


def test_a_renewed_commitment_honoured_without_realisation_date_is_not_closed_yet():
    broken = CommitmentFacts(status="broken", notified_at=NOTIFIED, realised_at=None)
    honoured = CommitmentFacts(status="honoured", notified_at=_morocco(2024, 5, 16, 10, 0), realised_at=None)
    assert effective_closure_at(commitments=[broken, honoured], closure_validated_at=VALIDATED) is None


def test_an_honoured_commitment_without_notification_date_cannot_be_measured():
    honoured = CommitmentFacts(status="honoured", notified_at=None, realised_at=_morocco(2024, 5, 14, 9, 0))
    with pytest.raises(ValueError, match="notification date"):
        effective_closure_at(commitments=[honoured], closure_validated_at=VALIDATED)


def test_a_commitment_renewed_without_being_broken_is_refused():
    pending = CommitmentFacts(status="pending", notified_at=NOTIFIED, realised_at=None)
    honoured = CommitmentFacts(status="honoured", notified_at=NOTIFIED, realised_at=VALIDATED)
    with pytest.raises(ValueError, match="inconsistent commitment chain"):
        effective_closure_at(commitments=[pending, honoured], closure_validated_at=VALIDATED)


def test_an_unknown_commitment_status_is_refused():
    with pytest.raises(ValueError, match="unknown commitment status"):
        CommitmentFacts(status="done", notified_at=NOTIFIED, realised_at=None)


# --- Treatment delay (§6.3.2) ----------------------------------------------------------------------


def test_twenty_four_hours_is_one_day():
    assert treatment_delay(received_at=_morocco(2024, 5, 6, 9, 0), closed_at=_morocco(2024, 5, 7, 9, 0)) == Delay(
        total_hours=24.0, days=1
    )


def test_a_delay_in_days_counts_dates_as_the_deadline_does_and_in_hours_the_exact_time():
    # Day 0 at 09:00 to day 10 at 21:00: 10 days (the deadline's unit), 252 hours.
    delay = treatment_delay(received_at=_morocco(2024, 5, 6, 9, 0), closed_at=_morocco(2024, 5, 16, 21, 0))
    assert delay == Delay(total_hours=252.0, days=10)
    # 23:30 to 00:30 the next day: one hour, but one day by the dates.
    delay = treatment_delay(received_at=_morocco(2024, 5, 6, 23, 30), closed_at=_morocco(2024, 5, 7, 0, 30))
    assert delay == Delay(total_hours=1.0, days=1)


def test_working_days_between_count_what_the_working_deadline_counts():
    # Friday 10 May 2024 to Monday 13 May: one working day (the weekend does not count).
    assert working_days_between(date(2024, 5, 10), date(2024, 5, 13)) == 1
    assert working_days_between(date(2024, 5, 10), date(2024, 5, 10)) == 0
    holidays = {date(2024, 5, 13)}
    assert working_days_between(date(2024, 5, 10), date(2024, 5, 14), holidays=holidays) == 1


def test_a_delay_counts_elapsed_hours_across_the_end_of_ramadan_time():
    # On 14 April 2024 Casablanca clocks jumped from 02:00 to 03:00: noon to noon is 23 hours.
    delay = treatment_delay(received_at=_morocco(2024, 4, 13, 12, 0), closed_at=_morocco(2024, 4, 14, 12, 0))
    assert delay.total_hours == 23.0


def test_a_delay_does_not_depend_on_the_time_zone_of_its_moments():
    delay = treatment_delay(
        received_at=datetime(2024, 5, 6, 8, 0, tzinfo=UTC), closed_at=datetime(2024, 5, 6, 12, 0, tzinfo=PARIS)
    )
    assert delay.total_hours == 2.0


def test_a_closure_before_the_reception_is_refused():
    with pytest.raises(ValueError, match="before received_at"):
        treatment_delay(received_at=_morocco(2024, 5, 7, 9, 0), closed_at=_morocco(2024, 5, 6, 9, 0))


def test_a_naive_moment_has_no_delay():
    with pytest.raises(ValueError, match="closed_at must be a timezone-aware"):
        treatment_delay(received_at=_morocco(2024, 5, 6, 9, 0), closed_at=datetime(2024, 5, 7, 9, 0))


# --- GBV/SEA/SH referral within 24 hours (SPEC 5.5) -----------------------------------------------------


GBV_RECEIVED = _morocco(2024, 5, 6, 18, 0)


def test_a_gbv_case_must_be_referred_within_24_hours():
    assert referral_due_at(received_at=GBV_RECEIVED) == _morocco(2024, 5, 7, 18, 0)


def test_the_referral_deadline_is_24_elapsed_hours_across_a_clock_change():
    assert referral_due_at(received_at=_morocco(2024, 4, 13, 12, 0)) == _morocco(2024, 4, 14, 13, 0)


def test_an_unreferred_gbv_case_is_not_overdue_within_24_hours():
    now = _morocco(2024, 5, 7, 17, 59)
    assert not referral_overdue(received_at=GBV_RECEIVED, referred_at=None, now=now)


def test_an_unreferred_gbv_case_is_overdue_after_24_hours():
    now = _morocco(2024, 5, 7, 18, 1)
    assert referral_overdue(received_at=GBV_RECEIVED, referred_at=None, now=now)


def test_a_referral_exactly_at_the_deadline_is_on_time():
    referred_at = _morocco(2024, 5, 7, 18, 0)
    assert not referral_overdue(received_at=GBV_RECEIVED, referred_at=referred_at, now=_morocco(2024, 6, 1, 0, 0))


def test_a_late_referral_stays_overdue():
    referred_at = _morocco(2024, 5, 8, 9, 0)
    assert referral_overdue(received_at=GBV_RECEIVED, referred_at=referred_at, now=_morocco(2024, 6, 1, 0, 0))


# --- Properties -------------------------------------------------------------------------------------------

START_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
AWARE_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # hypothesis bounds are naive; the zones come from `timezones`
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, MOROCCO, PARIS]),
    allow_imaginary=False,
)


@st.composite
def _start_and_holidays(draw: st.DrawFn) -> tuple[date, frozenset[date]]:
    start = draw(START_DATES)
    offsets = draw(st.frozensets(st.integers(min_value=-5, max_value=250), max_size=40))
    return start, frozenset(start + timedelta(days=offset) for offset in offsets)


@given(start=START_DATES, days=st.integers(min_value=0, max_value=10_000))
@settings(max_examples=200)
def test_calendar_days_are_plain_date_arithmetic(start, days):
    assert add_days(start, days, working=False) == start + timedelta(days=days)


@given(start_and_holidays=_start_and_holidays(), days=st.integers(min_value=1, max_value=120))
@settings(max_examples=200)
def test_a_working_day_deadline_never_falls_on_a_weekend_or_holiday(start_and_holidays, days):
    start, holidays = start_and_holidays
    assert _is_working_day(add_days(start, days, working=True, holidays=holidays), holidays)


@given(start_and_holidays=_start_and_holidays(), days=st.integers(min_value=0, max_value=120))
@settings(max_examples=200)
def test_a_working_day_deadline_counts_exactly_its_working_days(start_and_holidays, days):
    start, holidays = start_and_holidays
    due = add_days(start, days, working=True, holidays=holidays)
    counted = sum(
        _is_working_day(start + timedelta(days=offset), holidays) for offset in range(1, (due - start).days + 1)
    )
    assert counted == days


@given(start_and_holidays=_start_and_holidays(), days=st.integers(min_value=0, max_value=120))
@settings(max_examples=200)
def test_one_more_working_day_always_gives_a_later_deadline(start_and_holidays, days):
    start, holidays = start_and_holidays
    due = add_days(start, days, working=True, holidays=holidays)
    assert add_days(start, days + 1, working=True, holidays=holidays) > due
    assert due >= add_days(start, days, working=False)


@given(received_at=AWARE_MOMENTS, days=st.integers(min_value=0, max_value=120), working=st.booleans())
@settings(max_examples=200)
def test_a_treatment_deadline_is_never_before_the_moroccan_reception_date(received_at, days, working):
    due = treatment_due_date(received_at=received_at, days=days, working=working)
    assert due >= local_date(received_at)
    assert due == add_days(received_at.astimezone(MOROCCO).date(), days, working=working)


@given(due_on=START_DATES, today=START_DATES, due_soon_days=st.integers(min_value=0, max_value=30))
@settings(max_examples=200)
def test_a_case_is_overdue_exactly_when_today_is_past_its_deadline(due_on, today, due_soon_days):
    status = sla_status(due_on=due_on, today=today, due_soon_days=due_soon_days)
    assert (status == SlaStatus.OVERDUE) == (today > due_on)
    assert (status == SlaStatus.DUE_SOON) == (0 <= (due_on - today).days <= due_soon_days)


@given(received_at=AWARE_MOMENTS, elapsed=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
@settings(max_examples=200)
def test_a_treatment_delay_is_non_negative_and_its_days_are_the_local_dates_apart(received_at, elapsed):
    closed_at = (received_at.astimezone(UTC) + elapsed).astimezone(MOROCCO)
    delay = treatment_delay(received_at=received_at, closed_at=closed_at)
    assert delay.total_hours >= 0
    assert delay.days == (local_date(closed_at) - local_date(received_at)).days
    # A whole day of dates is never more than a day of hours away (clock changes included).
    assert delay.days - 1 <= delay.total_hours / 24 <= delay.days + 1 + 1 / 24
    assert delay.total_hours == pytest.approx(elapsed.total_seconds() / 3600, rel=1e-12, abs=1e-9)


@given(start=st.dates(date(2020, 1, 1), date(2030, 1, 1)), days=st.integers(0, 60))
@settings(max_examples=100)
def test_a_working_delay_reaches_n_exactly_at_the_working_deadline_of_n_days(start, days):
    due = add_days(start, days, working=True)
    assert working_days_between(start, due) == days


@given(
    notified_at=AWARE_MOMENTS,
    realised_after=st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    validated_at=st.none() | AWARE_MOMENTS,
)
@settings(max_examples=200)
def test_a_chain_honoured_at_the_first_attempt_closes_exactly_when_notified(notified_at, realised_after, validated_at):
    realised_at = None if realised_after is None else notified_at.astimezone(UTC) + realised_after
    honoured = CommitmentFacts(status="honoured", notified_at=notified_at, realised_at=realised_at)
    closed_at = effective_closure_at(commitments=[honoured], closure_validated_at=validated_at)
    assert closed_at == notified_at
    assert closed_at >= honoured.notified_at


@st.composite
def _renewal_chains(draw: st.DrawFn) -> list[CommitmentFacts]:
    """A chain of broken commitments ending with any status; each event happens after the previous one."""
    broken_count = draw(st.integers(min_value=1, max_value=4))
    # Advance in UTC so that "later" is real elapsed time, then show each moment in any zone.
    moment = draw(AWARE_MOMENTS).astimezone(UTC)
    gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
    zones = st.sampled_from([UTC, MOROCCO, PARIS])
    chain = []
    for _ in range(broken_count):
        moment += draw(gaps)
        chain.append(CommitmentFacts(status="broken", notified_at=moment.astimezone(draw(zones)), realised_at=None))
    moment += draw(gaps)
    last_status = draw(st.sampled_from(["pending", "honoured", "broken"]))
    realised_at = None
    if last_status == "honoured" and draw(st.booleans()):
        realised_at = (moment + draw(gaps)).astimezone(draw(zones))
    chain.append(
        CommitmentFacts(status=last_status, notified_at=moment.astimezone(draw(zones)), realised_at=realised_at)
    )
    return chain


@given(chain=_renewal_chains(), validated_at=st.none() | AWARE_MOMENTS)
@settings(max_examples=200)
def test_a_broken_chain_closes_only_on_the_realisation_of_its_last_commitment(chain, validated_at):
    closed_at = effective_closure_at(commitments=chain, closure_validated_at=validated_at)
    last = chain[-1]
    if last.status == "honoured" and last.realised_at is not None:
        assert closed_at == last.realised_at
        assert closed_at >= chain[0].notified_at
    else:
        assert closed_at is None


@given(
    received_at=AWARE_MOMENTS,
    waited=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=72)),
    referred=st.booleans(),
)
@settings(max_examples=200)
def test_a_gbv_referral_is_overdue_exactly_after_24_elapsed_hours(received_at, waited, referred):
    moment = (received_at.astimezone(UTC) + waited).astimezone(MOROCCO)
    overdue = referral_overdue(
        received_at=received_at,
        referred_at=moment if referred else None,
        now=moment,
    )
    assert overdue == (waited > timedelta(hours=24))
