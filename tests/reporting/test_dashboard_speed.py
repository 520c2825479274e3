"""The statistics behind the dashboard cost a fixed number of queries, and on PostgreSQL a
period is read from one index that carries every column they read."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances.models import Grievance
from reporting.statistics import _SQL_ROW, BREAKDOWNS, Filters, Period, grievance_statistics_by

DASHBOARD_GROUPS = [None, "programme", "channel_group", "channel", "category", "region", "sex", "month"]


def _statistics_queries(user) -> int:
    period = Period(date(2024, 1, 1), timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        grievance_statistics_by(user=user, period=period, group_bys=DASHBOARD_GROUPS)
    return len(captured)


def test_the_statistics_take_as_many_queries_for_many_grievances_as_for_few(walk, leila):
    walk.register()
    walk.closed()
    _statistics_queries(leila)  # the user's roles and scope, read once and kept on the user
    few = _statistics_queries(leila)
    for index in range(12):
        walk.closed() if index % 3 else walk.register()
        walk.analysed(outcome="unfounded")
    assert _statistics_queries(leila) == few


STATISTICS_INDEXES = ("grievance_received_timed_idx", "grievance_received_untimed_idx")


@pytest.mark.django_db
@pytest.mark.parametrize("index", STATISTICS_INDEXES)
def test_the_reception_date_indexes_carry_every_column_the_statistics_read(index):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL covering indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        (definition,) = cursor.fetchone()
    key, _sep, included = definition.partition(" INCLUDE ")
    assert key.endswith("(received_at)")
    # Every grievance column a breakdown, a figure or a filter reads; the channel's web flag is
    # joined from the channel table, the month computed from the reception date.
    paths = {*_SQL_ROW.values(), *(path for paths in BREAKDOWNS.values() for path in paths)}
    paths |= {"programme", "channel", "category", "region", "complainant_sex"}  # the filters (Filters.q)
    fields = {path.removesuffix("_id") for path in paths if "__" not in path and path != "month"}
    columns = {Grievance._meta.get_field(name).column for name in fields} - {"received_at"}
    missing = {column for column in columns if column not in included}
    assert not missing, f"add {sorted(missing)} to the INCLUDE of {index}"
    assert set(Filters.__dataclass_fields__) == {
        "programme_ids", "channel_ids", "web", "category_ids", "region_ids", "sexes",
    }, "a new filter: check that its column is in the indexes too"  # fmt: skip


def test_each_part_of_the_statistics_query_reads_its_own_index_on_postgresql(walk, leila):
    """The partial indexes serve the query only if its conditions imply theirs, as written."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL partial indexes")
    walk.closed()
    walk.register()
    period = Period(date(2024, 1, 1), timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        grievance_statistics_by(user=leila, period=period, group_bys=DASHBOARD_GROUPS)
    (statistics_sql,) = [query["sql"] for query in captured if "GROUPING SETS" in query["sql"]]
    with connection.cursor() as cursor:
        # A handful of rows: left alone, the planner rightly reads the table, or whichever
        # index costs least on so few rows. The table scan and every other non-unique index
        # are set aside until the test's transaction ends, so an index of the statistics is
        # chosen exactly when the query's conditions imply its predicate.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'grievances_grievance' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND NOT indexname = ANY(%s)",
            [list(STATISTICS_INDEXES)],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(f"EXPLAIN {statistics_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in STATISTICS_INDEXES:
        assert f"using {index} on grievances_grievance" in plan, plan
