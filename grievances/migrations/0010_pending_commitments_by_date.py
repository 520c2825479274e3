"""Two queue indexes: a programme's queue in its whole order, and pending commitments by date.

A queue's first page (« À qualifier »: one programme, one state, by due date then id) read
every grievance sharing the earliest due date — hundreds at a million — to sort them by id.
With the id in the programme/state/due-date index, the page is the index's first 26 entries.
The new index answers every query the old one answered (same leading columns), so it
replaces it under the same name.

The « engagements échus » queue (and its count, which the navigation shows on every page)
asks, for each committed grievance, whether its pending commitment's date has passed. The
database answers by hashing every pending commitment due by today; it read each of their
rows to learn the date. This partial index holds the date and the grievance of pending
commitments only, so the same answer comes from the index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grievances", "0009_search_and_statistics_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="grievance", name="grievance_queue_idx"),
        migrations.AddIndex(
            model_name="grievance",
            index=models.Index(fields=["programme", "status", "due_on", "id"], name="grievance_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(status="pending"),
                fields=["promised_on", "grievance"],
                name="commitment_pending_due_idx",
            ),
        ),
    ]
