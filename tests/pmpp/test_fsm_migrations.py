"""`migrate` renders the historical models thousands of times: their FSM fields must not each
leave a `class_prepared` receiver behind (pmpp/fsm_migrations.py)."""

from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared

from grievances.models import Grievance


def test_rendering_every_migration_state_leaves_no_receiver_behind():
    receivers = len(class_prepared.receivers)
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    rendered = state.apps  # every historical model, three of them with FSM fields
    assert rendered.get_model("grievances", "Grievance")._meta.get_field("status")
    assert len(class_prepared.receivers) == receivers


def test_the_real_models_still_know_their_transitions():
    assert {transition.name for transition in Grievance().get_all_status_transitions()} >= {"qualify", "close"}
