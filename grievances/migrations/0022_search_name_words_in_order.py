"""A name is searched whatever the order of its words (issue 18): « zerouali fatima », the
surname first as on the CNIE, found nothing where « fatima zerouali » found four files.

`search_name` now holds the name's words in alphabetical order
(grievances.services.intake.name_key), so a full name typed in any order is one equality on
the index it already has (`grievance_name_received_idx`), and a part of it one `LIKE` per word
on the trigram index. This rewrites the key of every existing grievance; the schema does not
change.

No history row is written: the key is derived from the name, which does not change, and is
shown nowhere (the timeline, the subject export and the API leave it out). On PostgreSQL one
`UPDATE` sorts the words in SQL, byte order of UTF-8 being the code point order Python sorts
by; SQLite has no way to split a string, so the rows are read and written back in batches.
"""

from django.db import migrations

BATCH = 2000

_SORTED_WORDS = (
    "(SELECT string_agg(word, ' ' ORDER BY word COLLATE \"C\") FROM unnest(string_to_array(search_name, ' ')) AS word)"
)


def _rewrite_in_python(apps, key) -> None:
    Grievance = apps.get_model("grievances", "Grievance")
    rows = Grievance.objects.exclude(search_name="").order_by("pk").values_list("pk", "complainant_name", "search_name")
    changed = []
    for pk, name, stored in rows.iterator(chunk_size=BATCH):
        wanted = key(name, stored)
        if wanted != stored:
            changed.append(Grievance(pk=pk, search_name=wanted))
        if len(changed) >= BATCH:
            Grievance.objects.bulk_update(changed, ["search_name"])
            changed = []
    if changed:
        Grievance.objects.bulk_update(changed, ["search_name"])


def words_in_order(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(apps.get_model("grievances", "Grievance")._meta.db_table)
        schema_editor.execute(
            f"UPDATE {table} SET search_name = {_SORTED_WORDS} "  # noqa: S608 — the table's own name
            f"WHERE search_name LIKE %s AND search_name <> {_SORTED_WORDS}",
            params=["% %"],
        )
        return
    _rewrite_in_python(apps, lambda name, stored: " ".join(sorted(stored.split())))


def words_as_typed(apps, schema_editor):
    """Reverse: the key in the order the name was written, from the name itself."""
    from grievances.services.intake import search_key

    _rewrite_in_python(apps, lambda name, stored: search_key(name))


class Migration(migrations.Migration):
    dependencies = [("grievances", "0021_similar_to")]

    operations = [migrations.RunPython(words_in_order, words_as_typed)]
