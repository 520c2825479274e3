"""Tamper-evident audit: a hash chain over every history row (issue 9, item 4; SPEC §5.6).

`pmpp.audit` makes history append-only against the application; this module makes any
change visible afterwards, including one made by someone who bypassed the triggers (a
database superuser, `ALTER TABLE … DISABLE TRIGGER`, a copy of the data files).

**What is chained.** Every row of every audited table: every django-simple-history table
(`pmpp.audit.history_models()`) plus the append-only logs named in `CHAINED_LOGS` (one line
per log). Each row gets one *link* in `pmpp_auditlink` (`AuditLink`): its table, its primary
key, a digest of its content, and a hash over the previous link's hash and all of that. A
link's position is its place in the one chain, gapless, in commit order.

**Digest.** SHA-256 of the row's content, in a form where a null column added later counts
for nothing: that is what lets a later migration add a nullable column to a history table
without making every old event look modified. On PostgreSQL, the row's text form
`(v1,v2,,v4,,)` less its trailing separators (new columns always come last; a value ending
in "," or ")" is quoted, so the trim is exact), with the output settings it depends on
(time zone, date and interval styles…) fixed by `PG_OUTPUT_SETTINGS`. It costs about a
quarter of `jsonb_strip_nulls(to_jsonb(row))`, measured on the bulk generator's history rows,
and is as stable: a rename does not touch it either. On SQLite, the row's `json_object(…)`
re-serialised by Python with sorted keys and null members left out. A migration that
*changes* old rows' content (a column added with a non-null default, a column dropped)
must re-seal the table in the same migration with `record_rewrite()`.

**Link hash.** `sha256(previous hash ‖ digest ‖ utf8("position|table|row id|kind|reason"))`,
the previous hash of position 1 being 32 zero bytes. `kind` is `insert` or `rewrite`.

**One mechanism for every path: database triggers, not a Python hook.** The rows are
written by the ORM (simple-history's signal), by `replay._write_batch` (COPY / executemany),
by the bulk generator (INSERT … SELECT of millions of rows, with `session_replication_role
= replica`), by imports and demo loading, and by whatever is written next. A Python hook
would have to be called from each of them, and a raw-SQL path forgotten tomorrow would
silently write unchained rows; a trigger sees them all, in the same transaction as the row,
and adds no round trip (no query budget moves). The price: the chain is keyless (the
database computes it, so no secret can hide from someone who owns the database); it
detects partial tampering, and an attacker who recomputes the whole tail is caught only
against a head recorded elsewhere earlier (`verify_audit` prints it; `--anchor` checks it).
The triggers are `ENABLE ALWAYS`, so replica mode does not skip them.

- *PostgreSQL.* A statement-level AFTER INSERT trigger with a transition table digests the
  statement's rows set-based into `pmpp_auditpending` (an UNLOGGED staging table: rows live
  only until their own commit) and queues, once per transaction, a DEFERRABLE INITIALLY
  DEFERRED constraint trigger. At commit that trigger first queues itself again, which puts
  it behind every deferred check already queued (the foreign keys, which may wait on row
  locks); only then does it take the chain's lock (a transaction advisory lock), read the
  head, and write the transaction's links with one INSERT … SELECT whose running hash is a
  window aggregate. So the chain lock is the last lock a transaction takes and is held for
  one statement: a writer never holds it while waiting for a grievance's row lock, and no
  deadlock can go through it. Appending still serialises committers, but only for that
  statement. The advisory lock is released after the commit is visible, and the next
  holder reads the head with a fresh snapshot: READ COMMITTED, as Django runs. (In a
  REPEATABLE READ transaction the head read may be stale; the primary key on `position`
  then refuses the commit rather than fork the chain.)
- *SQLite.* One writer at a time, so a row trigger appends the link at once; the digest and
  the hash are Python functions registered on each connection (like `pmpp_history_locked`):
  a connection without them (the sqlite3 shell) cannot insert history at all.

**Rewrites.** Anonymisation under Law 09-08 rewrites old history rows inside
`history_rewrite_allowed()`; `record_rewrite()` then appends a `rewrite` link per row with
the new digest and the reason. `verify_audit` checks each row against its latest link, and
each row must have exactly one `insert` link, so a rewrite recorded this way passes and any
other change does not.

**Existing rows.** Migration pmpp 0004 seals the rows that exist when the chain is introduced
(`seal_existing_rows`). A log table added to `CHAINED_LOGS` after it has rows needs the same
call in a data migration; otherwise its old rows are reported as unchained, which is right.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from pmpp.audit import PG_UNLOCK_SETTING, SQLITE_UNLOCK_FLAG, history_models, trigger_name

# Append-only logs chained like history: "app_label.ModelName", one line each.
CHAINED_LOGS: tuple[str, ...] = ("privacy.PersonalDataAccess",)

LINK_TABLE = "pmpp_auditlink"
PENDING_TABLE = "pmpp_auditpending"
GENESIS = bytes(32)
INSERT, REWRITE = "insert", "rewrite"
# What a row's text form depends on: fixed wherever PostgreSQL computes a digest.
PG_OUTPUT_SETTINGS = (
    ("TimeZone", "UTC"),
    ("DateStyle", "ISO, YMD"),
    ("IntervalStyle", "postgres"),
    ("extra_float_digits", "1"),
    ("bytea_output", "hex"),
)
# pg_advisory_xact_lock key of the chain's head ("pmpp" in ASCII, then "chain").
CHAIN_LOCK_KEY = 0x706D7070_636861
SQLITE_DIGEST_FUNCTION = "pmpp_audit_row_digest"
SQLITE_HASH_FUNCTION = "pmpp_audit_link_hash"
# Some history tables have more columns than SQLite lets json_object() take arguments.
_SQLITE_PAIRS_PER_CALL = 60


def chained_models() -> list[type[Model]]:
    """Every audited model: the history models of every installed app, and `CHAINED_LOGS`."""
    logs = []
    for label in CHAINED_LOGS:
        try:
            logs.append(apps.get_model(label))
        except LookupError:
            continue  # an app not installed here
    return [*history_models(), *logs]


# ---------------------------------------------------------------------------------------------
# The two functions, in Python: SQLite calls them from its triggers, verify_audit walks the chain
# with link_hash on both databases (so PostgreSQL's SQL and this code must agree: a test checks).


def row_digest(row_json: str) -> bytes:
    """SHA-256 of a row's JSON object, keys sorted, null values left out (as jsonb_strip_nulls)."""
    return hashlib.sha256(_canonical(json.loads(row_json)).encode()).digest()


