"""Every legal transition runs; every other (state, step) pair is refused; the docs match the code."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances.management.commands.transition_table import render
from grievances.models import Grievance
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails
from grievances.services.workflow.steps import run_step
from grievances.workflow import TRANSITION_LABELS, transition_rows
from pmpp.models import NotComplaintKind

pytestmark = pytest.mark.django_db
S = Grievance.Status
LEGAL = {(source, row["name"]): row["target"] for row in transition_rows() for source in row["sources"]}


def _perform(walk, name: str, g: Grievance) -> Grievance:
    """Run step `name` through its service, as the persona who owns it, with valid data."""
    future = timezone.localdate() + timedelta(days=3)
    steps = {
        "qualify": lambda: wf.grievance_qualify(
            grievance=g, actor=walk.agent, category=g.category, subject="x", nature="individual", identity_verified=True
        ),
        "reclassify_as_request": lambda: wf.grievance_reclassify_as_request(
            grievance=g,
            actor=walk.agent,
            not_complaint_kind=NotComplaintKind.objects.first(),
            answer_text="Information donnée.",
        ),
        "flag_sensitive": lambda: wf.grievance_flag_sensitive(
            grievance=g, actor=walk.agent, details=SensitiveDetails(nature="Allégation")
        ),
        "analyse": lambda: wf.grievance_analyse(grievance=g, actor=walk.agent, conclusion="x", outcome="founded"),
        "route_to_unit": lambda: wf.grievance_route_to_unit(grievance=g, actor=walk.agent, unit=walk.unit),
        "give_commitment": lambda: wf.commitment_give(grievance=g, actor=walk.handler, promised_on=future),
        "honour_commitment": lambda: wf.commitment_honour(grievance=g, actor=walk.handler),
        "break_commitment": lambda: wf.commitment_break(grievance=g, actor=walk.handler, reason="x"),
        "renew_commitment": lambda: wf.commitment_renew(
            grievance=g, actor=walk.handler, promised_on=future, reason="x"
        ),
        "transmit_to_partner": lambda: wf.grievance_transmit_to_partner(grievance=g, actor=walk.agent),
        "record_partner_outcome": lambda: wf.grievance_record_partner_outcome(
            grievance=g, actor=walk.partner, founded=True, data_corrected=True, note="x"
        ),
        "regularise": lambda: wf.grievance_regularise(grievance=g, actor=walk.agent, note="x"),
        "draft_answer": lambda: wf.grievance_draft_answer(grievance=g, actor=walk.agent, text="x", explanation="x"),
        "approve_answer": lambda: wf.grievance_approve_answer(grievance=g, actor=walk.head),
        "reject_answer": lambda: wf.grievance_reject_answer(grievance=g, actor=walk.head, note="x"),
        "send_answer": lambda: wf.grievance_send_answer(grievance=g, actor=walk.agent),
        "close": lambda: wf.grievance_close(grievance=g, actor=walk.closer, synthesis="x", confirmed=True),
        "appeal": lambda: wf.grievance_appeal(grievance=g, actor=walk.agent, reason="x"),
        "review_appeal": lambda: wf.grievance_review_appeal(
            grievance=g, actor=walk.head, conclusion="x", outcome="founded"
        ),
    }
    if name == "mark_duplicate":
        return walk.duplicate()  # only the intake service links a duplicate, right after registering
    steps[name]()
    g.refresh_from_db()
    return g


def test_every_transition_has_a_label_and_a_permission():
    rows = transition_rows()
    assert {row["name"] for row in rows} == set(TRANSITION_LABELS)
    assert all(row["permission"].startswith("grievances.") for row in rows)


def test_every_state_is_reachable_and_every_non_terminal_state_has_a_way_out():
    targets = {row["target"] for row in transition_rows()} | {S.RECEIVED}
    sources = {source for row in transition_rows() for source in row["sources"]}
    assert targets == set(S.values)
    assert set(S.values) - sources == {S.DUPLICATE, S.SENSITIVE}


@pytest.mark.parametrize(("source", "name"), sorted(LEGAL))
def test_every_legal_transition_runs_through_its_service(walk, source, name):
    register = {"category": walk.massar()} if name == "transmit_to_partner" and source != S.PARTNER_ANSWERED else {}
    g = walk.in_state(source, **register)
    assert g.status == source
    assert _perform(walk, name, g).status == LEGAL[(source, name)]


@pytest.mark.parametrize("state", list(S.values))
def test_every_illegal_transition_is_refused(walk, admin_user, state):
    g = walk.in_state(state)
    history = g.history.count()
    for name in TRANSITION_LABELS:
        if (state, name) in LEGAL:
            continue
        with pytest.raises(ValidationError, match="n'est pas possible"):
            run_step(g, name=name, actor=admin_user)
    g.refresh_from_db()
    assert (g.status, g.history.count()) == (state, history)


def test_the_documented_transition_table_is_generated_from_the_code(settings):
    documented = (settings.BASE_DIR / "docs" / "transitions.md").read_text(encoding="utf-8")
    assert documented == render(), "run `manage.py transition_table --write`"
