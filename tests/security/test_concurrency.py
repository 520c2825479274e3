"""Conflicting steps at the same instant on one grievance (issue 9, item 6): exactly one wins,
the others are told who moved the case, and nothing is lost.

Real concurrency: each thread has its own PostgreSQL connection, and a barrier releases them
together. SQLite serialises every writer, so these races only mean something on PostgreSQL.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance, ReferenceCounter
from grievances.services import workflow as wf
from pmpp import roles
from pmpp.models import Channel
from tests.factories import CNRA, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real concurrency needs PostgreSQL (CI)"),
]


def race(count: int, act: Callable[[int, Grievance | None], object], *, load: int | None = None) -> list:
    """Run act(i, copy) in `count` threads released together; return each result or exception.

    With `load`, each thread first reads its own copy of that grievance, as a user who opened
    the page before anyone acted.
    """
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i: int) -> None:
        from django.db import connection as own_connection

        try:
            copy = Grievance.objects.get(pk=load) if load is not None else None
            barrier.wait(timeout=30)
            outcomes[i] = act(i, copy)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            own_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _split(outcomes: list) -> tuple[list, list]:
    won = [o for o in outcomes if isinstance(o, Grievance)]
    lost = [o for o in outcomes if not isinstance(o, Grievance)]
    return won, lost


def _name(user) -> str:
    return user.get_full_name() or user.username


@pytest.fixture
def agents(salma):
    """Eight agents of CNRA on Tayssir, all with the case open on their screen."""
    return [salma] + [UserFactory(role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")]) for _ in range(7)]


@pytest.mark.parametrize("expected_status", ["received", None], ids=["from-a-screen", "from-code"])
def test_eight_agents_qualifying_at_once_one_wins_and_seven_are_told_who_moved_it(walk, agents, expected_status):
    grievance = walk.register()

    def qualify(i: int, copy: Grievance) -> Grievance:
        return wf.grievance_qualify(
            grievance=copy,
            actor=agents[i],
            category=walk.category,
            subject=f"Objet saisi par l'agent {i}",
            nature="individual",
            identity_verified=True,
            expected_status=expected_status,
        )

    outcomes = race(8, qualify, load=grievance.pk)

    won, lost = _split(outcomes)
    assert len(won) == 1, outcomes
    assert all(isinstance(error, wf.StaleGrievance) for error in lost), lost
    winner = agents[outcomes.index(won[0])]
    for error in lost:
        message = str(error)
        assert f"La réclamation {grievance.reference} a changé entre-temps" in message
        assert "« Qualifiée »" in message
        assert f"modifiée par {_name(winner)}" in message
        assert "Rien n'a été enregistré" in message
    grievance.refresh_from_db()
    assert (grievance.status, grievance.qualified_by, grievance.subject) == (
        "qualified",
        winner,
        f"Objet saisi par l'agent {agents.index(winner)}",
    )
    assert grievance.history.filter(transition="qualify").count() == 1
    assert grievance.history.count() == 2  # the intake, then the one qualification


def test_two_closing_officers_closing_at_once_close_it_once(walk, karim):
    other_closer = UserFactory(role=roles.CLOSING_OFFICER, scopes=CNRA)
    closers = [karim, other_closer]
    grievance = walk.answer_sent()

    def close(i: int, copy: Grievance) -> Grievance:
        return wf.grievance_close(
            grievance=copy,
            actor=closers[i],
            synthesis=f"Synthèse de {closers[i].username}",
            expected_status=None,
            confirmed=True,
        )

    outcomes = race(2, close, load=grievance.pk)

    won, lost = _split(outcomes)
    assert len(won) == 1, outcomes
    assert len(lost) == 1, outcomes
    assert isinstance(lost[0], wf.StaleGrievance)
    winner = closers[outcomes.index(won[0])]
    grievance.refresh_from_db()
    assert (grievance.status, grievance.closed_by, grievance.final_synthesis) == (
        "closed",
        winner,
        f"Synthèse de {winner.username}",
    )
    assert grievance.history.filter(transition="close").count() == 1


def test_approving_and_rejecting_the_same_answer_at_once_keeps_one_decision(walk, nadia):
    second_head = UserFactory(role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=CNRA)
    grievance = walk.answer_drafted()

    def decide(i: int, copy: Grievance) -> Grievance:
        if i == 0:
            return wf.grievance_approve_answer(grievance=copy, actor=nadia, expected_status="answer_drafted")
        return wf.grievance_reject_answer(
            grievance=copy, actor=second_head, note="Préciser la date", expected_status="answer_drafted"
        )

    outcomes = race(2, decide, load=grievance.pk)

    won, lost = _split(outcomes)
    assert len(won) == 1, outcomes
    assert isinstance(lost[0], wf.StaleGrievance), outcomes
    grievance.refresh_from_db()
    assert grievance.status == won[0].status
    decisions = grievance.history.filter(transition__in=["approve_answer", "reject_answer"])
    assert list(decisions.values_list("transition", flat=True)) == [
        "approve_answer" if won[0].status == "answer_approved" else "reject_answer"
    ]


def _wait_for_a_lock_wait(seconds: float = 10) -> bool:
    """True once another connection of this test database waits on a row lock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_closure_waiting_behind_an_assignment_does_not_erase_it(walk, nadia, karim):
    """The lost update a full-row save would cause without the row lock, made to happen for sure:
    the assignment holds its transaction open while the closing officer, who loaded the case
    before it, closes; the closure must wait, then keep the new assignee."""
    new_agent = UserFactory(role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")])
    grievance = walk.answer_sent()
    closer_copy = Grievance.objects.get(pk=grievance.pk)  # the page the closing officer opened
    assigned, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def assign() -> None:
        from django.db import connection as own_connection

        try:
            with transaction.atomic():
                outcomes["assign"] = wf.grievance_assign(grievance=grievance, actor=nadia, assignee=new_agent)
                assigned.set()
                release.wait(timeout=20)
        except Exception as exc:
            outcomes["assign"] = exc
            assigned.set()
        finally:
            own_connection.close()

    def close() -> None:
        from django.db import connection as own_connection

        try:
            outcomes["close"] = wf.grievance_close(
                grievance=closer_copy, actor=karim, synthesis="Bourse versée.", confirmed=True
            )
        except Exception as exc:
            outcomes["close"] = exc
        finally:
            own_connection.close()

    assigner, closer = threading.Thread(target=assign), threading.Thread(target=close)
    assigner.start()
    assert assigned.wait(timeout=20)
    closer.start()
    waited = _wait_for_a_lock_wait()
    release.set()
    assigner.join(timeout=30)
    closer.join(timeout=30)

    assert isinstance(outcomes["assign"], Grievance), outcomes
    assert isinstance(outcomes["close"], Grievance), outcomes
    assert waited, "the closure did not wait for the assignment's transaction"
    grievance.refresh_from_db()
    assert (grievance.status, grievance.assigned_to) == ("closed", new_agent)
    last = grievance.history.order_by("-history_id").first()
    assert (last.transition, last.assigned_to_id) == ("close", new_agent.pk)


def test_two_closing_officers_posting_the_close_form_at_once_see_one_success_and_one_conflict(walk, karim):
    other_closer = UserFactory(role=roles.CLOSING_OFFICER, scopes=CNRA)
    grievance = walk.answer_sent()
    url = reverse("grievances:step", args=[grievance.pk, "close"])
    browsers = []
    for closer in (karim, other_closer):
        browser = Client()
        browser.force_login(closer)
        assert browser.get(url).status_code == 200  # both have the form on screen
        browsers.append(browser)

    def post(i: int, _copy) -> object:
        return browsers[i].post(
            url, {"expected_status": "answer_sent", "final_synthesis": f"Synthèse {i}", "confirm": "yes"}, follow=True
        )

    responses = race(2, post)

    assert [r.status_code for r in responses] == [200, 200], responses
    pages = [r.content.decode() for r in responses]
    assert sum("Étape enregistrée : Clôturer" in page for page in pages) == 1, pages
    assert sum("a changé entre-temps" in page for page in pages) == 1, pages
    grievance.refresh_from_db()
    assert grievance.status == "closed"
    assert grievance.history.filter(transition="close").count() == 1
    winner = next(i for i, page in enumerate(pages) if "Étape enregistrée" in page)
    assert grievance.final_synthesis == f"Synthèse {winner}"


def test_eight_agents_registering_the_first_mail_of_a_year_at_once_get_eight_distinct_references(walk, agents):
    """The first registrations of a year race to create the year's counter, then to increment it."""
    year = timezone.localdate().year - 7
    assert not ReferenceCounter.objects.filter(year=year).exists()
    postal = Channel.objects.get(code="postal")
    received = timezone.make_aware(datetime(year, 3, 2, 10, 0))

    def register(i: int, _copy) -> str:
        return walk.register(actor=agents[i], channel=postal, received_at=received, cnie=f"ZZ{900000 + i}").reference

    references = race(8, register)

    assert all(isinstance(r, str) for r in references), references
    prefix = walk.programme.reference_prefix
    assert sorted(references) == [f"{prefix}-{year}-{n:06d}" for n in range(1, 9)]
    assert Grievance.objects.filter(reference__in=references).count() == 8
    assert ReferenceCounter.objects.get(prefix=prefix, year=year).last_value == 8
