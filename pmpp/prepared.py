"""Prepared statements for the hot paths whose plans do not depend on the values they get.

Django binds parameters on the client and prepares nothing. Inside `prepared_statements()`
(with `DB_PREPARED_STATEMENTS` on, the default) PostgreSQL binds them, and each statement is
prepared by the connection on its first run. PostgreSQL plans a prepared statement for its
values five times, then may keep one generic plan for any value: right for a lookup by key
or an INSERT, ruinous for a queue page or a report, whose best plan depends on the
programmes, states and dates asked for (a query so prepared ran for over a minute on the
bench's million grievances). So only the API intake, which runs the same dozen point
statements thousands of times a day, opts in: its database time drops by a third
(bench/INTAKE-PROFILE.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def prepared_statements(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Statements run inside are bound by the server, prepared by the connection on their
    first run and reused from then on (it keeps its 100 most recent). Does nothing on SQLite
    or with `DB_PREPARED_STATEMENTS=0`."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.PMPP_PREPARED_STATEMENTS:
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    previous = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 0
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = previous
