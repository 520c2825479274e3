"""Properties of the grievance statistics (reporting/metrics.py), whatever the requests.

Row level, no database: generated grievance rows (the columns `reporting.statistics._portable`
reads, consistent with the model's constraints and the workflow) go through the real portable
computation — `_portable` over a stand-in for the queryset, so `_measure`, the breakdown keys
and the summaries all run — and the identities of the dictionary must hold for the whole and
for every group of every breakdown:

- received = complaints + not_complaints + to_qualify; treated + open = complaints;
  founded + unfounded + awaiting_conclusion = complaints; appeals_pending + appeals_upheld +
  appeals_reversed = appeals; treated_within_deadline ≤ treated; overdue ≤ open;
- every count of a breakdown adds up to the whole;
- an appeal added to any treated complaint changes no first-instance figure.

Database level, a few examples: treated complaints recorded with the replay, then appealed and
reviewed through the live services (`grievance_appeal`, `grievance_review_appeal`): the
first-instance figures are the same before and after.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grievances.models import Grievance
from grievances.services import workflow as wf
from grievances.services.replay import NOTIFY_COMMITMENT, Step, Story, grievances_replay
from pmpp.models import Channel, ComplaintCategory, Programme, UnfoundedReason, Unit
from reporting.statistics import BREAKDOWNS, COUNTS, MEASURES, Period, _Context, _portable, grievance_statistics_by

S = Grievance.Status
CASABLANCA = ZoneInfo("Africa/Casablanca")  # the test's own clock, not the code's constant

# The figures of the first instance (and of the requests): an appeal must change none of them.
FIRST_INSTANCE = (
    "received", "complaints", "not_complaints", "to_qualify", "duplicates", "treated", "treated_rate", "open",
    "overdue", "treated_within_deadline", "treated_within_deadline_rate",
    "average_delay_days", "median_delay_days", "average_delay_working_days", "median_delay_working_days",
    "average_delay_hours", "median_delay_hours",
    "not_complaint_average_delay_days", "not_complaint_median_delay_days",
    "not_complaint_average_delay_hours", "not_complaint_median_delay_hours",
)  # fmt: skip
FIRST_INSTANCE_MEASURES = ("delay_days", "delay_working_days", "delay_us", "not_complaint_delay_days",
                           "not_complaint_delay_us")  # fmt: skip
# An appeal that reverses an outcome moves the complaint to another unfounded reason (the
# latest outcome's): every other breakdown keeps its keys.
STABLE_BREAKDOWNS = [None, *(group for group in BREAKDOWNS if group != "unfounded_reason")]

# --- generated rows -------------------------------------------------------------------------------

# Stand-in ids: programmes 1–3, channels 1–4 (1, 2 web; 4 the Médiateur, 60 days).
PROGRAMMES = (1, 2, 3)
CHANNELS = {1: True, 2: True, 3: False, 4: False}
CATEGORIES = {1: (11, 12), 2: (21, 22), 3: (31,)}
REASONS = (1, 2, 3)
KINDS = (1, 2, 3)
OPEN_STATES = (
    S.QUALIFIED, S.ANALYSED, S.ROUTED, S.COMMITTED, S.COMMITMENT_BROKEN, S.AT_PARTNER, S.PARTNER_ANSWERED,
    S.TREATED,  # « traitement réalisé »: the closure is not validated yet, so not treated
    S.ANSWER_DRAFTED, S.ANSWER_REJECTED, S.ANSWER_APPROVED, S.ANSWER_SENT,
)  # fmt: skip
# After an appeal the case is appealed (pending), then back at the review's answer, then closed again.
REVIEWED_STATES = (S.ANALYSED, S.ANSWER_DRAFTED, S.ANSWER_APPROVED, S.ANSWER_SENT, S.CLOSED)
# Morocco's 2024 clock changes (Ramadan) are inside the range.
MOMENTS = st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2024, 12, 31), timezones=st.just(UTC))
DELAYS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=80))


def _local_date(moment: datetime) -> date:
    return moment.astimezone(CASABLANCA).date()


def _deadline(moment: datetime, channel: int) -> date:
    return _local_date(moment) + timedelta(days=60 if channel == 4 else 10)


@st.composite
def appeals(draw, row: dict) -> dict:
    """`row`, a treated complaint, once its complainant appealed: pending or reviewed."""
    appealed_at = row["closure_validated_at"] + draw(DELAYS)
    appeal = {
        "appealed_at": appealed_at,
        "appeal_due_on": _deadline(appealed_at, row["channel_id"]),
        "status": S.APPEALED,
    }
    if draw(st.booleans()):
        outcome = draw(st.sampled_from((Grievance.Outcome.FOUNDED, Grievance.Outcome.UNFOUNDED)))
        appeal |= {
            "appeal_reviewed_at": appealed_at + draw(DELAYS),
            "appeal_decision": Grievance.AppealDecision.UPHELD
            if outcome == row["outcome"]
            else Grievance.AppealDecision.REVERSED,
            "outcome": outcome,
            "unfounded_reason_id": draw(st.sampled_from(REASONS)) if outcome == Grievance.Outcome.UNFOUNDED else None,
            "status": draw(st.sampled_from(REVIEWED_STATES)),
        }
    return row | appeal


@st.composite
def rows(draw, *, appealed: bool = True) -> dict:
    """One grievance row, as the database would hold it: to qualify, a duplicate, an answered
    request, or a complaint open or treated (the closure validated, the retained closure date
    on or before the validation), appealed or not once treated."""
    received_at = draw(MOMENTS)
    programme, channel = draw(st.sampled_from(PROGRAMMES)), draw(st.sampled_from(tuple(CHANNELS)))
    row = {
        "status": S.RECEIVED,
        "request_kind": Grievance.RequestKind.COMPLAINT,
        "outcome": "",
        "programme_id": programme,
        "channel_id": channel,
        "channel__is_web": CHANNELS[channel],
        "category_id": draw(st.sampled_from((None, *CATEGORIES[programme]))),
        "region_id": draw(st.sampled_from((None, 1, 2))),
        "complainant_sex": draw(st.sampled_from(("female", "male", "unknown"))),
        "not_complaint_kind_id": None,
        "unfounded_reason_id": None,
        "received_at": received_at,
        "due_on": _deadline(received_at, channel),
        "closure_validated_at": None,
        "effective_closed_at": None,
        "appealed_at": None,
        "appeal_due_on": None,
        "appeal_reviewed_at": None,
        "appeal_decision": None,
    }
    kind = draw(st.sampled_from(("to_qualify", "duplicate", "request", "open", "treated", "treated")))
    if kind == "duplicate":
        return row | {"status": S.DUPLICATE}
    if kind == "to_qualify":
        return row
    if kind == "request":
        answered = received_at + draw(DELAYS)
        return row | {
            "status": S.CLOSED,
            "request_kind": Grievance.RequestKind.REQUEST,
            "not_complaint_kind_id": draw(st.sampled_from(KINDS)),
            "closure_validated_at": answered,
            "effective_closed_at": answered,
        }
    outcome = draw(st.sampled_from(("", Grievance.Outcome.FOUNDED, Grievance.Outcome.UNFOUNDED)))
    if kind == "treated" and not outcome:
        outcome = Grievance.Outcome.FOUNDED  # an answer is only drafted after the analysis
    row |= {
        "outcome": outcome,
        "unfounded_reason_id": draw(st.sampled_from(REASONS)) if outcome == Grievance.Outcome.UNFOUNDED else None,
    }
    if kind == "open":
        return row | {"status": draw(st.sampled_from(OPEN_STATES))}
    validated = received_at + draw(DELAYS)
    # The retained closure date (§6.3.2): the validation, a commitment's notification or its
    # realisation, on or before the validation; a date typed to the minute may fall a few
    # seconds before the reception, which the definitions clamp.
    retained = draw(st.sampled_from(("validation", "earlier", "typed")))
    if retained == "validation":
        effective = validated
    elif retained == "earlier":
        effective = received_at + (validated - received_at) * draw(st.floats(min_value=0, max_value=1))
    else:
        effective = received_at - timedelta(seconds=draw(st.integers(min_value=1, max_value=59)))
    row |= {"status": S.CLOSED, "closure_validated_at": validated, "effective_closed_at": effective}
    if appealed and draw(st.booleans()):
        return draw(appeals(row))
    return row


CONTEXTS = st.builds(
    lambda today, holidays: _Context(
        today=today,
        start=date(2024, 1, 1),
        # Programme 1 on the call centre counts working days: that measure runs too.
        working_pairs=frozenset({(1, 3)}),
        holidays=frozenset(holidays),
    ),
    today=st.dates(min_value=date(2023, 12, 1), max_value=date(2025, 6, 30)),
    holidays=st.frozensets(st.dates(min_value=date(2023, 12, 1), max_value=date(2025, 6, 30)), max_size=15),
)


class Rows:
    """What `_portable` asks of a queryset, over generated rows: `.order_by().values(*columns)
    .iterator()`, each row a fresh dict of exactly the columns asked for."""

    def __init__(self, items: list[dict]):
        self.items, self.columns = items, ()

    def order_by(self, *fields):
        return self

    def values(self, *columns):
        self.columns = columns
        return self

    def iterator(self, chunk_size=None):
        return iter([{column: item[column] for column in self.columns} for item in self.items])


def computed(items: list[dict], context: _Context, groups=(None, *BREAKDOWNS)) -> dict:
    return _portable(Rows(items), group_bys=list(groups), context=context)


def assert_identities(stats, where) -> None:
    assert stats.received == stats.complaints + stats.not_complaints + stats.to_qualify, where
    assert stats.treated + stats.open == stats.complaints, where
    assert stats.founded + stats.unfounded + stats.awaiting_conclusion == stats.complaints, where
    assert stats.treated_within_deadline <= stats.treated, where
    assert stats.overdue <= stats.open, where
    assert stats.appeals_pending + stats.appeals_upheld + stats.appeals_reversed == stats.appeals, where
    assert stats.appeals_overdue <= stats.appeals_pending, where
    assert stats.appeals_reviewed_within_deadline <= stats.appeals_upheld + stats.appeals_reversed, where
    assert stats.appeals <= stats.treated, where  # only a closed complaint can be appealed
    # Each delay is measured once per request it concerns.
    assert stats.delays["delay_days"].count == stats.delays["delay_us"].count == stats.treated, where
    assert stats.delays["appeal_delay_days"].count == stats.appeals_upheld + stats.appeals_reversed, where
    assert stats.delays["not_complaint_delay_days"].count == stats.not_complaints, where  # all answered here
    for rate in (stats.treated_rate, stats.treated_within_deadline_rate):
        assert rate is None or 0 <= rate <= 100, where


@given(items=st.lists(rows(), max_size=40), context=CONTEXTS)
@settings(max_examples=200, deadline=None)
def test_the_identities_hold_for_the_whole_and_every_group_and_the_groups_add_up(items, context):
    results = computed(items, context)
    whole = results[None][None]
    assert whole.received + whole.duplicates == len(items)
    assert_identities(whole, "whole")
    for group in BREAKDOWNS:
        for key, stats in results[group].items():
            assert_identities(stats, (group, key))
        for name in COUNTS:
            assert sum(getattr(stats, name) for stats in results[group].values()) == getattr(whole, name), (group, name)
        for measure in MEASURES:
            summaries = [stats.delays[measure] for stats in results[group].values()]
            assert sum(s.count for s in summaries) == whole.delays[measure].count, (group, measure)
            assert sum(s.total for s in summaries) == whole.delays[measure].total, (group, measure)


@given(items=st.lists(rows(), max_size=40), context=CONTEXTS)
@settings(max_examples=200, deadline=None)
def test_the_counts_and_delays_follow_their_definitions_row_by_row(items, context):
    """An independent reading of the definitions (UTC arithmetic, the test's own time zone)."""
    whole = computed(items, context, groups=[None])[None][None]
    live = [r for r in items if r["status"] != S.DUPLICATE]
    qualified = [r for r in live if r["status"] != S.RECEIVED]
    complaints = [r for r in qualified if r["request_kind"] == Grievance.RequestKind.COMPLAINT]
    treated = [r for r in complaints if r["closure_validated_at"] is not None]
    opened = [r for r in complaints if r["closure_validated_at"] is None]

    def closed_at(r):
        return max(r["effective_closed_at"], r["received_at"])

    assert whole.treated_within_deadline == sum(_local_date(closed_at(r)) <= r["due_on"] for r in treated)
    assert whole.overdue == sum(r["due_on"] < context.today for r in opened)
    assert whole.delays["delay_days"].total == sum(
        (_local_date(closed_at(r)) - _local_date(r["received_at"])).days for r in treated
    )
    exact = sum((closed_at(r) - r["received_at"] for r in treated), timedelta(0))
    assert whole.delays["delay_us"].total == exact // timedelta(microseconds=1)
    appealed = [r for r in complaints if r["appealed_at"] is not None]
    assert whole.appeals_overdue == sum(
        r["appeal_reviewed_at"] is None and r["appeal_due_on"] < context.today for r in appealed
    )
    assert whole.appeals_reviewed_within_deadline == sum(
        r["appeal_reviewed_at"] is not None and _local_date(r["appeal_reviewed_at"]) <= r["appeal_due_on"]
        for r in appealed
    )


@st.composite
def treated_complaints_and_their_appeals(draw) -> tuple[list[dict], list[dict]]:
    """Rows with no appeal, and the same rows once some treated complaints were appealed."""
    before = draw(st.lists(rows(appealed=False), max_size=30))
    after = [
        draw(appeals(row)) if row["closure_validated_at"] is not None and row["request_kind"] == "complaint"
        and draw(st.booleans()) else row
        for row in before
    ]  # fmt: skip
    return before, after


@given(pair=treated_complaints_and_their_appeals(), context=CONTEXTS)
@settings(max_examples=200, deadline=None)
def test_an_appeal_changes_no_first_instance_figure_row_level(pair, context):
    before, after = pair
    first, second = computed(before, context, STABLE_BREAKDOWNS), computed(after, context, STABLE_BREAKDOWNS)
    appealed = sum(b is not a for b, a in zip(before, after, strict=True))
    assert second[None][None].appeals == first[None][None].appeals + appealed
    for group in STABLE_BREAKDOWNS:
        assert list(first[group]) == list(second[group]), group
        for key, stats in first[group].items():
            old, new = stats.as_dict(), second[group][key].as_dict()
            assert {name: old[name] for name in FIRST_INSTANCE} == {name: new[name] for name in FIRST_INSTANCE}, (
                group,
                key,
            )
            for measure in FIRST_INSTANCE_MEASURES:
                assert stats.delays[measure] == second[group][key].delays[measure], (group, key, measure)


# --- the same through the database and the live services ------------------------------------------

QUARTER = Period.quarter(2024, 2)
AS_OF = datetime(2024, 7, 8, 9, 0, tzinfo=CASABLANCA)
DB_GROUPS = [None, "programme", "channel", "channel_group", "category", "month"]


def _story(cast: dict, case: dict, number: int) -> Story:
    """A Tayssir complaint received at `case["received_at"]`, treated along `case["path"]`."""
    agent, handler, head, closer = cast["agent"], cast["handler"], cast["head"], cast["closer"]
    received, hours = case["received_at"], case["hours"]

    def at(fraction: float) -> datetime:
        return received + timedelta(hours=hours * fraction)

    outcome = "unfounded" if case["path"] == "unfounded" else "founded"
    steps = [
        Step("qualify", agent, at(0.05), {"category": cast["category"], "subject": "Paiement",
                                          "nature": "individual", "identity_verified": True}),
        Step("analyse", agent, at(0.1), {"conclusion": "Vérifié.", "outcome": outcome,
                                         "unfounded_reason": cast["reason"] if outcome == "unfounded" else None}),
    ]  # fmt: skip
    if case["path"] in ("honoured", "renewed"):
        steps += [
            Step("route_to_unit", agent, at(0.15), {"unit": cast["unit"], "assignee": handler}),
            Step("give_commitment", handler, at(0.2), {"promised_on": at(0.5).date()}),
            Step(NOTIFY_COMMITMENT, agent, at(0.25)),
        ]
        if case["path"] == "renewed":
            steps += [
                Step("break_commitment", handler, at(0.4), {"reason": "Virement rejeté."}),
                Step("renew_commitment", handler, at(0.45), {"promised_on": at(0.8).date(), "reason": "Nouveau."}),
                Step(NOTIFY_COMMITMENT, agent, at(0.5)),
            ]
        steps.append(Step("honour_commitment", handler, at(0.6)))
    steps += [
        Step("draft_answer", agent, at(0.7), {"text": "Réponse.", "explanation": "Motif.", "exception": "",
                                              "exception_reason": ""}),
        Step("approve_answer", head, at(0.8), {"note": ""}),
        Step("send_answer", agent, at(0.9)),
        Step("close", closer, at(1.0), {"synthesis": "Vérifié."}),
    ]  # fmt: skip
    return Story(
        programme=cast["programme"],
        channel=case["channel"],
        received_at=received,
        description="La bourse n'a pas été versée.",
        created_by=agent,
        steps=tuple(steps),
        category=cast["category"],
        cnie=f"AB{300000 + number}",
        phone="0612345678",
        name="Fatima Zahra Benali",
        identity_verified=True,
    )


CASES = st.fixed_dictionaries(
    {
        # Received in the quarter, Ramadan's last days included (local dates 1 April – 20 June).
        "received_at": st.datetimes(
            min_value=datetime(2024, 4, 1, 1), max_value=datetime(2024, 6, 20), timezones=st.just(UTC)
        ),
        "hours": st.floats(min_value=2, max_value=500),
        "path": st.sampled_from(("plain", "unfounded", "honoured", "renewed")),
        "channel": st.sampled_from(("web-portal", "call-centre", "postal", "mediateur")),
        # None: not appealed; else days after the closure, and the review's decision if any.
        "appeal": st.one_of(
            st.none(),
            st.tuples(st.integers(min_value=0, max_value=40), st.sampled_from((None, "founded", "unfounded"))),
        ),
    }
)


# The first complaint is always appealed, so that every example appeals at least one.
APPEALED_FIRST = st.tuples(CASES.filter(lambda case: case["appeal"] is not None), st.lists(CASES, max_size=3)).map(
    lambda drawn: [drawn[0], *drawn[1]]
)


@pytest.mark.django_db
@given(cases=APPEALED_FIRST)
@settings(
    max_examples=4,
    deadline=None,
    # Each example runs in a transaction of its own, rolled back at its end (below).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_an_appeal_through_the_services_changes_no_first_instance_figure(cases, salma, youssef, nadia, karim, leila):
    tayssir = Programme.objects.get(code="tayssir")
    cast = {
        "agent": salma, "handler": youssef, "head": nadia, "closer": karim, "programme": tayssir,
        "category": ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu"),
        "reason": UnfoundedReason.objects.get(code="changement-non-declare"),
        "unit": Unit.objects.get(code="cnra-paiements"),
    }  # fmt: skip
    channels = {channel.code: channel for channel in Channel.objects.all()}
    with transaction.atomic():
        stories = [_story(cast, case | {"channel": channels[case["channel"]]}, n) for n, case in enumerate(cases)]
        grievances_replay(stories)
        # One open complaint and one request to qualify, so that open and overdue are not all zero.
        grievances_replay([
            Story(programme=tayssir, channel=channels["postal"], received_at=datetime(2024, 6, 3, 9, tzinfo=UTC),
                  description="Courrier.", created_by=salma, cnie="AB399999", phone="0612345678", name="Aicha Tazi",
                  category=cast["category"],
                  steps=(Step("qualify", salma, datetime(2024, 6, 3, 10, tzinfo=UTC), stories[0].steps[0].data),)),
            Story(programme=tayssir, channel=channels["web-portal"], received_at=datetime(2024, 5, 3, 9, tzinfo=UTC),
                  description="Web.", created_by=None, is_anonymous=True),
        ])  # fmt: skip
        before = grievance_statistics_by(user=leila, period=QUARTER, group_bys=DB_GROUPS, as_of=AS_OF)
        first_instance = {}
        appealed = 0
        for story, case in zip(stories, cases, strict=True):
            grievance = Grievance.objects.get(complainant_cnie=story.cnie)
            first_instance[grievance.pk] = (
                grievance.due_on,
                grievance.closure_validated_at,
                grievance.effective_closed_at,
            )
            if case["appeal"] is None:
                continue
            days, decision = case["appeal"]
            grievance = wf.grievance_appeal(
                grievance=grievance,
                actor=salma,
                reason="Le réclamant conteste la réponse.",
                received_at=grievance.closure_validated_at + timedelta(days=days, minutes=1),
            )
            appealed += 1
            if decision is not None:
                wf.grievance_review_appeal(
                    grievance=grievance,
                    actor=nadia,
                    conclusion="Réexamen.",
                    outcome=decision,
                    unfounded_reason=cast["reason"] if decision == "unfounded" else None,
                )
        after = grievance_statistics_by(user=leila, period=QUARTER, group_bys=DB_GROUPS, as_of=AS_OF)
        for pk, dates in first_instance.items():
            grievance = Grievance.objects.get(pk=pk)
            assert (grievance.due_on, grievance.closure_validated_at, grievance.effective_closed_at) == dates
        assert appealed >= 1
        assert after[None][None].appeals == before[None][None].appeals + appealed
        assert before[None][None].received == len(cases) + 2
        assert before[None][None].open == 1
        for group in DB_GROUPS:
            assert list(before[group]) == list(after[group]), group
            for key, stats in before[group].items():
                old, new = stats.as_dict(), after[group][key].as_dict()
                assert {name: old[name] for name in FIRST_INSTANCE} == {name: new[name] for name in FIRST_INSTANCE}, (
                    group,
                    key,
                )
        transaction.set_rollback(True)
