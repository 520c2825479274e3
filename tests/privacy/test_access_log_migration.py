"""Migration privacy 0003 adds the registry contacts to the access log without breaking its chain.

The log is append-only and hash-chained (pmpp.audit_chain): the rows written before the two
new columns must still match their links afterwards, on SQLite and on PostgreSQL, and the
rows written after must be chained with the new columns in them.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pmpp.audit import install_history_triggers
from pmpp.audit_chain import install_audit_chain, verify_chain
from privacy.access import AccessChannel, record_views
from privacy.models import PersonalDataAccess

pytestmark = pytest.mark.django_db(transaction=True)  # migrations cannot run inside the test's transaction

BEFORE = ("privacy", "0002_access_log_id_indexes")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # What `migrate`'s post_migrate does: every table keeps its append-only and chain triggers.
    install_history_triggers()
    install_audit_chain()
    return executor


def test_reads_logged_before_the_contact_columns_still_verify_after_them(salma):
    executor = _migrate([BEFORE])
    Old = executor.loader.project_state([BEFORE]).apps.get_model("privacy", "PersonalDataAccess")
    old = Old.objects.create(
        user_id=salma.pk, channel="page", where="grievances:detail", grievance_ids=[7], object_count=1
    )
    assert verify_chain().broken is None

    _migrate(executor.loader.graph.leaf_nodes())
    new = record_views(salma, channel=AccessChannel.EXPORT, representatives=[3, 5], where="stakeholders:x")

    assert PersonalDataAccess.objects.filter(pk=old.pk).values_list("stakeholder_ids", "representative_ids").get() == (
        None,
        None,
    )
    assert (new.representative_ids, new.stakeholder_ids, new.object_count) == ([3, 5], None, 2)
    assert verify_chain().broken is None