def _canonical(value) -> str:
    def strip(item):
        if isinstance(item, dict):
            return {key: strip(v) for key, v in item.items() if v is not None}
        if isinstance(item, list):
            return [strip(v) for v in item]
        return item

    return json.dumps(strip(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(previous: bytes, position: int, table: str, row_id: int, kind: str, reason: str, digest: bytes) -> bytes:
    meta = f"{position}|{table}|{row_id}|{kind}|{reason}".encode()
    return hashlib.sha256(bytes(previous) + bytes(digest) + meta).digest()


# ---------------------------------------------------------------------------------------------
# Installation (after every migrate, next to pmpp.audit.install_history_triggers)


def _pg_functions_sql() -> list[str]:
    statements = [
        f"""
        CREATE UNLOGGED TABLE IF NOT EXISTS {PENDING_TABLE} (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            phase smallint NOT NULL DEFAULT 0,
            table_name text,
            row_id bigint,
            kind text,
            reason text,
            digest bytea,
            xact xid8 NOT NULL DEFAULT pg_current_xact_id()
        )
        """,
        # The seal finds its transaction's rows by this index, never by reading the table: a
        # bulk load stages millions of rows, and the pages they leave behind stay allocated
        # until a VACUUM can truncate them (autovacuum gives up while writers hold the table),
        # so a sequential scan there made every later commit read a gigabyte of empty pages.
        # ADD COLUMN: tables created before the column (a volatile default rewrites them once).
        f"ALTER TABLE {PENDING_TABLE} ADD COLUMN IF NOT EXISTS xact xid8 NOT NULL DEFAULT pg_current_xact_id()",
        f"CREATE INDEX IF NOT EXISTS {PENDING_TABLE}_xact ON {PENDING_TABLE} (xact)",
        # IMMUTABLE and LANGUAGE sql: inlined into the set-based statements that call it.
        # The row's text form, `(v1,v2,,v4,,)`, less its trailing null columns: a column
        # added later (always last on PostgreSQL) and null on old rows leaves their digest alone.
        # rtrim is exact: a value that ends in "," or ")" is written quoted.
        """
        CREATE OR REPLACE FUNCTION pmpp_audit_row_digest(row_text text) RETURNS bytea
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT sha256(convert_to(rtrim(row_text, ',)'), 'UTF8')) $$
        """,
        """
        CREATE OR REPLACE FUNCTION pmpp_audit_chain_step(state bytea, head bytea, item bytea) RETURNS bytea
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT sha256(coalesce(state, head) || item) $$
        """,
        # Used as a window function, ordered by position: the running hash of the new links.
        """
        CREATE OR REPLACE AGGREGATE pmpp_audit_chain(bytea, bytea) (
            SFUNC = pmpp_audit_chain_step, STYPE = bytea
        )
        """,
        # Once per transaction (a transaction-local flag, rolled back with a savepoint): the
        # marker row whose deferred trigger seals the transaction's staged rows at commit.
        """
        CREATE OR REPLACE FUNCTION pmpp_audit_queue_seal() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('pmpp.audit_seal_queued', true), '') <> 'on' THEN
                PERFORM set_config('pmpp.audit_seal_queued', 'on', true);
                INSERT INTO pmpp_auditpending (phase) VALUES (1);
            END IF;
        END
        $$
        """,
        # The digest renders timestamps in the session's time zone and intervals in its
        # style: fixed here, for every writer (a psql session in Africa/Casablanca included).
        """
        CREATE OR REPLACE FUNCTION pmpp_audit_stage() RETURNS trigger LANGUAGE plpgsql
        OUTPUT_SETTINGS
        AS $$
        BEGIN
            EXECUTE format(
                'INSERT INTO pmpp_auditpending (table_name, row_id, kind, reason, digest) '
                'SELECT %L, n.%I, ''insert'', '''', pmpp_audit_row_digest(n::text) FROM pmpp_audit_new_rows n',
                TG_TABLE_NAME, TG_ARGV[0]
            );
            PERFORM pmpp_audit_queue_seal();
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION pmpp_audit_stage_rows(
            table_name text, pk text, ids bigint[], kind text, reason text
        ) RETURNS bigint LANGUAGE plpgsql
        OUTPUT_SETTINGS
        AS $$
        DECLARE staged bigint;
        BEGIN
            EXECUTE format(
                'INSERT INTO pmpp_auditpending (table_name, row_id, kind, reason, digest) '
                'SELECT %L, h.%I, %L, %L, pmpp_audit_row_digest(h::text) '
                'FROM %I h WHERE $1 IS NULL OR h.%I = ANY($1) ORDER BY 2',
                table_name, pk, kind, reason, table_name, pk
            ) USING ids;
            GET DIAGNOSTICS staged = ROW_COUNT;
            PERFORM pmpp_audit_queue_seal();
            RETURN staged;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION pmpp_audit_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            head_position bigint;
            head_hash bytea;
        BEGIN
            IF NEW.phase = 1 THEN
                -- Queued again, behind every deferred check this transaction has queued: the
                -- chain's lock is taken last.
                INSERT INTO pmpp_auditpending (phase) VALUES (2);
                RETURN NULL;
            END IF;
            PERFORM pg_advisory_xact_lock(CHAIN_LOCK_KEY);
            SELECT position, hash INTO head_position, head_hash
            FROM pmpp_auditlink ORDER BY position DESC LIMIT 1;
            WITH moved AS (
                DELETE FROM pmpp_auditpending WHERE xact = pg_current_xact_id() RETURNING *
            ), items AS (
                SELECT coalesce(head_position, 0) + row_number() OVER (ORDER BY seq) AS position,
                       table_name, row_id, kind, reason, digest
                FROM moved WHERE phase = 0
            )
            INSERT INTO pmpp_auditlink (position, table_name, row_id, kind, reason, digest, hash)
            SELECT position, table_name, row_id, kind, reason, digest,
                   pmpp_audit_chain(
                       coalesce(head_hash, 'GENESIS'::bytea),
                       digest || convert_to(
                           position || '|' || table_name || '|' || row_id || '|' || kind || '|' || reason, 'UTF8'
                       )
                   ) OVER (ORDER BY position)
            FROM items;
            PERFORM set_config('pmpp.audit_seal_queued', 'off', true);
            RETURN NULL;
        END
        $$
        """,
    ]
    # Constants of this module, not values from outside.
    seal = statements.pop().replace("CHAIN_LOCK_KEY", str(CHAIN_LOCK_KEY)).replace("GENESIS", "\\x" + GENESIS.hex())
    settings = " ".join(f"SET {name} = '{value}'" for name, value in PG_OUTPUT_SETTINGS)
    return [statement.replace("OUTPUT_SETTINGS", settings) for statement in [*statements, seal]]


def install_audit_chain(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Put the chain's triggers on every audited table of `using`; return how many tables.

    Idempotent: runs after every migrate, after `install_history_triggers()`. Tables not
    created yet are skipped; the migrate that creates them installs their triggers.
    """
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the audit chain is not written for {connection.vendor}")
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        if LINK_TABLE not in existing:
            return 0  # before pmpp 0004
        models = {
            model._meta.db_table: model
            for model in chained_models()
            if router.allow_migrate_model(using, model) and model._meta.db_table in existing
        }
        if connection.vendor == "postgresql":
            for statement in _pg_functions_sql():
                cursor.execute(statement)
            seal = quote(f"{PENDING_TABLE}_seal")
            # A constraint trigger has no CREATE OR REPLACE; drop and create in this transaction.
            cursor.execute(f"DROP TRIGGER IF EXISTS {seal} ON {PENDING_TABLE}")
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {seal} AFTER INSERT ON {PENDING_TABLE} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.phase > 0) "
                "EXECUTE FUNCTION pmpp_audit_seal()"
            )
            # ALWAYS: the bulk generator runs with session_replication_role = replica.
            cursor.execute(f"ALTER TABLE {PENDING_TABLE} ENABLE ALWAYS TRIGGER {seal}")
            for table, model in sorted(models.items()):
                name = quote(trigger_name(table, "audit_chain", using=using))
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT ON {quote(table)} "
                    "REFERENCING NEW TABLE AS pmpp_audit_new_rows FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION pmpp_audit_stage({_pg_literal(model._meta.pk.column)})"
                )
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE ALWAYS TRIGGER {name}")
        else:
            for table, model in sorted(models.items()):
                columns = _sqlite_columns(cursor, table)
                pk = model._meta.pk.column
                name = quote(trigger_name(table, "audit_chain", using=using))
                literal = _pg_literal(table)
                new_id = f"NEW.{quote(pk)}"
                digest = f"{SQLITE_DIGEST_FUNCTION}({_sqlite_json(columns, 'NEW')})"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER INSERT ON {quote(table)} BEGIN "  # noqa: S608
                    f"INSERT INTO {LINK_TABLE} (position, table_name, row_id, kind, reason, digest, hash) "
                    f"SELECT head.position + 1, {literal}, {new_id}, '{INSERT}', '', row.digest, "
                    f"{SQLITE_HASH_FUNCTION}(head.hash, head.position + 1, {literal}, {new_id}, '{INSERT}', '', "
                    "row.digest) "
                    f"FROM (SELECT {digest} AS digest) AS row, "
                    f"(SELECT coalesce(max(position), 0) AS position, coalesce((SELECT hash FROM {LINK_TABLE} "
                    f"ORDER BY position DESC LIMIT 1), x'{GENESIS.hex()}') AS hash FROM {LINK_TABLE}) AS head; "
                    "END"
                )
    return len(models)


def drop_sqlite_chain_trigger(schema_editor, history_model) -> None:
    """For a migration's reverse, on SQLite: the chain trigger of a history table names each of its
    columns, so it goes before one is dropped; `migrate`'s post_migrate puts it back."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    name = trigger_name(history_model._meta.db_table, "audit_chain", using=connection.alias)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(name)}")


def uninstall_audit_chain(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove the chain's triggers and PostgreSQL objects (reversing pmpp 0004)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in sorted({model._meta.db_table for model in chained_models()} & existing):
            name = quote(trigger_name(table, "audit_chain", using=using))
            on = f" ON {quote(table)}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS pmpp_audit_stage(), pmpp_audit_seal() CASCADE")


def _pg_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sqlite_columns(cursor, table: str) -> list[str]:
    """The table's columns as the database has them (not as the model says), like PostgreSQL's row."""
    cursor.execute(f"PRAGMA table_info({_pg_literal(table)})")
    return [row[1] for row in cursor.fetchall()]


def _sqlite_json(columns: list[str], alias: str) -> str:
    """`json_object('col', alias.col, …)`, in pieces merged by json_patch past SQLite's argument limit.

    json_patch drops null members of the patch; the digest leaves nulls out anyway.
    """
    calls = []
    for start in range(0, len(columns), _SQLITE_PAIRS_PER_CALL):
        pairs = ", ".join(
            f'{_pg_literal(column)}, {alias}."{column}"' for column in columns[start : start + _SQLITE_PAIRS_PER_CALL]
        )
        calls.append(f"json_object({pairs})")
    expression = calls[0]
    for call in calls[1:]:
        expression = f"json_patch({expression}, {call})"
    return expression


def register_sqlite_chain_functions(sender: type, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created receiver: give each SQLite connection the digest and hash functions."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(SQLITE_DIGEST_FUNCTION, 1, row_digest, deterministic=True)
    connection.connection.create_function(SQLITE_HASH_FUNCTION, 7, link_hash, deterministic=True)


# ---------------------------------------------------------------------------------------------
# Sanctioned rewrites and initial sealing


def record_rewrite(
    history_model: type[Model], ids: Iterable[int], reason: str, *, using: str = DEFAULT_DB_ALIAS
) -> int:
    """Re-seal rows of `history_model` that a sanctioned rewrite has just changed; return how many.

    Call it inside the same `history_rewrite_allowed()` block as the rewrite, after the last
    UPDATE of those rows: it appends one `rewrite` link per row carrying the row's new digest
    and `reason`, so `verify_audit` accepts the new content and shows why it changed. Any
    later change to those rows, or any change to other rows, is still reported.

        with history_rewrite_allowed():
            ... rewrite Grievance.history.model rows with ids `pks` ...
            record_rewrite(Grievance.history.model, pks, "Anonymisation loi 09-08 (rétention 5 ans)")

    `history_model` may be any chained model (history models, `CHAINED_LOGS`). `reason` is
    stored in the clear in the chain: never put personal data in it. Raises RuntimeError
    outside `history_rewrite_allowed()`, and ValueError for an id with no row or never
    chained (a rewrite cannot launder a row that was inserted around the chain).
    On PostgreSQL the links are written at commit with the transaction's other links.
    """
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0
    connection = connections[using]
    table = history_model._meta.db_table
    if table not in {model._meta.db_table for model in chained_models()}:
        raise ValueError(f"{table} n'est pas une table chaînée / is not a chained table.")
    if not _rewrite_allowed(connection):
        raise RuntimeError("record_rewrite() must run inside pmpp.audit.history_rewrite_allowed().")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        unknown = _unchained_or_missing(cursor, history_model, ids)
        if unknown:
            raise ValueError(
                f"{table}: {len(unknown)} id(s) sans ligne ou jamais chaînées / with no row or never chained, "
                f"first {unknown[0]}."
            )
        return _stage(cursor, connection, history_model, ids=ids, kind=REWRITE, reason=reason)


def seal_existing_rows(history_model: type[Model], *, reason: str, using: str = DEFAULT_DB_ALIAS) -> int:
    """Chain every row of a table that has no link yet, as inserted: for migrations only.

    Used by the migration that introduces the chain (pmpp 0004) and by a data migration that
    adds a log with existing rows to `CHAINED_LOGS`. Never run it to "repair" a chain:
    rows without a link are exactly what `verify_audit` exists to report.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        table, pk = history_model._meta.db_table, history_model._meta.pk.column
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT h.{quote(pk)} FROM {quote(table)} h WHERE NOT EXISTS (SELECT 1 FROM {LINK_TABLE} l "  # noqa: S608
            f"WHERE l.table_name = %s AND l.row_id = h.{quote(pk)}) ORDER BY 1",
            [table],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        return _stage(cursor, connection, history_model, ids=ids, kind=INSERT, reason=reason)


def _rewrite_allowed(connection) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s, true)", [PG_UNLOCK_SETTING])
            return cursor.fetchone()[0] == "on"
    return bool(getattr(connection, SQLITE_UNLOCK_FLAG, False))


def _unchained_or_missing(cursor, model: type[Model], ids: list[int]) -> list[int]:
    quote = cursor.db.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    found: set[int] = set()
    for chunk in _chunks(ids):
        marks = ", ".join(["%s"] * len(chunk))
        # On PostgreSQL a row inserted by this very transaction is still staged, linked at commit.
        staged = (
            f" OR EXISTS (SELECT 1 FROM {PENDING_TABLE} p WHERE p.xact = pg_current_xact_id() AND p.phase = 0 "  # noqa: S608
            f"AND p.table_name = %s "
            f"AND p.row_id = h.{quote(pk)} AND p.kind = %s)"
            if cursor.db.vendor == "postgresql"
            else ""
        )
        cursor.execute(
            f"SELECT h.{quote(pk)} FROM {quote(table)} h WHERE h.{quote(pk)} IN ({marks}) AND (EXISTS ("  # noqa: S608
            f"SELECT 1 FROM {LINK_TABLE} l WHERE l.table_name = %s AND l.row_id = h.{quote(pk)} AND l.kind = %s)"
            f"{staged})",
            [*chunk, table, INSERT, *([table, INSERT] if staged else [])],
        )
        found.update(row[0] for row in cursor.fetchall())
    return [pk for pk in ids if pk not in found]


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _stage(cursor, connection, model: type[Model], *, ids: list[int], kind: str, reason: str) -> int:
    table, pk = model._meta.db_table, model._meta.pk.column
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pmpp_audit_stage_rows(%s, %s, %s, %s, %s)", [table, pk, ids, kind, reason])
        return cursor.fetchone()[0]
    # SQLite: one writer holds the database, so the links are appended at once.
    quote = connection.ops.quote_name
    digest = f"{SQLITE_DIGEST_FUNCTION}({_sqlite_json(_sqlite_columns(cursor, table), 'h')})"
    rows = []
    for chunk in _chunks(ids):
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            f"SELECT h.{quote(pk)}, {digest} FROM {quote(table)} h WHERE h.{quote(pk)} IN ({marks})",  # noqa: S608
            chunk,
        )
        rows.extend(cursor.fetchall())
    rows.sort()
    cursor.execute(f"SELECT position, hash FROM {LINK_TABLE} ORDER BY position DESC LIMIT 1")  # noqa: S608
    head = cursor.fetchone() or (0, GENESIS)
    position, previous = head[0], bytes(head[1])
    links = []
    for row_id, row_digest_ in rows:
        position += 1
        previous = link_hash(previous, position, table, row_id, kind, reason, row_digest_)
        links.append((position, table, row_id, kind, reason, row_digest_, previous))
    cursor.executemany(
        f"INSERT INTO {LINK_TABLE} (position, table_name, row_id, kind, reason, digest, hash) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        links,
    )
    return len(links)


def seal_pending(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """PostgreSQL: write this transaction's staged links now rather than at commit.

    `verify_audit` calls it so that, run inside a transaction that has written history (a
    test), it sees that history chained. Elsewhere, commit does it.
    """
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            seal = connection.ops.quote_name(f"{PENDING_TABLE}_seal")
            cursor.execute(f"SET CONSTRAINTS {seal} IMMEDIATE")
            cursor.execute(f"SET CONSTRAINTS {seal} DEFERRED")


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class Break:
    """The first broken link: what, where. Never any content of the row."""

    problem: str
    table: str
    row_id: int | None
    position: int | None

    def message(self) -> str:
        row = "-" if self.row_id is None else self.row_id
        position = "aucune / none" if self.position is None else self.position
        return f"{self.problem} — table {self.table}, id {row}, position {position}"


@dataclass(frozen=True)
class Report:
    links: int
    head_hash: bytes
    broken: Break | None


# (French / English) problem names, as verify_audit prints them.
LINK_ALTERED = "maillon de la chaîne modifié ou déplacé / chain link altered or moved"
LINK_MISSING = "maillon manquant / chain link missing"
ROW_MODIFIED = "ligne modifiée hors réécriture autorisée / row modified outside a sanctioned rewrite"
ROW_DELETED = "ligne supprimée / row deleted"
ROW_UNCHAINED = "ligne insérée sans maillon / row inserted without a chain link"
ROW_RESEALED = "ligne scellée deux fois ou sans insertion / row sealed twice or never inserted"
TABLE_GONE = "table chaînée disparue / chained table missing"


def verify_chain(*, using: str = DEFAULT_DB_ALIAS, anchor: tuple[int, bytes] | None = None) -> Report:
    """Walk the whole chain and check every audited row against it; return the first break.

    The first break is the one with the smallest position; a row with no link at all has no
    position and comes after every break that has one.
    """
    with transaction.atomic(using=using):
        return _verify(connections[using], anchor)


def _verify(connection, anchor: tuple[int, bytes] | None) -> Report:
    using = connection.alias
    seal_pending(using=using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A row's text form as the triggers wrote it.
            for name, value in PG_OUTPUT_SETTINGS:
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    breaks: list[Break] = []
    count, head, chain_break = _walk(connection, anchor)
    if chain_break:
        breaks.append(chain_break)
    models = {model._meta.db_table: model for model in chained_models() if router.allow_migrate_model(using, model)}
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        cursor.execute(f"SELECT DISTINCT table_name FROM {LINK_TABLE}")  # noqa: S608
        linked_tables = {row[0] for row in cursor.fetchall()}
        for table in sorted(linked_tables - (set(models) & existing)):
            cursor.execute(f"SELECT min(position) FROM {LINK_TABLE} WHERE table_name = %s", [table])  # noqa: S608
            breaks.append(Break(TABLE_GONE, table, None, cursor.fetchone()[0]))
        for table, model in sorted(models.items()):
            if table in existing:
                breaks.extend(_row_breaks(cursor, connection, model))
    breaks.sort(key=lambda b: (b.position is None, b.position or 0))
    return Report(links=count, head_hash=head, broken=breaks[0] if breaks else None)


def _walk(connection, anchor: tuple[int, bytes] | None) -> tuple[int, bytes, Break | None]:
    """Recompute every link's hash from position 1, in Python, streaming the links."""
    previous, expected = GENESIS, 1
    anchored = anchor is None
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT position, table_name, row_id, kind, reason, digest, hash FROM {LINK_TABLE} "  # noqa: S608
            "ORDER BY position"
        )
        while rows := cursor.fetchmany(5000):
            for position, table, row_id, kind, reason, digest, stored in rows:
                if position != expected:
                    return expected - 1, previous, Break(LINK_MISSING, table, row_id, expected)
                previous = link_hash(previous, position, table, row_id, kind, reason, digest)
                if previous != bytes(stored):
                    return position - 1, previous, Break(LINK_ALTERED, table, row_id, position)
                if anchor is not None and position == anchor[0]:
                    if previous != anchor[1]:
                        return position, previous, Break(LINK_ALTERED, table, row_id, position)
                    anchored = True
                expected += 1
    if not anchored:
        return expected - 1, previous, Break(LINK_MISSING, "-", None, anchor[0])
    return expected - 1, previous, None


def _row_digest_sql(cursor, connection, table: str, alias: str) -> str:
    if connection.vendor == "postgresql":
        return f"pmpp_audit_row_digest({alias}::text)"
    return f"{SQLITE_DIGEST_FUNCTION}({_sqlite_json(_sqlite_columns(cursor, table), alias)})"


def _row_breaks(cursor, connection, model: type[Model]) -> list[Break]:
    """This table's first row that differs from its latest link, deleted, unchained, or resealed."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, quote(model._meta.pk.column)
    digest = _row_digest_sql(cursor, connection, table, "h")
    found = []
    unflattened = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    # OFFSET 0 keeps the planner from planning the joins for one row (nested loops over
    # every link): it hashes them, then sorts what differs.
    cursor.execute(
        f"SELECT position, row_id, missing FROM (SELECT l.position, l.row_id, h.{pk} IS NULL AS missing "  # noqa: S608
        f"FROM {LINK_TABLE} l "
        f"JOIN (SELECT row_id, max(position) AS position FROM {LINK_TABLE} WHERE table_name = %s "
        "GROUP BY row_id) latest ON latest.position = l.position "
        f"LEFT JOIN {quote(table)} h ON h.{pk} = l.row_id "
        f"WHERE h.{pk} IS NULL OR l.digest <> {digest} {unflattened}) AS differing ORDER BY position LIMIT 1",
        [table],
    )
    if row := cursor.fetchone():
        found.append(Break(ROW_DELETED if row[2] else ROW_MODIFIED, table, row[1], row[0]))
    cursor.execute(
        f"SELECT min(position), row_id FROM {LINK_TABLE} WHERE table_name = %s GROUP BY row_id "  # noqa: S608
        "HAVING sum(CASE WHEN kind = %s THEN 1 ELSE 0 END) <> 1 ORDER BY 1 LIMIT 1",
        [table, INSERT],
    )
    if row := cursor.fetchone():
        found.append(Break(ROW_RESEALED, table, row[1], row[0]))
    cursor.execute(
        f"SELECT min(h.{pk}) FROM {quote(table)} h WHERE NOT EXISTS (SELECT 1 FROM {LINK_TABLE} l "  # noqa: S608
        f"WHERE l.table_name = %s AND l.row_id = h.{pk})",
        [table],
    )
    if (row := cursor.fetchone()) and row[0] is not None:
        found.append(Break(ROW_UNCHAINED, table, row[0], None))
    return found


__all__ = [
    "CHAINED_LOGS",
    "Break",
    "Report",
    "chained_models",
    "install_audit_chain",
    "record_rewrite",
    "seal_existing_rows",
    "verify_chain",
]
