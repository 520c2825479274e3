"""Statements are prepared only inside `prepared_statements()` (pmpp.prepared): a generic plan
is right for the intake's point statements, never for a queue page or a report."""

import pytest
from django.db import connection
from psycopg import ClientCursor

from pmpp.prepared import prepared_statements

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")


def _prepared_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def _lookup(value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::int + 1 AS pmpp_prepared_test", [value])
        cursor.fetchone()


@pytest.mark.django_db
def test_nothing_is_prepared_by_default_however_often_it_runs():
    before = _prepared_count()
    for value in range(10):
        _lookup(value)
    assert _prepared_count() == before


@pytest.mark.django_db
def test_inside_the_block_a_statement_is_prepared_once_and_reused():
    before = _prepared_count()
    with prepared_statements():
        assert not issubclass(connection.connection.cursor_factory, ClientCursor)  # bound by the server
        _lookup(1)
        after_first = _prepared_count()
        _lookup(2)
        _lookup(3)
        assert _prepared_count() == after_first
    assert after_first > before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%pmpp_prepared_test%"])
        assert cursor.fetchone()[0] == 1
    # Outside again: the connection binds on the client and prepares nothing new.
    assert connection.connection.prepare_threshold is None
    assert issubclass(connection.connection.cursor_factory, ClientCursor)
