"""History is append-only (SPEC §5.6: history is read-only and cannot be edited from any screen).

Every django-simple-history table — every model that subclasses `HistoricalChanges`, in any
installed app, including apps added later — carries database triggers that refuse UPDATE
and DELETE. The rule therefore holds for every path to the database: the ORM, the admin,
a management command, raw SQL, `manage.py dbshell`. New history rows are still inserted as
models change.

`install_history_triggers()` runs after every `migrate` (and after every test-runner flush,
which re-sends post_migrate), so a history table created by a new migration is covered as
soon as the migration has run. `history_rewrite_allowed()` is the one sanctioned way to
rewrite history.
"""

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalChanges

# PostgreSQL: a custom setting, read by the trigger function; only ever set transaction-locally.
PG_UNLOCK_SETTING = "pmpp.history_unlocked"
PG_TRIGGER_FUNCTION = "pmpp_history_append_only"

# SQLite: a Python function registered on each connection, called by the triggers' WHEN clause.
SQLITE_LOCK_FUNCTION = "pmpp_history_locked"
# Attribute of the Django connection wrapper that the registered function reads.
SQLITE_UNLOCK_FLAG = "_pmpp_history_unlocked"

# The exception is raised with SQLSTATE 23001 (restrict_violation) so that PostgreSQL, like
# SQLite's RAISE(ABORT) in a trigger, surfaces as django.db.IntegrityError: callers and
# tests see the same exception class on both databases.
_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_TRIGGER_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{PG_UNLOCK_SETTING}', true), '') <> 'on' THEN
        RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation',
                  HINT = 'SPEC §5.6: history cannot be edited; see pmpp.audit.history_rewrite_allowed().';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$
"""


def history_models() -> list[type[Model]]:
    """Every concrete django-simple-history model of every installed app."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if issubclass(model, HistoricalChanges) and not model._meta.proxy
    ]


class _SharedManagerClassDescriptor(HistoryDescriptor):
    """`Model.history` with one manager class per history model, built on first use.

    django-simple-history's descriptor builds a new class (`from_queryset`, which walks every
    queryset method) on each access, and every history row written reads it once: about half
    a millisecond of CPU per save, for a class that is always the same.
    """

    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("_manager_class")
        if manager_class is None:
            manager_class = self._manager_class = self.manager_class.from_queryset(self.queryset_class)
        return manager_class(self.model, instance)


def share_history_manager_classes() -> None:
    """Give every audited model's `history` descriptor a manager class built once (AppConfig.ready)."""
    for history_model in history_models():
        model = history_model.instance_type
        name = getattr(model._meta, "simple_history_manager_attribute", None)  # None: a many-to-many's history
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            shared = _SharedManagerClassDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
            )
            setattr(model, name, shared)


def append_only_models() -> list[type[Model]]:
    """History models, the chained logs, and the audit chain's own links (pmpp.audit_chain)."""
    from pmpp.audit_chain import chained_models
    from pmpp.models import AuditLink

    return [*chained_models(), AuditLink]


