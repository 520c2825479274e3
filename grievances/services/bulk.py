"""Bulk generation on PostgreSQL: a few thousand stories checked one by one, then cloned set-based.

`replay.grievances_replay` checks every step of every story in Python: about 1,600
grievances a second with two processes. The benchmarks need millions, so
`grievances_clone` checks each distinct path once and lets PostgreSQL do the copying:

1. **Templates, checked like live steps.** A few thousand stories go through the replay's own
   `_write_batch`: intake checks, deadlines, every step's `check_step` (source state, the
   role's permission, four-eyes rules, conditions), the model's transition methods and the
   closure-date rule. They are written, with their history rows, to temporary tables.
2. **Clones, derived set-based.** Each clone takes a template and changes only what does
   not depend on the path: its id and reference (from the locked counter), its tracking
   code, the complainant (CNIE, phone, name drawn from the generator's lists), and its
   dates, moved by a whole number of days within a window that keeps open cases recent and
   every step in the past. Due dates are not moved but looked up: they are computed in
   Python by the intake's own rule (policy and public holidays) for every reception day.
   Everything else, and every history row, is the template's: the same states, actors,
   reasons and transitions in the same order.
3. **Written in one transaction.** The secondary indexes of the four tables are dropped and
   rebuilt at the end (faster than maintaining them row by row), and, for a superuser,
   foreign keys are not checked row by row (`session_replication_role = replica`): every
   reference a clone holds is one its template already held, and the templates were
   inserted with their constraints checked. Unique constraints and check constraints stay.
   The transaction takes exclusive locks on the tables: run it on a database no one works
   on (a benchmark or test database), never on production. A failure leaves nothing.
"""

import time as clock
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from grievances.deadlines import MOROCCO
from grievances.models import Commitment, Grievance
from grievances.services.references import _TRACKING_ALPHABET, TRACKING_CODE_LENGTH
from grievances.services.replay import ReplayError, Story, _Deadlines, _Table, _write, _write_batch
from pmpp.models import Channel, Programme

# Where clones of closed and of open cases may be received: the generator's own windows.
CLOSED_WINDOW = (timedelta(days=730), timedelta(days=30))
OPEN_WINDOW = timedelta(days=21)
TEMPLATE_COUNT = 5000
CNIE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

_WORK_TABLES = ("bulk_g", "bulk_gh", "bulk_c", "bulk_ch", "bulk_t", "bulk_due", "bulk_n", "bulk_p")
_TEMPLATES = {
    "g": ("bulk_g", "bulk_gh"),  # grievances and their history
    "c": ("bulk_c", "bulk_ch"),  # commitments and their history
}


