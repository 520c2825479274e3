"""Who may take each step, the four-eyes rules, atomic failure, and bounded queries."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances.models import Commitment, Grievance
from grievances.services import workflow as wf
from pmpp import roles
from pmpp.models import Channel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Grievance.Status


@pytest.fixture
def agent_and_head(db):
    """A small office where one person is both agent and head of beneficiary services."""
    user = UserFactory(username="polyvalent", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")])
    user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[roles.HEAD_OF_BENEFICIARY_SERVICES].group_name))
    user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[roles.CLOSING_OFFICER].group_name))
    return UserFactory._meta.model.objects.get(pk=user.pk)


def test_the_answer_is_approved_by_someone_other_than_its_author(walk, agent_and_head):
    g = walk.analysed()
    g = wf.grievance_draft_answer(grievance=g, actor=agent_and_head, text="Réponse")
    with pytest.raises(PermissionDenied, match="quatre yeux"):
        wf.grievance_approve_answer(grievance=g, actor=agent_and_head)
    g.refresh_from_db()
    assert g.status == S.ANSWER_DRAFTED
    offered = [t.name for t in g.get_available_user_status_transitions(agent_and_head)]
    assert "approve_answer" not in offered


def test_the_closing_officer_cannot_close_a_grievance_they_qualified(walk, agent_and_head, nadia, salma):
    g = walk.register(actor=agent_and_head)
    g = wf.grievance_qualify(
        grievance=g,
        actor=agent_and_head,
        category=walk.category,
        subject="Paiement",
        nature="individual",
        identity_verified=True,
    )
    g = wf.grievance_analyse(grievance=g, actor=salma, conclusion="Vu", outcome="founded")
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réponse")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    with pytest.raises(PermissionDenied, match="quatre yeux"):
        wf.grievance_close(grievance=g, actor=agent_and_head, synthesis="Fait", confirmed=True)


def test_a_setting_lets_a_small_team_close_what_it_qualified(walk, agent_and_head, nadia, salma, settings):
    settings.PMPP_ALLOW_SELF_CLOSE = True
    g = walk.register(actor=agent_and_head)
    g = wf.grievance_qualify(
        grievance=g,
        actor=agent_and_head,
        category=walk.category,
        subject="Paiement",
        nature="individual",
        identity_verified=True,
    )
    g = wf.grievance_analyse(grievance=g, actor=salma, conclusion="Vu", outcome="founded")
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réponse")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    assert wf.grievance_close(grievance=g, actor=agent_and_head, synthesis="Fait", confirmed=True).status == S.CLOSED


@pytest.mark.parametrize(
    ("persona", "step"),
    [
        ("youssef", "qualify"),
        ("omar", "qualify"),
        ("leila", "qualify"),
        ("meryem", "qualify"),
        ("salma", "close"),
        ("karim", "approve"),
    ],
)
def test_a_role_without_the_permission_is_refused(request, walk, persona, step):
    user = request.getfixturevalue(persona)
    if step == "qualify":
        g = walk.register()
        call = lambda: wf.grievance_qualify(  # noqa: E731
            grievance=g, actor=user, category=walk.category, subject="x", nature="individual", identity_verified=True
        )
    elif step == "close":
        g = walk.answer_sent()
        call = lambda: wf.grievance_close(grievance=g, actor=user, synthesis="x", confirmed=True)  # noqa: E731
    else:
        g = walk.answer_drafted()
        call = lambda: wf.grievance_approve_answer(grievance=g, actor=user)  # noqa: E731
    status = g.status
    history = g.history.count()
    with pytest.raises(PermissionDenied):
        call()
    g.refresh_from_db()
    assert (g.status, g.history.count()) == (status, history)


def test_an_agent_of_another_programme_cannot_act_on_a_grievance(walk, rachid):
    g = walk.register()
    with pytest.raises(PermissionDenied):
        wf.grievance_qualify(
            grievance=g, actor=rachid, category=walk.category, subject="x", nature="individual", identity_verified=True
        )


def test_a_step_from_the_wrong_state_is_refused_with_a_french_message(walk, karim):
    g = walk.qualified()
    with pytest.raises(ValidationError, match="n'est pas possible pour une réclamation à l'état « Qualifiée »"):
        wf.grievance_close(grievance=g, actor=karim, synthesis="x", confirmed=True)


def test_validation_errors_name_the_field(walk, salma):
    g = walk.register()
    with pytest.raises(ValidationError) as error:
        wf.grievance_qualify(grievance=g, actor=salma, category=None, subject="", nature="?", identity_verified=False)
    assert set(error.value.message_dict) == {"category", "subject", "nature", "identity_verified"}


def test_a_failure_in_the_middle_of_a_step_saves_nothing(walk, youssef):
    g = walk.routed()
    history_before = g.history.count()
    with (
        mock.patch.object(Commitment, "save", side_effect=RuntimeError("disque plein")),
        pytest.raises(RuntimeError),
    ):
        wf.commitment_give(grievance=g, actor=youssef, promised_on=timezone.localdate() + timedelta(days=2))
    g.refresh_from_db()
    assert g.status == S.ROUTED
    assert g.history.count() == history_before
    assert not Commitment.objects.filter(grievance=g).exists()


def test_nothing_changes_status_outside_a_transition(walk):
    g = walk.register()
    with pytest.raises(AttributeError):
        g.status = S.CLOSED


@pytest.mark.parametrize(
    ("state", "step", "budget"),
    [
        ("received", "qualify", 8),
        ("qualified", "analyse", 8),
        ("analysed", "route", 8),
        ("routed", "give", 11),  # with its notification and the task that sends it
        ("answer_drafted", "approve", 8),
        ("answer_sent", "close", 10),
    ],
)
def test_each_transition_service_runs_a_bounded_number_of_queries(
    walk, salma, youssef, nadia, karim, state, step, budget
):
    g = walk.in_state(state)
    calls = {
        "qualify": lambda: wf.grievance_qualify(
            grievance=g, actor=salma, category=walk.category, subject="x", nature="individual", identity_verified=True
        ),
        "analyse": lambda: wf.grievance_analyse(grievance=g, actor=salma, conclusion="x", outcome="founded"),
        "route": lambda: wf.grievance_route_to_unit(grievance=g, actor=salma, unit=walk.unit),
        "give": lambda: wf.commitment_give(
            grievance=g, actor=youssef, promised_on=timezone.localdate() + timedelta(days=2)
        ),
        "approve": lambda: wf.grievance_approve_answer(grievance=g, actor=nadia),
        "close": lambda: wf.grievance_close(grievance=g, actor=karim, synthesis="x", confirmed=True),
    }
    for user in (salma, youssef, nadia, karim):  # warm the per-request caches a view would have
        user.role_codes()
        user.programme_scope()
        user.get_all_permissions()
    with CaptureQueriesContext(connection) as queries:
        calls[step]()
    assert len(queries) <= budget, "\n".join(q["sql"] for q in queries.captured_queries)


def test_intake_channel_other_than_the_answer_channel_needs_no_exception_when_none_is_needed(walk, salma):
    g = walk.analysed()
    g = wf.grievance_draft_answer(
        grievance=g,
        actor=salma,
        text="",
        exception="no_answer_needed",
        exception_reason="Remerciements du bénéficiaire, aucune réponse attendue",
    )
    assert g.answer_channel is None
    assert Channel.objects.filter(code="call-centre").exists()