def trigger_name(table: str, suffix: str, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """`<table>_<suffix>`, shortened with a hash where the database limits names (63 on PostgreSQL)."""
    from django.db.backends.utils import truncate_name

    return truncate_name(f"{table}_{suffix}", connections[using].ops.max_name_length())


def install_history_triggers(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Put the append-only triggers on every history table of `using`; return how many tables.

    Idempotent: run after every migrate. Tables a partial migrate has not created yet are
    skipped; the migrate that creates them installs their triggers.
    """
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        # Failing loudly beats leaving history editable on a database nobody planned for.
        raise NotImplementedError(f"append-only history triggers are not written for {connection.vendor}")
    quote = connection.ops.quote_name
    # One transaction: on SQLite the triggers are dropped and re-created, and no table may
    # be seen without them.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = sorted(
            {model._meta.db_table for model in append_only_models() if router.allow_migrate_model(using, model)}
            & existing
        )
        if connection.vendor == "postgresql":
            # Row triggers do not fire on TRUNCATE, and that is left so on purpose: TRUNCATE is
            # how the test runner's flush empties the database between transactional tests on
            # PostgreSQL, and the application itself never issues it.
            cursor.execute(_PG_FUNCTION_SQL)
            for table in tables:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {quote(trigger_name(table, 'append_only', using=using))} "
                    f"BEFORE UPDATE OR DELETE ON {quote(table)} "
                    f"FOR EACH ROW EXECUTE FUNCTION {PG_TRIGGER_FUNCTION}()"
                )
                # ALWAYS: `session_replication_role = replica` (the bulk generator's) must not skip it.
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ENABLE ALWAYS TRIGGER "
                    f"{quote(trigger_name(table, 'append_only', using=using))}"
                )
        else:
            for table in tables:
                for operation in ("UPDATE", "DELETE"):
                    trigger = quote(trigger_name(table, f"no_{operation.lower()}", using=using))
                    message = f"history is append-only: {operation} on {table} refused".replace("'", "''")
                    # Drop and re-create (inside the transaction) rather than IF NOT EXISTS, so
                    # that a changed definition replaces the old one, as CREATE OR REPLACE does
                    # on PostgreSQL.
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                    cursor.execute(
                        f"CREATE TRIGGER {trigger} BEFORE {operation} ON {quote(table)} "
                        f"WHEN {SQLITE_LOCK_FUNCTION}() "
                        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                    )
    return len(tables)


def register_sqlite_lock_function(sender: type, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created receiver: give each new SQLite connection `pmpp_history_locked()`.

    The triggers call it in their WHEN clause; it answers 1 (locked) unless this connection
    is inside `history_rewrite_allowed()`. A connection that lacks the function (the sqlite3
    shell, another program) gets "no such function" from the trigger, which refuses the
    write too: the rule fails closed.
    """
    if connection.vendor != "sqlite":
        return
    # A weak reference: the SQLite connection is owned by the wrapper and must not keep it alive.
    wrapper_ref = weakref.ref(connection)

    def history_locked() -> int:
        wrapper = wrapper_ref()
        return 0 if wrapper is not None and getattr(wrapper, SQLITE_UNLOCK_FLAG, False) else 1

    connection.connection.create_function(SQLITE_LOCK_FUNCTION, 0, history_locked)


@contextmanager
def history_rewrite_allowed(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Allow UPDATE and DELETE of history rows on `using` inside the block, in one transaction.

    The only sanctioned way to rewrite history (SPEC §5.6): anonymisation of personal data
    under Law 09-08, and the test runner's flush. Nothing else may call it.

    The block is a transaction (`transaction.atomic`): the rewrite is all-or-nothing, and on
    PostgreSQL the unlock is a transaction-local setting, so it cannot outlive the block or
    leak to the next user of a pooled connection. On SQLite the unlock is a flag of this
    connection, cleared on exit whatever happens.

    This is a guard against application bugs and stray edits, not against a database
    superuser, who can drop the triggers. Tamper evidence comes from the audit hash chain.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting(%s, true)", [PG_UNLOCK_SETTING])
                previous = cursor.fetchone()[0] or "off"
                cursor.execute("SELECT set_config(%s, 'on', true)", [PG_UNLOCK_SETTING])
            # Reached only when the block succeeds; when it raises, atomic rolls the setting
            # back with everything else. Restoring the previous value keeps an enclosing
            # history_rewrite_allowed() block unlocked.
            yield
            if not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, %s, true)", [PG_UNLOCK_SETTING, previous])
        else:
            previous_flag = getattr(connection, SQLITE_UNLOCK_FLAG, False)
            setattr(connection, SQLITE_UNLOCK_FLAG, True)
            try:
                yield
            finally:
                setattr(connection, SQLITE_UNLOCK_FLAG, previous_flag)