def grievances_clone(
    templates: Iterable[Story],
    *,
    count: int,
    names: list[tuple[str, str]],
    seed: int = 1,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write `count` grievances cloned from the checked `templates`; return `count`.

    `names` are (full name, search key) pairs drawn for named complainants. Raises
    `ReplayError` if a template breaks a rule; then nothing is written.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("grievances_clone() needs PostgreSQL; use replay.grievances_replay elsewhere.")
    now = now or timezone.now()
    say = progress or (lambda message: None)
    started = clock.perf_counter()

    def step(message: str) -> None:
        say(f"  {clock.perf_counter() - started:7.1f} s  {message}")

    with transaction.atomic(), _client_bound_cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # one backend: reproducible draws
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        template_count = _write_templates(cursor, templates)
        step(f"{template_count} modèles vérifiés étape par étape")
        _template_windows(cursor, now=now)
        _due_dates(cursor, now=now)
        _names(cursor, names)
        cursor.execute("LOCK TABLE grievances_grievance, grievances_commitment IN EXCLUSIVE MODE")
        _plan(cursor, count=count, seed=seed, template_count=template_count)
        step(f"{count:,}".replace(",", "\u202f") + " clones tirés : références, codes, réclamants, dates")
        if _is_superuser(cursor):
            cursor.execute("SET LOCAL session_replication_role = replica")
        # Rebuilding an index reads the whole table: worth it only when the load at least doubles it.
        cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'grievances_grievance'::regclass")
        indexes = _drop_secondary_indexes(cursor) if count >= cursor.fetchone()[0] else []
        _insert_clones(cursor)
        step("réclamations, engagements et historique écrits")
        for definition in indexes:
            cursor.execute(definition)
        step(f"{len(indexes)} index reconstruits")
        _advance_sequences(cursor)
        # ON COMMIT DROP is enough on its own, except inside an enclosing transaction (tests).
        cursor.execute(f"DROP TABLE {', '.join(_WORK_TABLES)}")
    for table in ("grievances_grievance", "grievances_historicalgrievance", "grievances_commitment"):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    step("statistiques du planificateur à jour")
    return count


@contextmanager
def _client_bound_cursor() -> Iterator[CursorWrapper]:
    """A cursor that binds parameters on the client whatever the alias binds with.

    Several statements below hold more than one command and take parameters: PostgreSQL
    cannot prepare those, so they fail when the server binds (DB_PREPARED_STATEMENTS, on by default).
    """
    from psycopg import ClientCursor

    connection.ensure_connection()
    with ClientCursor(connection.connection) as cursor:
        yield CursorWrapper(cursor, connection)


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return cursor.fetchone()[0]


def _write_templates(cursor, templates: Iterable[Story]) -> int:
    """Check the templates with the replay's own code and write them to temporary tables."""
    grievance_table, commitment_table = _Table(Grievance), _Table(Commitment)
    for source, (table, history) in zip((grievance_table, commitment_table), _TEMPLATES.values(), strict=True):
        for name, like in ((table, source.table), (history, source.history_table)):
            cursor.execute(
                f"CREATE TEMP TABLE {name} (LIKE {like} INCLUDING DEFAULTS INCLUDING IDENTITY) ON COMMIT DROP"
            )
    stories = list(templates)
    if not stories:
        raise ReplayError("aucun modèle à cloner.")
    commitments = sum(1 for s in stories for x in s.steps if x.name in ("give_commitment", "renew_commitment"))
    _write_batch(
        stories,
        offset=0,
        rules=_Deadlines(),
        tables=(
            grievance_table.written_to(*_TEMPLATES["g"]),
            commitment_table.written_to(*_TEMPLATES["c"]),
        ),
        # References are the clones' own; the templates' only need to be distinct.
        next_number={(s.programme.reference_prefix, timezone.localdate(s.received_at).year): 1 for s in stories},
        ids=(iter(range(1, len(stories) + 1)), iter(range(1, commitments + 1))),
    )
    cursor.execute(
        "SELECT count(*) FROM bulk_g "
        "WHERE duplicate_of_id IS NOT NULL OR similar_to_id IS NOT NULL OR external_reference <> ''"
    )
    if cursor.fetchone()[0]:
        raise ReplayError("un modèle lié à une autre réclamation ne peut pas être cloné.")
    cursor.execute(
        "SELECT count(*) FROM bulk_c c LEFT JOIN bulk_c r ON r.id = c.renews_id "
        "WHERE c.renews_id IS NOT NULL AND (r.grievance_id <> c.grievance_id OR r.sequence <> c.sequence - 1)"
    )
    if cursor.fetchone()[0]:
        raise ReplayError("un engagement renouvelé doit renouveler le précédent de la même réclamation.")
    return len(stories)


def _template_windows(cursor, *, now: datetime) -> None:
    """Per template: the first due dates, its commitments, and the day shifts its clones may take.

    Closed cases are received between two years and a month ago, open ones in the last
    three weeks; no step of a clone may be later than now.
    """
    oldest, newest = now - CLOSED_WINDOW[0], now - CLOSED_WINDOW[1]
    cursor.execute(
        """
        CREATE TEMP TABLE bulk_t ON COMMIT DROP AS
        WITH last_step AS (
            SELECT id, max(history_date) AS at FROM bulk_gh GROUP BY id
        ), spans AS (
            SELECT g.id AS t, g.received_at, l.at AS last_at, g.due_on AS due0,
                   g.acknowledgement_due_on AS ack0,
                   (SELECT count(*) FROM bulk_c c WHERE c.grievance_id = g.id) AS commitments,
                   g.received_at >= %(now)s - %(open)s AS recent,
                   g.programme_id, g.channel_id, pr.reference_prefix AS prefix
            FROM bulk_g g JOIN last_step l ON l.id = g.id JOIN pmpp_programme pr ON pr.id = g.programme_id
        ), bounds AS (
            SELECT *,
                CASE WHEN recent THEN -floor(extract(epoch FROM received_at - (%(now)s - %(open)s)) / 86400)
                     ELSE ceil(extract(epoch FROM %(oldest)s - received_at) / 86400) END AS lo,
                floor(extract(epoch FROM LEAST(
                    CASE WHEN recent THEN %(now)s ELSE %(newest)s + (last_at - received_at) END, %(now)s
                ) - last_at) / 86400) AS hi
            FROM spans
        )
        SELECT t, row_number() OVER (ORDER BY t) - 1 AS k, received_at, due0, ack0, commitments,
               programme_id, channel_id, prefix,
               CASE WHEN lo <= hi THEN lo ELSE 0 END::int AS lo,
               CASE WHEN lo <= hi THEN hi ELSE 0 END::int AS hi
        FROM bounds
        """,
        {"now": now, "open": OPEN_WINDOW, "oldest": oldest, "newest": newest},
    )
    for table in ("bulk_g", "bulk_gh", "bulk_c", "bulk_ch", "bulk_t"):
        cursor.execute(f"ANALYZE {table}")


def _due_dates(cursor, *, now: datetime) -> None:
    """The intake's due dates for every programme, channel and reception day a clone may have."""
    rules = _Deadlines()
    cursor.execute(
        "SELECT DISTINCT g.programme_id, g.channel_id, min(t.received_at + t.lo * interval '1 day') OVER (), "
        "max(t.received_at + t.hi * interval '1 day') OVER () FROM bulk_g g JOIN bulk_t t ON t.t = g.id"
    )
    pairs = cursor.fetchall()
    first, last = timezone.localdate(pairs[0][2]), timezone.localdate(pairs[0][3])
    programmes = {p.pk: p for p in Programme.objects.all()}
    channels = {c.pk: c for c in Channel.objects.all()}
    rows = []
    for programme_id, channel_id, _first, _last in pairs:
        day = first
        while day <= last:
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=MOROCCO).astimezone(UTC)
            due_on, ack_on = rules.due_dates(
                programme=programmes[programme_id], channel=channels[channel_id], received_at=noon
            )
            rows.append((programme_id, channel_id, day, due_on, ack_on))
            day += timedelta(days=1)
    cursor.execute(
        "CREATE TEMP TABLE bulk_due (programme_id bigint, channel_id bigint, day date, due_on date, ack_on date, "
        "PRIMARY KEY (programme_id, channel_id, day)) ON COMMIT DROP"
    )
    _write("bulk_due", ["programme_id", "channel_id", "day", "due_on", "ack_on"], rows, [])


