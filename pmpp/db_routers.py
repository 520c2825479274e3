"""Reporting reads on a read replica (DESIGN.md « When one machine is not enough »).

Reads go to the `reporting` alias only inside `reporting_reads()`, which the read-only
reporting screens put around their work: the dashboard and its downloads, the public
statistics page, the semester report's preview and downloads, and the statistics API.
Everything else reads the primary, so a case worker never sees replica lag on a queue, a
grievance file or the page that follows a workflow step. Writes always go to the primary,
even inside the scope, and migrations run on the primary only: the replica gets its schema
by replication. Raw SQL run inside the scope must take its cursor from
`connections[queryset.db]`: `django.db.connection` is always the primary's.

Without REPORTING_DATABASE_URL the scope routes to `default` (settings.PMPP_REPORTING_DATABASE)
and no second connection is ever opened.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPORTING_DB_ALIAS = "reporting"

# A context variable, not a module or thread global: each request thread (and each asyncio task)
# sees only the scope its own code entered.
_reporting_scope: ContextVar[bool] = ContextVar("pmpp_reporting_reads", default=False)


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Send the reads of the block (or of the decorated view) to the reporting replica.

    Only for read-only work that tolerates a few seconds of lag: a write inside the block
    still goes to the primary, but a read that follows it would not see it.
    """
    token = _reporting_scope.set(True)
    try:
        yield
    finally:
        _reporting_scope.reset(token)


class ReportingRouter:
    def db_for_read(self, model, **hints) -> str:
        # The session is read then written back on every request (SESSION_SAVE_EVERY_REQUEST):
        # read from a lagging replica, it could sign the user out or overwrite newer data.
        if _reporting_scope.get() and model._meta.app_label != "sessions":
            return settings.PMPP_REPORTING_DATABASE
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Both aliases hold the same rows: an object read from the replica may point to one
        # read from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPORTING_DB_ALIAS}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
