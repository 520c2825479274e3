"""Prepared statements for the hot paths whose plans do not depend on the values they get.

With `DB_PREPARED_STATEMENTS` on (the default), PostgreSQL binds the parameters, but a
statement is prepared only inside `prepared_statements()`. PostgreSQL plans a prepared
statement for its values five times, then may keep one generic plan for any value: right
for a lookup by key or an INSERT, ruinous for a queue page or a report, whose best plan
depends on the programmes, states and dates asked for (a queue page prepared this way ran
for over a minute on the bench's million grievances). So nothing is prepared by default,
and the API intake, which runs the same dozen point statements thousands of times a day,
opts in: its database time drops by a third (bench/INTAKE-PROFILE.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def prepared_statements(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every statement run inside is prepared by the connection on its first run and reused
    from then on (the connection keeps its 100 most recent). Does nothing when the database
    binds on the client (SQLite, or `DB_PREPARED_STATEMENTS=0` behind an old PgBouncer)."""
    connection = connections[using]
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.prepare_threshold
    raw.prepare_threshold = 0
    try:
        yield
    finally:
        raw.prepare_threshold = previous
