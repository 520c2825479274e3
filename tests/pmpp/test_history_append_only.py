"""History is append-only (SPEC §5.6): the database refuses UPDATE and DELETE on history.

These tests run on whichever database the suite uses — SQLite under `make test`, PostgreSQL
in CI — so the same tests prove the triggers of both. A refused statement is run inside its
own `transaction.atomic()` so that, on PostgreSQL, the failure does not abort the test's
transaction.
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from simple_history import models as simple_history_models
from simple_history.utils import get_history_model_for_model

from pmpp.audit import (
    append_only_models,
    history_models,
    history_rewrite_allowed,
    install_history_triggers,
    trigger_name,
)
from pmpp.models import Programme, Region

REGION_TABLE = Region.history.model._meta.db_table


def refused(operation: str, table: str = REGION_TABLE):
    """The error the triggers raise, with the same class and message on SQLite and PostgreSQL."""
    return pytest.raises(IntegrityError, match=f"history is append-only: {operation} on {table} refused")


@pytest.fixture
def region_history(db):
    """The newest history row of a region that has just been renamed."""
    region = Region.objects.get(code="01")
    region.name = "Tanger-Tétouan-Al Hoceïma (modifiée)"
    region.save()
    return region.history.first()


def history_triggers(table: str) -> dict[str, str]:
    """Trigger name → definition, for the triggers on `table`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_reference_data_is_seeded_with_history_rows():
    assert Programme.history.filter(code="tayssir").exists()
    assert Region.history.count() == Region.objects.count() > 0


def test_updating_a_history_row_through_the_orm_is_refused(region_history):
    with refused("UPDATE"), transaction.atomic():
        Region.history.filter(pk=region_history.pk).update(name="Réécrite")
    region_history.refresh_from_db()
    assert region_history.name == "Tanger-Tétouan-Al Hoceïma (modifiée)"


def test_saving_a_history_row_is_refused(region_history):
    region_history.name = "Réécrite"
    with refused("UPDATE"), transaction.atomic():
        region_history.save()


def test_deleting_a_history_row_is_refused(region_history):
    with refused("DELETE"), transaction.atomic():
        region_history.delete()
    with refused("DELETE"), transaction.atomic():
        Region.history.all().delete()
    assert Region.history.filter(pk=region_history.pk).exists()


@pytest.mark.parametrize(
    ("operation", "sql"),
    [
        ("UPDATE", "UPDATE {table} SET name = 'Réécrite' WHERE history_id = %s"),
        ("DELETE", "DELETE FROM {table} WHERE history_id = %s"),
    ],
    ids=["update", "delete"],
)
def test_raw_sql_cannot_rewrite_history(region_history, operation, sql):
    with refused(operation), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=connection.ops.quote_name(REGION_TABLE)), [region_history.pk])
    assert Region.history.filter(pk=region_history.pk, name="Tanger-Tétouan-Al Hoceïma (modifiée)").exists()


def test_saving_a_change_still_appends_a_history_row(db):
    programme = Programme.objects.get(code="tayssir")
    before = programme.history.count()
    programme.name_ar = "برنامج تيسير"
    programme.save()
    assert programme.history.count() == before + 1
    assert programme.history.first().name_ar == "برنامج تيسير"


@pytest.mark.django_db
def test_every_history_table_has_the_append_only_triggers():
    tracked = [
        model
        for model in simple_history_models.registered_models.values()
        # Many-to-many through tables are registered too, with their own historical table
        # found through the owning model; they subclass HistoricalChanges like the others.
        if hasattr(model, "_meta") and hasattr(model._meta, "simple_history_manager_attribute")
    ]
    assert {get_history_model_for_model(model) for model in tracked} <= set(history_models())
    assert Region.history.model in history_models()

    for model in history_models():
        table = model._meta.db_table
        triggers = history_triggers(table)
        if connection.vendor == "postgresql":
            definition = triggers[trigger_name(table, "append_only")]
            timing_and_events, _, action = definition.partition(" ON ")
            assert {"BEFORE", "UPDATE", "DELETE"} <= set(timing_and_events.split())
            assert action.endswith("FOR EACH ROW EXECUTE FUNCTION pmpp_history_append_only()")
        else:
            assert "BEFORE UPDATE" in triggers[trigger_name(table, "no_update")]
            assert "BEFORE DELETE" in triggers[trigger_name(table, "no_delete")]


@pytest.mark.django_db
def test_installing_the_triggers_again_changes_nothing():
    # History, and the audit chain's links (pmpp.audit_chain), which are append-only too.
    tables = {model._meta.db_table for model in append_only_models()}
    before = {table: history_triggers(table) for table in tables}
    assert install_history_triggers() == len(tables)
    assert install_history_triggers() == len(tables)
    assert {table: history_triggers(table) for table in tables} == before


def test_history_may_be_rewritten_only_inside_history_rewrite_allowed(region_history):
    # Anonymisation (Law 09-08) will rewrite personal data in history this way.
    with history_rewrite_allowed():
        Region.history.filter(pk=region_history.pk).update(name="Anonymisée")
    region_history.refresh_from_db()
    assert region_history.name == "Anonymisée"

    with refused("UPDATE"), transaction.atomic():
        Region.history.filter(pk=region_history.pk).update(name="Réécrite")
    with refused("DELETE"), transaction.atomic():
        region_history.delete()


def test_a_nested_rewrite_block_leaves_the_outer_one_unlocked(region_history):
    with history_rewrite_allowed():
        with history_rewrite_allowed():
            Region.history.filter(pk=region_history.pk).update(name="Première")
        Region.history.filter(pk=region_history.pk).update(name="Seconde")
    region_history.refresh_from_db()
    assert region_history.name == "Seconde"
    with refused("UPDATE"), transaction.atomic():
        Region.history.filter(pk=region_history.pk).update(name="Réécrite")


def test_a_failed_rewrite_is_rolled_back_and_leaves_history_locked(region_history):
    def interrupted_anonymisation() -> None:
        with history_rewrite_allowed():
            Region.history.filter(pk=region_history.pk).update(name="Anonymisée")
            raise RuntimeError("anonymisation interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        interrupted_anonymisation()
    region_history.refresh_from_db()
    assert region_history.name == "Tanger-Tétouan-Al Hoceïma (modifiée)"
    with refused("UPDATE"), transaction.atomic():
        Region.history.filter(pk=region_history.pk).update(name="Réécrite")


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_history_and_reinstalls_the_triggers():
    """The test runner flushes after this test too: its teardown passing is part of the proof."""
    seeded = Region.history.count()
    region = Region.objects.get(code="02")
    region.name = "Oriental (modifiée)"
    region.save()
    assert Region.history.count() == seeded + 1

    call_command("flush", interactive=False, verbosity=0)

    # post_migrate re-seeded the reference data and put the triggers back.
    assert Region.history.count() == seeded
    assert history_triggers(REGION_TABLE)
    with refused("DELETE"), transaction.atomic():
        Region.history.all().delete()
