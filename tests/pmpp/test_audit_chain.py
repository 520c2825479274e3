"""Tamper-evident audit (issue 9, item 4): `verify_audit` finds any change made around the triggers.

Each tampering test plays an attacker with database access: it bypasses the append-only
triggers the sanctioned way (`history_rewrite_allowed()`) or by disabling the chain's
trigger, changes the data, and expects `verify_audit` to fail naming the table, the id and
the position of the first broken link, and nothing of the row's content.
"""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from pmpp import audit_chain
from pmpp.audit import history_models, history_rewrite_allowed, trigger_name
from pmpp.audit_chain import record_rewrite
from pmpp.models import AuditLink, Region
from tests.factories import UserFactory

RegionHistory = Region.history.model
TABLE = RegionHistory._meta.db_table
NEW_NAME = "Tanger-Tétouan-Al Hoceïma (modifiée)"

pytestmark = pytest.mark.django_db


def verify(**options) -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, **options)
    return out.getvalue()


def broken(problem: str, *, row_id, position) -> str:
    """The failure message, as a regular expression."""
    where = "aucune / none" if position is None else position
    return f"Audit chain broken: {problem} — table {TABLE}, id {row_id}, position {where}$".replace("(", r"\(").replace(
        ")", r"\)"
    )


def link_of(row) -> AuditLink:
    audit_chain.seal_pending()  # PostgreSQL writes links at commit; a test never commits
    return AuditLink.objects.filter(table_name=TABLE, row_id=row.pk).latest("position")


@pytest.fixture
def renamed():
    """The history row of a region just renamed through the ORM."""
    region = Region.objects.get(code="01")
    region.name = NEW_NAME
    region.save()
    return region.history.first()


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)


def test_every_history_row_is_chained_once_and_the_chain_verifies(renamed):
    output = verify()

    assert link_of(renamed).kind == AuditLink.Kind.INSERT
    history_rows = sum(model.objects.count() for model in history_models())
    assert AuditLink.objects.count() == history_rows > 0
    assert f"Audit chain intact: {history_rows} maillons / links" in output


def test_a_history_row_modified_around_the_triggers_is_reported_without_its_content(renamed):
    position = link_of(renamed).position
    with history_rewrite_allowed():
        raw("UPDATE {table} SET name = %s WHERE history_id = %s", ["Région falsifiée", renamed.pk])

    with pytest.raises(CommandError, match=broken(audit_chain.ROW_MODIFIED, row_id=renamed.pk, position=position)) as e:
        verify()
    assert "falsifiée" not in str(e.value)
    assert NEW_NAME not in str(e.value)


def test_a_deleted_history_row_is_reported(renamed):
    position = link_of(renamed).position
    with history_rewrite_allowed():
        raw("DELETE FROM {table} WHERE history_id = %s", [renamed.pk])

    with pytest.raises(CommandError, match=broken(audit_chain.ROW_DELETED, row_id=renamed.pk, position=position)):
        verify()


def test_reordered_events_are_reported(renamed):
    first = RegionHistory.objects.filter(id=renamed.id).earliest("history_id")
    with history_rewrite_allowed():
        raw("UPDATE {table} SET history_date = %s WHERE history_id = %s", [renamed.history_date, first.pk])
        raw("UPDATE {table} SET history_date = %s WHERE history_id = %s", [first.history_date, renamed.pk])

    with pytest.raises(
        CommandError, match=broken(audit_chain.ROW_MODIFIED, row_id=first.pk, position=link_of(first).position)
    ):
        verify()


def test_reordered_links_are_reported(renamed):
    later, earlier = link_of(renamed), link_of(RegionHistory.objects.filter(id=renamed.id).earliest("history_id"))
    with history_rewrite_allowed():
        for old, new in ((earlier.position, -1), (later.position, earlier.position), (-1, later.position)):
            AuditLink.objects.filter(position=old).update(position=new)

    with pytest.raises(
        CommandError, match=broken(audit_chain.LINK_ALTERED, row_id=renamed.pk, position=earlier.position)
    ):
        verify()


def test_a_deleted_link_is_reported(renamed):
    link = AuditLink.objects.filter(table_name=TABLE).earliest("position")
    with history_rewrite_allowed():
        AuditLink.objects.filter(position=link.position).delete()

    with pytest.raises(CommandError, match=f"{audit_chain.LINK_MISSING} — .* position {link.position}$"):
        verify()


def test_a_history_row_inserted_without_its_link_is_reported():
    region = Region.objects.get(code="01")
    chain_trigger = connection.ops.quote_name(trigger_name(TABLE, "audit_chain"))
    if connection.vendor == "postgresql":
        raw(f"ALTER TABLE {{table}} DISABLE TRIGGER {chain_trigger}")
    else:
        raw(f"DROP TRIGGER {chain_trigger}")  # rolled back with the test, like the ALTER TABLE
    region.name = NEW_NAME
    region.save()
    row = region.history.first()

    with pytest.raises(CommandError, match=broken(audit_chain.ROW_UNCHAINED, row_id=row.pk, position=None)):
        verify()
    with history_rewrite_allowed(), pytest.raises(ValueError, match="jamais chaînées / with no row or never chained"):
        record_rewrite(RegionHistory, [row.pk], "blanchiment")