def _names(cursor, names: list[tuple[str, str]]) -> None:
    cursor.execute("CREATE TEMP TABLE bulk_n (k int PRIMARY KEY, name text, search_name text) ON COMMIT DROP")
    _write("bulk_n", ["k", "name", "search_name"], [(k, n, s) for k, (n, s) in enumerate(names)], [])


def _tracking_code_sql() -> str:
    # Twelve characters of the tracking alphabet from the bytes of a random UUID (122 random bits):
    # like the live codes, never reproducible from the seed.
    size = len(_TRACKING_ALPHABET)
    return " || ".join(
        f"substr('{_TRACKING_ALPHABET}', 1 + get_byte(d.digest, {i}) %% {size}, 1)"
        for i in _RANDOM_UUID_BYTES[:TRACKING_CODE_LENGTH]
    )


# A version 4 UUID's bytes, without the two that carry its version and variant bits.
_RANDOM_UUID_BYTES = (0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15)


def _plan(cursor, *, count: int, seed: int, template_count: int) -> None:
    """One row per clone, in order: its template, day shift, id, reference, tracking code, complainant."""
    cursor.execute("SELECT setseed(%s)", [((seed * 7919) % 20000) / 10000 - 1])
    cursor.execute("SELECT count(*) FROM bulk_n")
    name_count = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(pg_get_serial_sequence('grievances_grievance', 'id'))")
    first_id = cursor.fetchone()[0]
    cursor.execute("SELECT floor(random() * 1000000)::int")
    serial = cursor.fetchone()[0]
    # The counters of every prefix and year a clone may fall in, locked until the end.
    cursor.execute(
        """
        INSERT INTO grievances_referencecounter (prefix, year, last_value)
        SELECT DISTINCT t.prefix, y, 0 FROM bulk_t t,
            generate_series(
                extract(year FROM (t.received_at + t.lo * interval '1 day') AT TIME ZONE %(zone)s)::int,
                extract(year FROM (t.received_at + t.hi * interval '1 day') AT TIME ZONE %(zone)s)::int
            ) y
        ON CONFLICT (prefix, year) DO NOTHING;
        SELECT prefix, year FROM grievances_referencecounter
        WHERE prefix IN (SELECT prefix FROM bulk_t) ORDER BY prefix, year FOR UPDATE;
        """,
        {"zone": str(MOROCCO)},
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE bulk_p ON COMMIT DROP AS
        WITH draw AS (
            SELECT g, floor(random() * %(templates)s)::int AS k, random() AS r,
                   floor(random() * %(names)s)::int AS name_k, floor(random() * 576)::int AS letters,
                   10000000 + floor(random() * 90000000)::int AS phone,
                   decode(replace(gen_random_uuid()::text, '-', ''), 'hex') AS digest
            FROM generate_series(1, %(count)s) g
        ), shifted AS (
            SELECT d.*, t.t, t.prefix, t.programme_id, t.channel_id,
                   t.lo + floor(d.r * (t.hi - t.lo + 1))::int AS shift, t.received_at
            FROM draw d JOIN bulk_t t ON t.k = d.k
        ), placed AS (
            SELECT d.*, (d.received_at + d.shift * interval '1 day') AT TIME ZONE %(zone)s AS local_received
            FROM shifted d
        )
        SELECT n.*, n.prefix || '-' || n.year || '-'
                    -- As references.format_reference: six digits at least, never cut (lpad would).
                    || CASE WHEN n.number < 1000000 THEN lpad(n.number::text, 6, '0') ELSE n.number::text END
                    AS reference
        FROM (
            SELECT d.g, d.t, d.shift, %(first_id)s + d.g - 1 AS id,
                   {_tracking_code_sql()} AS tracking_code,
                   substr(%(letters)s, 1 + d.letters / 24, 1) || substr(%(letters)s, 1 + d.letters %% 24, 1)
                       || lpad(((d.g + %(serial)s) %% 1000000)::text, 6, '0') AS cnie,
                   '+2126' || d.phone::text AS phone, n.name, n.search_name, due.due_on, due.ack_on,
                   d.prefix, extract(year FROM d.local_received)::int AS year,
                   c.last_value + row_number()
                       OVER (PARTITION BY d.prefix, extract(year FROM d.local_received) ORDER BY d.g) AS number
            FROM placed d
            JOIN grievances_referencecounter c
              ON c.prefix = d.prefix AND c.year = extract(year FROM d.local_received)
            JOIN bulk_n n ON n.k = d.name_k
            JOIN bulk_due due ON due.programme_id = d.programme_id AND due.channel_id = d.channel_id
                             AND due.day = d.local_received::date
        ) n
        ORDER BY n.g
        """,  # noqa: S608 — the tracking-code expression is ours, the values are parameters
        {
            "templates": template_count,
            "names": name_count,
            "count": count,
            "first_id": first_id,
            "serial": serial,
            "letters": CNIE_LETTERS,
            "zone": str(MOROCCO),
        },
    )
    cursor.execute(
        """
        UPDATE grievances_referencecounter c SET last_value = c.last_value + made.n
        FROM (SELECT prefix, year, count(*) AS n FROM bulk_p GROUP BY 1, 2) made
        WHERE c.prefix = made.prefix AND c.year = made.year
        """
    )
    cursor.execute("ANALYZE bulk_p")
    cursor.execute("SELECT count(*) FROM bulk_p")
    if cursor.fetchone()[0] != count:
        raise ReplayError("un clone est tombé hors du calendrier des échéances calculées.")


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the indexes that back no constraint; return the statements that rebuild them."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i'
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
        ORDER BY i.tablename, i.indexname
        """,
        [
            [
                Grievance._meta.db_table,
                Grievance.history.model._meta.db_table,
                Commitment._meta.db_table,
                Commitment.history.model._meta.db_table,
            ]
        ],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in indexes]


