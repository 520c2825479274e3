"""History (SPEC §5.6): on every domain model, with who, when and why, from every service."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from grievances.models import Grievance

pytestmark = pytest.mark.django_db
# The counter is bookkeeping; the audit chain's links are themselves the audit (append-only).
# A bulk run only holds a run together across its pages: each case it changes goes through
# the case's own transition and history (grievances.services.bulk_work).
# A note's mentions are bookkeeping of who has seen it (the note keeps the history).
NOT_AUDITED = {"ReferenceCounter", "User_groups", "User_user_permissions", "AuditLink", "BulkRun", "NoteMention"}


def test_every_domain_model_keeps_history():
    for app_label in ("pmpp", "grievances"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical") or model.__name__ in NOT_AUDITED:
                continue
            assert hasattr(model, "history"), f"{app_label}.{model.__name__} has no history"


def test_each_step_writes_who_and_why_into_history(walk, salma, karim):
    g = walk.closed()
    rows = list(g.history.order_by("history_id"))
    assert all(row.history_change_reason for row in rows)
    assert all(row.history_user_id for row in rows)
    close = rows[-1]
    assert (close.transition, close.history_user, close.status) == ("close", karim, "closed")
    assert close.history_change_reason == "Clôturer (opération 4) — Bourse versée."


def test_the_registration_row_copied_by_the_database_is_the_one_simple_history_writes(walk):
    g = walk.register()
    registered = g.history.get()
    g.refresh_from_db()
    g._change_reason = "Relecture"
    g.save()  # unchanged: django-simple-history writes its own row of the same state
    by_simple_history = g.history.latest("history_id")

    bookkeeping = {"history_id", "history_date", "history_type", "history_change_reason", "transition"}
    fields = [f.attname for f in registered._meta.concrete_fields if f.attname not in bookkeeping]
    assert len(fields) > 60
    assert {name: getattr(registered, name) for name in fields} == {
        name: getattr(by_simple_history, name) for name in fields
    }
    assert (registered.history_type, registered.transition, registered.history_user) == ("+", "register", walk.agent)
    assert registered.history_change_reason == f"Enregistrement ({g.channel.name})"
    assert registered.history_date >= g.created_at


def test_a_history_row_records_what_changed(walk):
    g = walk.analysed()
    analysed, qualified = g.history.order_by("-history_id")[:2]
    changed = {change.field for change in analysed.diff_against(qualified).changes}
    assert {"status", "analysis_conclusion", "outcome"} <= changed


def test_the_sla_status_follows_the_due_date(walk):
    from datetime import timedelta

    g = walk.register()
    assert g.sla_status(today=g.due_on - timedelta(days=5)) == "on_track"
    assert g.sla_status(today=g.due_on - timedelta(days=1)) == "due_soon"
    assert g.sla_status(today=g.due_on + timedelta(days=1)) == "overdue"
    assert walk.closed().sla_status() is None


def test_no_code_updates_audited_rows_behind_historys_back():
    """QuerySet.update() writes no history row: the application code never calls it."""
    offenders = []
    for app in ("pmpp", "grievances", "stakeholders", "reporting"):
        for path in (settings.BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(rf"\b({'|'.join(NOT_AUDITED)})\.objects\b", line):
                    continue  # a model that keeps no history: nothing to write behind
                if re.search(r"\)\s*\.update\(", line) or re.search(r"objects\.update\(", line):
                    offenders.append(f"{Path(path).relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    assert offenders == []


def test_history_is_read_only_in_the_admin(client, admin_user, walk):
    g = walk.analysed()
    client.force_login(admin_user)
    record = g.history.earliest("history_id")
    response = client.get(f"/admin/grievances/grievance/{g.pk}/history/{record.history_id}/")
    assert response.status_code in (200, 302, 403)
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
    response = client.post(f"/admin/grievances/grievance/{g.pk}/history/{record.history_id}/", {})
    g.refresh_from_db()
    assert g.status == Grievance.Status.ANALYSED


@pytest.mark.django_db
def test_history_tables_index_only_the_columns_they_are_read_by():
    """A grievance's timeline reads its history by grievance id, and its commitments' history
    by grievance too; any other index would only slow down every workflow step."""
    from django.db import connection

    from grievances.models import Commitment, Grievance

    def indexed(model) -> set[str]:
        table = model.history.model._meta.db_table
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        return {c["columns"][0] for c in constraints.values() if c["index"] and len(c["columns"]) == 1}

    assert {"id", "history_date", "history_user_id"} <= indexed(Grievance)
    assert not {"programme_id", "category_id", "reference", "assigned_to_id"} & indexed(Grievance)
    assert "grievance_id" in indexed(Commitment)


def test_the_timeline_names_whom_a_change_points_to_whether_or_not_the_file_has_them_loaded(walk, salma, youssef):
    # Salma, then Youssef: the first is no longer the file's assignee and is read by id; the
    # second comes with the file's own query. Both are named, never « #id ».
    from grievances.selectors import grievance_file_for_user
    from grievances.services import workflow as wf
    from grievances.timeline import grievance_timeline

    g = walk.qualified()
    wf.grievance_assign(grievance=g, actor=walk.head, assignee=salma)
    wf.grievance_assign(grievance=g, actor=walk.head, assignee=youssef)
    loaded = grievance_file_for_user(user=salma, pk=g.pk)

    changes = [
        (change.old, change.new)
        for event in grievance_timeline(loaded)
        for change in event.changes
        if change.label == str(Grievance._meta.get_field("assigned_to").verbose_name)
    ]
    assert changes == [(salma.get_full_name(), youssef.get_full_name()), ("—", salma.get_full_name())]
    categories = [
        change
        for event in grievance_timeline(loaded)
        for change in event.changes
        if change.label == str(Grievance._meta.get_field("category").verbose_name)
    ]
    assert all("#" not in change.old + change.new for change in categories)