def test_a_rewrite_recorded_with_record_rewrite_verifies_and_a_later_change_does_not(renamed):
    with history_rewrite_allowed():
        raw("UPDATE {table} SET name = %s WHERE history_id = %s", ["[anonymisé]", renamed.pk])
        assert record_rewrite(RegionHistory, [renamed.pk], "Anonymisation loi 09-08") == 1

    verify()
    link = link_of(renamed)
    assert (link.kind, link.reason) == (AuditLink.Kind.REWRITE, "Anonymisation loi 09-08")

    with history_rewrite_allowed():
        raw("UPDATE {table} SET name = %s WHERE history_id = %s", ["Région falsifiée", renamed.pk])
    with pytest.raises(CommandError, match=broken(audit_chain.ROW_MODIFIED, row_id=renamed.pk, position=link.position)):
        verify()


def test_record_rewrite_is_refused_outside_history_rewrite_allowed(renamed):
    with pytest.raises(RuntimeError, match="history_rewrite_allowed"):
        record_rewrite(RegionHistory, [renamed.pk], "sans autorisation")


def test_a_nullable_column_added_later_does_not_make_old_events_look_modified(renamed):
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL alters no table with checks pending
    raw("ALTER TABLE {table} ADD COLUMN note varchar(50) NULL")
    verify()

    # The control: a value in the new column on an old row is a change.
    with history_rewrite_allowed():
        raw("UPDATE {table} SET note = 'ajoutée' WHERE history_id = %s", [renamed.pk])
    with pytest.raises(
        CommandError, match=broken(audit_chain.ROW_MODIFIED, row_id=renamed.pk, position=link_of(renamed).position)
    ):
        verify()


def test_a_head_recorded_earlier_must_still_be_in_the_chain(renamed):
    head = verify().rsplit("tête / head ", 1)[1].strip()
    verify(anchor=head)
    position, _ = head.split(":")

    with pytest.raises(CommandError, match=f"position {position}$"):
        verify(anchor=f"{position}:{'0' * 64}")


def test_the_personal_data_access_log_is_chained_like_history():
    from privacy.models import PersonalDataAccess

    assert "privacy.PersonalDataAccess" in audit_chain.CHAINED_LOGS
    access = PersonalDataAccess.objects.create(user=UserFactory(), channel="web", object_count=1)
    verify()
    assert link_of_log(access).kind == AuditLink.Kind.INSERT

    with history_rewrite_allowed():
        PersonalDataAccess.objects.filter(pk=access.pk).update(object_count=2)
    with pytest.raises(CommandError, match=f"table {PersonalDataAccess._meta.db_table}, id {access.pk}"):
        verify()


def link_of_log(row) -> AuditLink:
    audit_chain.seal_pending()
    return AuditLink.objects.get(table_name=row._meta.db_table, row_id=row.pk)


@pytest.mark.parametrize("one_by_one", [False, True])
def test_generated_grievances_are_chained_on_every_write_path(one_by_one):
    # PostgreSQL clones set-based (INSERT … SELECT, replica mode) unless one_by_one; SQLite replays.
    if one_by_one and connection.vendor != "postgresql":
        pytest.skip("SQLite always replays one by one")
    options = {"one_by_one": True} if one_by_one else {"templates": 20}
    call_command("generate_grievances", count=60, seed=2, force=True, stdout=io.StringIO(), **options)
    verify()


def test_a_registration_history_row_copied_by_the_database_is_chained():
    """The intake writes its history row with INSERT … SELECT (pmpp.history), not through the ORM."""
    from grievances.services.intake import grievance_register
    from pmpp import roles
    from pmpp.models import Channel, ComplaintCategory, Programme

    tayssir = Programme.objects.get(code="tayssir")
    result = grievance_register(
        actor=UserFactory(username="salma", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")]),
        programme=tayssir,
        channel=Channel.objects.get(code="call-centre"),
        category=ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu"),
        description="La bourse n'est pas arrivée.",
        cnie="AB123456",
    )
    row = result.grievance.history.get()
    audit_chain.seal_pending()

    link = AuditLink.objects.get(table_name=row._meta.db_table, row_id=row.pk)
    assert link.kind == audit_chain.INSERT
    verify()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_gapless_chain():
    regions = list(Region.objects.order_by("pk")[:8])
    errors = []

    def rename(region: Region) -> None:
        try:
            for turn in range(5):
                with transaction.atomic():
                    region.name = f"{region.name[:40]} {turn}"
                    region.save()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rename, args=(region,)) for region in regions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    verify()
    positions = list(AuditLink.objects.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the staging table is PostgreSQL's")
def test_a_commit_after_a_bulk_load_seals_its_links_without_reading_the_rows_the_load_left_behind():
    # A bulk load (the generator, a migration over an existing history, an anonymisation run)
    # stages millions of rows; once sealed they are dead but keep their pages until a VACUUM
    # can truncate the table. Measured at 1M grievances, a seal that read the whole table
    # made every later commit of a history or access-log row take 400 ms.
    pending = audit_chain.PENDING_TABLE
    with transaction.atomic():
        raw(
            f"INSERT INTO {pending} (table_name, row_id, kind, reason, digest) "  # noqa: S608
            "SELECT 'grievances_historicalgrievance', g, 'insert', '', '\\x00' FROM generate_series(1, 30000) g"
        )
        transaction.set_rollback(True)  # left behind: dead rows on live pages

    def scans() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = %s",
                [pending],
            )
            return cursor.fetchone()

    region = Region.objects.get(code="01")
    region.name = NEW_NAME
    region.save()
    seq_before, index_before = scans()
    link = link_of(region.history.first())  # seals now, as the commit would

    seq_after, index_after = scans()
    assert link.kind == AuditLink.Kind.INSERT
    assert seq_after == seq_before, "the seal read the whole staging table"
    assert index_after > index_before
    verify()
