"""Grievance statistics (SPEC §6): counts, shares and delays from the closure-date rule."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from grievances.services import workflow as wf
from pmpp.models import Channel, NotComplaintKind, Programme
from reporting.statistics import Filters, Period, grievance_statistics

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
    walk.register()  # open
    walk.analysed(outcome="unfounded")  # open, unfounded
    walk.closed()  # founded, treated
    request = walk.register()
    wf.grievance_reclassify_as_request(
        grievance=request, actor=salma, not_complaint_kind=NotComplaintKind.objects.first(), answer_text="Info"
    )
    walk.duplicate()  # one original (open) + one duplicate, not counted twice
    walk.appealed()
    stats = grievance_statistics(user=leila, period=period)[None]
    assert stats.received == 6
    assert stats.duplicates == 1
    assert (stats.complaints, stats.not_complaints) == (5, 1)
    assert (stats.founded, stats.unfounded) == (2, 1)
    assert (stats.treated, stats.open) == (2, 4)
    assert stats.appeals == 1
    assert stats.treated_rate == round(100 * 2 / 6, 1)


def test_overdue_counts_open_grievances_past_their_due_date(walk, leila, period):
    walk.register(**_postal(20))
    walk.register(**_postal(2))
    stats = grievance_statistics(user=leila, period=period)[None]
    assert stats.overdue == 1


def test_delays_follow_the_closure_date_rule_not_raw_timestamps(walk, salma, youssef, nadia, karim, leila, period):
    g = walk.routed(**_postal(5))
    soon = timezone.localdate() + timedelta(days=2)
    first = wf.commitment_give(grievance=g, actor=youssef, promised_on=soon)
    notified = wf.commitment_record_notification(commitment=first, actor=salma).notified_at
    g = wf.commitment_honour(grievance=g, actor=youssef)
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réglé")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    g = wf.grievance_close(grievance=g, actor=karim, synthesis="Réglé")
    stats = grievance_statistics(user=leila, period=period)[None]
    expected = (notified - g.received_at).total_seconds() / 3600
    assert g.effective_closed_at == notified
    assert stats.average_delay_hours == pytest.approx(expected, abs=0.1)
    assert stats.median_delay_days == pytest.approx(expected / 24, abs=0.1)


def test_share_treated_within_the_deadline(walk, leila, period):
    walk.closed()  # closed today, due in 10 days: on time
    walk.closed(**_postal(15))  # received 15 days ago, due 5 days ago: late
    stats = grievance_statistics(user=leila, period=period)[None]
    assert (stats.treated, stats.treated_within_deadline) == (2, 1)
    assert stats.treated_within_deadline_rate == 50.0


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
    assert {name: s.received for name, s in by_programme.items()} == {"Tayssir": 1, "AMO TADAMON": 1}
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
    assert {label: s.received for label, s in by_category.items()} == {"TAY · Autre": 1, "AMO · Autre": 1}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass path is PostgreSQL's")
def test_the_postgresql_one_pass_figures_equal_the_portable_computation(leila):
    """PostgreSQL computes every breakdown in one GROUPING SETS query, with the delays averaged
    and their median taken by the database; any other database reads the closed grievances
    in Python. On the same data both give the same figures, breakdown by breakdown."""
    from reporting.statistics import _base, _by_grouping_sets, _portable

    call_command("generate_grievances", count=600, seed=11, force=True, stdout=io.StringIO())
    period = Period(date(2024, 1, 1), timezone.localdate())
    queryset = _base(user=leila, period=period, filters=Filters())
    groups = [None, "programme", "channel", "channel_group", "category", "programme_category", "region", "sex", "month"]
    one_pass = _by_grouping_sets(queryset, group_bys=groups, as_of=timezone.localdate())
    portable = _portable(queryset, group_bys=groups, as_of=timezone.localdate())
    assert one_pass[None][None].received == 600
    for group in groups:
        assert list(one_pass[group]) == list(portable[group]), group
        for key in portable[group]:
            assert one_pass[group][key].as_dict() == portable[group][key].as_dict(), (group, key)