def _select_list(fields, alias: str, overrides: dict[str, str]) -> tuple[str, str]:
    """(column list, expressions): the template's value, moved by the clone's shift for dates."""
    columns, expressions = [], []
    for field in fields:
        column = field.column
        columns.append(connection.ops.quote_name(column))
        kind = field.get_internal_type()
        if column in overrides:
            expressions.append(overrides[column])
        elif kind == "DateTimeField":
            expressions.append(f"{alias}.{column} + p.shift * interval '1 day'")
        elif kind == "DateField":
            expressions.append(f"{alias}.{column} + p.shift")
        else:
            expressions.append(f"{alias}.{column}")
    return ", ".join(columns), ", ".join(expressions)


def _grievance_overrides(alias: str) -> dict[str, str]:
    named = f"CASE WHEN {alias}.complainant_name = '' THEN '' ELSE"
    return {
        "id": "p.id",
        "reference": "p.reference",
        "tracking_code": "p.tracking_code",
        "complainant_cnie": f"CASE WHEN {alias}.complainant_cnie = '' THEN '' ELSE p.cnie END",
        "complainant_phone": f"CASE WHEN {alias}.complainant_phone = '' THEN '' ELSE p.phone END",
        "complainant_name": f"{named} p.name END",
        "search_name": f"{named} p.search_name END",
        # The deadlines of reception are the intake's for the new day; an appeal's moves with the clone.
        "due_on": f"CASE WHEN {alias}.due_on = t.due0 THEN p.due_on ELSE {alias}.due_on + p.shift END",
        "acknowledgement_due_on": (
            f"CASE WHEN {alias}.acknowledgement_due_on = t.ack0 THEN p.ack_on "
            f"ELSE {alias}.acknowledgement_due_on + p.shift END"
        ),
    }


