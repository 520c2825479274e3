"""Two indexes that serve their reads' order and columns, so a read stops at what it shows.

- The search's first tier reads one full name newest first. The index on the name alone
  found the rows but not their order, so a name thousands of complainants share was read
  and sorted whole; with the reception date (and the id, the tie break) after the name, the
  search walks the index backwards and stops after one page. It answers every equality on
  the name the old index answered, so that one goes.
- The statistics of a period (dashboard, semester report) read a few columns of every
  grievance received in it. Reception order is not the table's order, so a quarter's rows
  lie on nearly every page of the table. On PostgreSQL two indexes on the reception date
  carry those columns (INCLUDE), so the period is read from them alone: one holds the
  grievances whose delay is measured (closed, with a closure date), which the statistics
  sort for the median, the other the rest, which they only count. Split on the same
  condition as the query, each part reads only its own rows. SQLite has no such index,
  and reads the table, which is fine at its size.
"""

from django.db import migrations, models

# Every column reporting.statistics reads of a grievance, besides the reception date.
STATISTICS_COLUMNS = (
    "status, request_kind, outcome, appeal_count, due_on, effective_closed_at, "
    "programme_id, channel_id, category_id, region_id, complainant_sex"
)
# The condition must read as reporting.statistics writes it, for the planner to match them.
TIMED = "status = 'closed' AND effective_closed_at IS NOT NULL"
STATISTICS_INDEXES = {
    "grievance_received_timed_idx": TIMED,
    "grievance_received_untimed_idx": f"NOT ({TIMED})",
}


def add_statistics_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, condition in STATISTICS_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON grievances_grievance (received_at) "
            f"INCLUDE ({STATISTICS_COLUMNS}) WHERE {condition}"
        )


def drop_statistics_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in STATISTICS_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("grievances", "0007_queue_order_index")]

    operations = [
        migrations.RemoveIndex(model_name="grievance", name="grievance_name_idx"),
        migrations.AddIndex(
            model_name="grievance",
            index=models.Index(fields=["search_name", "received_at", "id"], name="grievance_name_received_idx"),
        ),
        migrations.RunPython(add_statistics_indexes, drop_statistics_indexes),
    ]
