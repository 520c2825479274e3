"""Grievance statistics (SPEC §6) as the metric dictionary defines them (docs/metrics.md)."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from grievances.services import workflow as wf
from pmpp.models import Channel, NotComplaintKind, Programme
from reporting.breakdowns import Labeller
from reporting.statistics import BREAKDOWNS, Filters, Period, grievance_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    today = timezone.localdate()
    return Period(today - timedelta(days=60), today)


def _postal(days_ago: float):
    return {"channel": Channel.objects.get(code="postal"), "received_at": timezone.now() - timedelta(days=days_ago)}


def test_quarters_and_semesters_have_the_right_bounds():
    assert Period.quarter(2023, 1) == Period(date(2023, 1, 1), date(2023, 3, 31), "T1 2023")
    assert Period.quarter(2023, 4).end == date(2023, 12, 31)
    assert Period.semester(2023, 2) == Period(date(2023, 7, 1), date(2023, 12, 31), "S2 2023")
    with pytest.raises(ValueError, match="quarter"):
        Period.quarter(2023, 5)


def test_counts_of_a_period(walk, salma, leila, period):
    walk.register()  # à qualifier: received, not a complaint yet
    walk.analysed(outcome="unfounded")  # an open complaint, unfounded
    walk.qualified()  # an open complaint, awaiting its conclusion
    walk.closed()  # founded, treated
    request = walk.register()
    wf.grievance_reclassify_as_request(
        grievance=request, actor=salma, not_complaint_kind=NotComplaintKind.objects.first(), answer_text="Info"
    )
    walk.duplicate()  # one original (à qualifier) + one duplicate, not counted twice
    walk.appealed()  # founded, treated: the appeal does not untreat it
    stats = grievance_statistics(user=leila, period=period)[None]
    assert stats.received == 7
    assert stats.duplicates == 1
    assert (stats.complaints, stats.not_complaints, stats.to_qualify) == (4, 1, 2)
    assert (stats.founded, stats.unfounded, stats.awaiting_conclusion) == (2, 1, 1)
    assert (stats.treated, stats.open) == (2, 2)
    assert (stats.appeals, stats.appeals_pending) == (1, 1)
    assert stats.treated_rate == 100 * 2 / 4


def test_overdue_counts_open_complaints_past_their_due_date(walk, leila, period):
    walk.qualified(**_postal(20))
    walk.qualified(**_postal(2))
    walk.register(**_postal(20))  # not qualified: not a complaint, so never an overdue complaint
    stats = grievance_statistics(user=leila, period=period)[None]
    assert (stats.overdue, stats.open, stats.to_qualify) == (1, 2, 1)


def test_delays_follow_the_closure_date_rule_not_raw_timestamps(walk, salma, youssef, nadia, karim, leila, period):
    g = walk.routed(**_postal(5))
    soon = timezone.localdate() + timedelta(days=2)
    first = wf.commitment_give(grievance=g, actor=youssef, promised_on=soon)
    notified = wf.commitment_record_notification(commitment=first, actor=salma).notified_at
    g = wf.commitment_honour(grievance=g, actor=youssef)
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réglé")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    g = wf.grievance_close(grievance=g, actor=karim, synthesis="Réglé", confirmed=True)
    stats = grievance_statistics(user=leila, period=period)[None]
    assert g.effective_closed_at == notified
    assert stats.average_delay_hours == pytest.approx((notified - g.received_at).total_seconds() / 3600)
    assert stats.median_delay_days == (timezone.localdate(notified) - timezone.localdate(g.received_at)).days


def test_share_treated_within_the_deadline(walk, leila, period):
    walk.closed()  # closed today, due in 10 days: on time
    walk.closed(**_postal(15))  # received 15 days ago, due 5 days ago: late
    stats = grievance_statistics(user=leila, period=period)[None]
    assert (stats.treated, stats.treated_within_deadline) == (2, 1)
    assert stats.treated_within_deadline_rate == 50.0


# --- the four behaviours of issue 16's « Why », each failing on the definitions before it ---------------


def test_a_request_nobody_has_qualified_is_not_counted_as_a_complaint(walk, leila, period):
    walk.register()
    walk.register()
    walk.qualified()
    stats = grievance_statistics(user=leila, period=period)[None]
    # Before: the kind defaults to « complaint », so « dont plaintes » said 3.
    assert (stats.received, stats.complaints) == (3, 1)


def test_treated_means_a_complaint_whose_first_closure_is_validated_whatever_its_state_now(walk, salma, leila, period):
    kind = NotComplaintKind.objects.first()
    for _ in range(2):
        request = walk.register()
        wf.grievance_reclassify_as_request(grievance=request, actor=salma, not_complaint_kind=kind, answer_text="Info")
    walk.appealed()
    stats = grievance_statistics(user=leila, period=period)[None]
    # Before: « traitées » was « status closed »: the two answered requests, not the appealed complaint.
    assert (stats.treated, stats.complaints, stats.not_complaints) == (1, 1, 2)


def test_the_rates_divide_by_complaints_and_by_treated_complaints(walk, salma, leila, period):
    walk.closed()  # a treated complaint, on time
    walk.closed(**_postal(15))  # a treated complaint, late
    walk.qualified()  # an open complaint
    walk.register()  # à qualifier
    request = walk.register()
    wf.grievance_reclassify_as_request(
        grievance=request, actor=salma, not_complaint_kind=NotComplaintKind.objects.first(), answer_text="Info"
    )
    stats = grievance_statistics(user=leila, period=period)[None]
    # % treated = 2 treated ÷ 3 complaints (before: 3 closed ÷ 5 received);
    # % within = 1 ÷ 2 treated complaints (before: 2 on time ÷ 3 closed, the request included).
    assert stats.treated_rate == pytest.approx(100 * 2 / 3)
    assert stats.treated_within_deadline_rate == 50.0


def test_delays_are_whole_days_of_local_dates_and_concern_complaints_only(walk, salma, leila, period):
    g = walk.closed(**_postal(2.8))  # received 2 days and about 19 hours ago, closed now
    request = walk.register(**_postal(30))
    wf.grievance_reclassify_as_request(
        grievance=request, actor=salma, not_complaint_kind=NotComplaintKind.objects.first(), answer_text="Info"
    )
    stats = grievance_statistics(user=leila, period=period)[None]
    days = (timezone.localdate(g.effective_closed_at) - timezone.localdate(g.received_at)).days
    # Before: hours ÷ 24 over every closed row, the 30-day request included (about 16.4 days).
    assert stats.average_delay_days == stats.median_delay_days == days
    assert stats.not_complaint_average_delay_days == 30


def test_an_appeal_keeps_the_first_instance_due_date_closure_and_verdict(walk, salma, leila, period):
    g = walk.closed(**_postal(5))  # due in 5 days, answered today: on time
    first_due = g.due_on
    before = grievance_statistics(user=leila, period=period)[None]
    g = wf.grievance_appeal(grievance=g, actor=salma, reason="Montant incomplet")
    g.refresh_from_db()
    after = grievance_statistics(user=leila, period=period)[None]
    # Before: the appeal moved `due_on` to the appeal's deadline and the case left « traitées ».
    assert g.due_on == first_due
    assert g.appeal_due_on > first_due
    assert (
        (after.treated, after.treated_within_deadline, after.average_delay_hours)
        == (
            before.treated,
            before.treated_within_deadline,
            before.average_delay_hours,
        )
        == (1, 1, before.average_delay_hours)
    )
    assert (after.appeals, after.appeals_pending) == (1, 1)


def test_web_and_non_web_breakdown(walk, leila, period):
    walk.register()  # call centre: non-web
    walk.register(channel=Channel.objects.get(code="web-portal"))
    walk.register(channel=Channel.objects.get(code="web-portal"))
    by_group = grievance_statistics(user=leila, period=period, group_by="channel_group")
    assert by_group[True].received == 2
    assert by_group[False].received == 1
    web_only = grievance_statistics(user=leila, period=period, filters=Filters(web=True))[None]
    assert web_only.received == 2


def test_breakdown_by_programme_and_month(walk, leila, rachid, period):
    from grievances.services.intake import grievance_register
    from pmpp.models import ComplaintCategory

    walk.register()
    amo = Programme.objects.get(code="amo-tadamon")
    grievance_register(
        actor=rachid,
        programme=amo,
        channel=Channel.objects.get(code="walk-in"),
        description="x",
        cnie="CD123456",
        category=ComplaintCategory.objects.get(programme=amo, code="paiement"),
    )
    by_programme = grievance_statistics(user=leila, period=period, group_by="programme")
    assert {Programme.objects.get(pk=pk).name: s.received for pk, s in by_programme.items()} == {
        "Tayssir": 1,
        "AMO TADAMON": 1,
    }
    by_month = grievance_statistics(user=leila, period=period, group_by="month")
    assert sum(s.received for s in by_month.values()) == 2


def test_statistics_stay_within_the_users_visibility(walk, rachid, salma, period):
    walk.register()
    assert grievance_statistics(user=rachid, period=period)[None].received == 0
    assert grievance_statistics(user=salma, period=period)[None].received == 1


def test_sensitive_cases_are_never_in_the_grievance_statistics(walk, meryem, leila, period):
    walk.sensitive()
    walk.register()
    assert grievance_statistics(user=leila, period=period)[None].received == 1
    assert grievance_statistics(user=meryem, period=period)[None].received == 0


def test_outside_the_period_is_not_counted(walk, leila):
    walk.register(**_postal(100))
    today = timezone.localdate()
    assert grievance_statistics(user=leila, period=Period(today - timedelta(days=30), today))[None].received == 0


def test_an_unknown_breakdown_is_refused(leila, period):
    with pytest.raises(ValueError, match="Unknown breakdown"):
        grievance_statistics(user=leila, period=period, group_by="colour")


def test_same_named_categories_of_two_programmes_stay_apart(walk, rachid, leila, period):
    from grievances.services.intake import grievance_register
    from pmpp.models import ComplaintCategory

    tayssir_other = ComplaintCategory.objects.get(programme__code="tayssir", code="autre")
    walk.register(category=tayssir_other)
    amo = Programme.objects.get(code="amo-tadamon")
    grievance_register(
        actor=rachid,
        programme=amo,
        channel=Channel.objects.get(code="walk-in"),
        description="x",
        cnie="CD123456",
        category=ComplaintCategory.objects.get(programme=amo, code="autre"),
    )
    by_category = grievance_statistics(user=leila, period=period, group_by="category")
    label = Labeller(["category"])
    assert {label("category", key).code: s.received for key, s in by_category.items()} == {
        "tayssir/autre": 1,
        "amo-tadamon/autre": 1,
    }
    assert {label("category", key).text("fr") for key in by_category} == {"Tayssir · Autre", "AMO TADAMON · Autre"}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass path is PostgreSQL's")
@pytest.mark.parametrize("working_days", [False, True], ids=["calendar-days", "a-programme-in-working-days"])
def test_the_postgresql_one_pass_figures_equal_the_portable_computation(leila, working_days):
    """PostgreSQL computes every breakdown in one GROUPING SETS query, with the delays averaged
    and their median taken by the database; any other database reads the rows in Python. On
    the same data both give the same figures, every figure of every breakdown, to the last
    digit: the averages come from the same integer sums, the medians of the same integers."""
    from grievances.models import Grievance
    from pmpp.models import DeadlinePolicy
    from reporting.statistics import _Context, _one_pass, _portable

    call_command("generate_grievances", count=600, seed=11, force=True, stdout=io.StringIO())
    if working_days:
        DeadlinePolicy.objects.filter(programme__code__in=["tayssir", "daam"], channel__isnull=True).update(
            day_kind=DeadlinePolicy.DayKind.WORKING
        )
    period = Period(date(2024, 1, 1), timezone.localdate())
    start, end = period.bounds()
    queryset = (
        Grievance.objects.visible_to(leila)
        .exclude(status="sensitive")
        .filter(received_at__gte=start, received_at__lt=end)
    )
    context = _Context.read(period=period, today=timezone.localdate())
    assert bool(context.working_pairs) is working_days
    groups = [None, *BREAKDOWNS]
    one_pass = _one_pass(queryset, group_bys=groups, context=context)
    portable = _portable(queryset, group_bys=groups, context=context)
    whole = one_pass[None][None]
    assert whole.received == 600 - whole.duplicates
    assert min(whole.appeals_upheld, whole.appeals_reversed, whole.appeals_pending) > 0
    assert (whole.average_delay_working_days is not None) is working_days
    for group in groups:
        assert list(one_pass[group]) == list(portable[group]), group
        for key in portable[group]:
            assert one_pass[group][key].as_dict() == portable[group][key].as_dict(), (group, key)
            assert one_pass[group][key].delays == portable[group][key].delays, (group, key)