def _insert_clones(cursor) -> None:
    """Four INSERT … SELECT, each reading the clones in order and their template's rows by hash."""
    cursor.execute("SELECT COALESCE(max(id), 0) FROM grievances_commitment")
    base = cursor.fetchone()[0]
    cursor.execute("SELECT COALESCE(max(commitments), 0) FROM bulk_t")
    slots = cursor.fetchone()[0]
    # Each clone owns `slots` commitment ids (some unused: ids may have gaps, as sequences do).
    commitment_id = f"{base} + (p.g - 1) * {slots} + c.sequence"
    commitment_overrides = {
        "id": commitment_id,
        "grievance_id": "p.id",
        "renews_id": f"CASE WHEN c.renews_id IS NULL THEN NULL ELSE {commitment_id} - 1 END",
    }

    def fields(model):
        # The running deadline (`current_due_on`) is generated by the database from the others.
        return [f for f in model._meta.concrete_fields if not f.generated]

    def history_fields(model):
        return [f for f in model.history.model._meta.concrete_fields if f.attname != "history_id"]

    statements = [
        ("grievances_grievance", fields(Grievance), "g", _grievance_overrides("g"),
         "FROM bulk_p p JOIN bulk_t t ON t.t = p.t JOIN bulk_g g ON g.id = p.t"),
        ("grievances_historicalgrievance", history_fields(Grievance), "h", _grievance_overrides("h"),
         "FROM bulk_p p JOIN bulk_t t ON t.t = p.t JOIN bulk_gh h ON h.id = p.t"),
        ("grievances_commitment", fields(Commitment), "c", commitment_overrides,
         "FROM bulk_p p JOIN bulk_c c ON c.grievance_id = p.t"),
        ("grievances_historicalcommitment", history_fields(Commitment), "h", commitment_overrides,
         "FROM bulk_p p JOIN bulk_ch h ON h.grievance_id = p.t JOIN bulk_c c ON c.id = h.id"),
    ]  # fmt: skip
    # Hash joins keep the clones' order (the probe side), so rows are written grievance by grievance.
    cursor.execute("SET LOCAL enable_mergejoin = off")
    for table, model_fields, alias, overrides, source in statements:
        columns, expressions = _select_list(model_fields, alias, overrides)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {expressions} {source}")
    cursor.execute("RESET enable_mergejoin")


def _advance_sequences(cursor) -> None:
    for table in ("grievances_grievance", "grievances_commitment"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(max(id), 1) FROM {table}))"  # noqa: S608
        )
