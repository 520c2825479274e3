"""Migration 0015 gives appealed grievances back what their first instance decided.

Before it, an appeal moved `due_on` to the appeal's deadline, the review cleared the closure
and the second closure overwrote it. The grievances are arranged as that code left them, on
the schema before the migration, with the history rows it wrote; the migration must restore
the first instance from that history, put the appeal on its own fields, and keep the audit
chain intact.
"""

from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from grievances.models import Grievance
from pmpp.audit_chain import install_audit_chain, verify_chain

pytestmark = pytest.mark.django_db(transaction=True)  # migrations cannot run inside the test's transaction

BEFORE = ("grievances", "0014_open_due_by_programme")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _step(Old, History, pk: int, *, transition: str, at, user, **changes) -> None:
    """A transition as the code before the migration applied it: the row changed, and its history row."""
    Old.objects.filter(pk=pk).update(**changes)
    grievance = Old.objects.get(pk=pk)
    own = {field.attname for field in Old._meta.concrete_fields}
    History.objects.create(
        **{f.attname: getattr(grievance, f.attname) for f in History._meta.concrete_fields if f.attname in own},
        history_date=at,
        history_type="~",
        history_user_id=user.pk,
        history_change_reason="",
        transition=transition,
    )


def test_the_first_instance_is_restored_from_history_and_the_appeal_gets_its_own_clock(
    walk, salma, nadia, karim, unfounded_reason
):
    reviewed_and_closed_again = walk.closed()
    first = Grievance.objects.get(pk=reviewed_and_closed_again.pk)
    without_first_closure = walk.qualified()  # e.g. imported closed: its history has no closure before the appeal
    first_due_of_the_second = without_first_closure.due_on

    executor = _migrate([BEFORE])
    install_audit_chain()  # the rebuilt tables get their triggers back, as `migrate` would
    old = executor.loader.project_state([BEFORE]).apps
    Old, History = old.get_model("grievances", "Grievance"), old.get_model("grievances", "HistoricalGrievance")

    # 1. Closed on time, appealed, reviewed (the founded answer reversed), answered and closed again.
    appealed_at = first.closure_validated_at + timedelta(days=3)
    appeal_due = first.due_on + timedelta(days=20)
    reviewed_at = appealed_at + timedelta(days=4)
    second_closure = reviewed_at + timedelta(days=2)
    step = partial(_step, Old, History, first.pk)
    step(transition="appeal", at=appealed_at, user=salma, status="appealed", due_on=appeal_due, appeal_count=1,
         appealed_at=appealed_at, appeal_reason="La bourse reste incomplète")  # fmt: skip
    step(transition="review_appeal", at=reviewed_at, user=nadia, status="analysed", outcome="unfounded",
         unfounded_reason_id=unfounded_reason.pk, closure_validated_at=None, effective_closed_at=None)  # fmt: skip
    step(transition="close", at=second_closure, user=karim, status="closed", closure_validated_at=second_closure,
         effective_closed_at=second_closure, final_synthesis="Recours rejeté.")  # fmt: skip

    # 2. Appealed with no closure in its history: its first due date is counted again.
    now = timezone.now()
    _step(Old, History, without_first_closure.pk, transition="appeal", at=now, user=salma, status="appealed",
          due_on=first_due_of_the_second + timedelta(days=30), appeal_count=1, appealed_at=now)  # fmt: skip

    _migrate(executor.loader.graph.leaf_nodes())

    g = Grievance.objects.get(pk=first.pk)
    assert (g.due_on, g.closure_validated_at, g.effective_closed_at, g.closed_by_id, g.final_synthesis) == (
        first.due_on, first.closure_validated_at, first.effective_closed_at, first.closed_by_id, first.final_synthesis,
    )  # fmt: skip
    assert (g.appeal_due_on, g.current_due_on) == (appeal_due, appeal_due)
    assert (g.appeal_reviewed_at, g.appeal_reviewed_by_id) == (reviewed_at, nadia.pk)
    assert g.appeal_decision == Grievance.AppealDecision.REVERSED
    assert (g.appeal_closed_at, g.appeal_closed_by_id, g.appeal_synthesis) == (
        second_closure,
        karim.pk,
        "Recours rejeté.",
    )
    assert g.treated_within_deadline() is True  # answered on time; the appeal does not make it late

    h = Grievance.objects.get(pk=without_first_closure.pk)
    assert (h.due_on, h.appeal_due_on) == (first_due_of_the_second, first_due_of_the_second + timedelta(days=30))

    trail = Grievance.history.filter(id__in=[g.pk, h.pk], history_change_reason__startswith="Recours sur son propre")
    assert trail.count() == 2
    assert verify_chain().broken is None
