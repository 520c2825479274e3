"""The statistics of a period read their rows from two covering indexes again (see 0009), with
the local dates and the delay of each grievance computed once, when it is written.

The metric dictionary (docs/metrics.md, version 2) reads more of each grievance than the
statistics did: the first closure's validation, the appeal's own dates and decision, the
kind of a non-complaint request and the reason of an unfounded one. It also counts delays
in whole days of local dates and in exact microseconds: computed at each read, the time-zone
conversions and interval arithmetic cost more than everything else a semester's 200,000
rows need. So on PostgreSQL three stored generated columns hold them (the reception's local
date, the effective closure's local date, the exact delay), written by the database itself
from the columns they derive from, whatever writes the row (ORM, replay, bulk generator).
They are not model fields: only the PostgreSQL statistics read them (reporting.statistics.
postgres); SQLite computes the same in Python. Morocco's time-zone rules are those of the
server's tz database when a row is written; if they were ever changed for past dates, an
`UPDATE grievances_grievance SET received_at = received_at` writes the columns again.

The split changes too: the rows whose delay is measured are those whose first-instance
closure is validated (the treated complaints and the answered requests, appealed or not),
which the statistics sort for the medians; the others are only counted. Each index holds
one part, on the same condition as the query writes it, so that each part is read from its
index alone.
"""

from django.db import migrations

LOCAL = "(({0}) AT TIME ZONE 'Africa/Casablanca')::date"
CLOSED = "GREATEST(COALESCE(effective_closed_at, closure_validated_at), received_at)"
GENERATED_COLUMNS = {
    "stat_received_on": ("date", LOCAL.format("received_at")),
    "stat_closed_on": ("date", f"CASE WHEN closure_validated_at IS NULL THEN NULL ELSE {LOCAL.format(CLOSED)} END"),
    "stat_delay_us": (
        "bigint",
        f"CASE WHEN closure_validated_at IS NULL THEN NULL "
        f"ELSE (EXTRACT(EPOCH FROM ({CLOSED} - received_at)) * 1000000)::bigint END",
    ),
}
STATISTICS_COLUMNS = (
    "status, request_kind, outcome, programme_id, channel_id, due_on, closure_validated_at, effective_closed_at, "
    "appealed_at, appeal_due_on, appeal_reviewed_at, appeal_decision, category_id, region_id, complainant_sex, "
    "not_complaint_kind_id, unfounded_reason_id, stat_received_on, stat_closed_on, stat_delay_us"
)
# The conditions must read as reporting.statistics writes them, for the planner to match them.
STATISTICS_INDEXES = {
    "grievance_received_timed_idx": "closure_validated_at IS NOT NULL",
    "grievance_received_untimed_idx": "closure_validated_at IS NULL",
}
PREVIOUS_COLUMNS = (
    "status, request_kind, outcome, appeal_count, due_on, effective_closed_at, "
    "programme_id, channel_id, category_id, region_id, complainant_sex"
)
PREVIOUS_TIMED = "status = 'closed' AND effective_closed_at IS NOT NULL"
PREVIOUS_INDEXES = {
    "grievance_received_timed_idx": PREVIOUS_TIMED,
    "grievance_received_untimed_idx": f"NOT ({PREVIOUS_TIMED})",
}


def _indexes(schema_editor, indexes: dict, columns: str) -> None:
    for name, condition in indexes.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE INDEX {name} ON grievances_grievance (received_at) INCLUDE ({columns}) WHERE {condition}"
        )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(
        "ALTER TABLE grievances_grievance "
        + ", ".join(
            f"ADD COLUMN IF NOT EXISTS {name} {kind} GENERATED ALWAYS AS ({expression}) STORED"
            for name, (kind, expression) in GENERATED_COLUMNS.items()
        )
    )
    _indexes(schema_editor, STATISTICS_INDEXES, STATISTICS_COLUMNS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _indexes(schema_editor, PREVIOUS_INDEXES, PREVIOUS_COLUMNS)
    schema_editor.execute(
        "ALTER TABLE grievances_grievance " + ", ".join(f"DROP COLUMN IF EXISTS {name}" for name in GENERATED_COLUMNS)
    )


class Migration(migrations.Migration):
    dependencies = [("grievances", "0015_appeal_own_clock")]

    operations = [migrations.RunPython(forwards, backwards)]
