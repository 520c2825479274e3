"""Migration 0022 puts the words of every stored name key in order, on SQLite and PostgreSQL.

Keys written before it hold the name as typed (« zerouali fatima »), which a search in the
other order does not find; after it, the same key as a new intake writes (`name_key`).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from grievances.models import Grievance
from grievances.selectors import grievance_search
from grievances.services.intake import name_key, search_key

pytestmark = pytest.mark.django_db(transaction=True)  # migrations cannot run inside the test's transaction

BEFORE = ("grievances", "0021_similar_to")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_existing_keys_get_their_words_in_order_and_are_found_in_any_order(walk, salma):
    names = ["Zerouali Fatima", "Fatima Zahra El Amrani", "ÉL ÂMRANI  Zineb", "Saïd", "Ait-Ali Brahim"]
    grievances = [walk.register(name=name) for name in names]
    anonymous = walk.register(name="", cnie="", phone="", is_anonymous=True)

    # Back to before the migration: the keys as the code of that time wrote them (as typed).
    executor = _migrate([BEFORE])
    Old = executor.loader.project_state([BEFORE]).apps.get_model("grievances", "Grievance")
    assert [Old.objects.get(pk=g.pk).search_name for g in grievances] == [search_key(name) for name in names]

    _migrate(executor.loader.graph.leaf_nodes())

    assert [Grievance.objects.get(pk=g.pk).search_name for g in grievances] == [name_key(name) for name in names]
    assert Grievance.objects.get(pk=anonymous.pk).search_name == ""
    rows, _more = grievance_search(user=salma, term="fatima zerouali")
    assert rows == [grievances[0]]
