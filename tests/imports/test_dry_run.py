"""The dry run checks every row through the intake service and writes nothing."""

import csv
import io

from grievances.models import Grievance
from imports.models import ImportJob
from tests.imports.conftest import MIXED_ERRORS, csv_file, last_job, mixed_rows, upload


def test_dry_run_reports_every_bad_row_with_row_column_and_message_and_writes_nothing(agent_client):
    response = upload(agent_client, csv_file(mixed_rows()))

    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == f"/reclamations/imports/{job.pk}/"
    assert job.status == ImportJob.Status.VALIDATED
    assert job.errors == MIXED_ERRORS
    assert (job.rows, job.valid_rows, job.invalid_rows, job.created_count) == (6, 2, 4, 0)
    assert Grievance.objects.count() == 0


def test_the_job_page_lists_the_bad_rows_and_offers_the_import(agent_client):
    upload(agent_client, csv_file(mixed_rows()))

    page = agent_client.get(f"/reclamations/imports/{last_job().pk}/").content.decode()

    assert "Programme inconnu : indiquez son code ou son nom." in page
    assert "La date ne peut pas être dans le futur." in page
    assert 'id="run-import"' in page
    assert 'id="download-report"' in page


def test_the_report_downloads_as_csv_with_a_bom_and_the_same_rows(agent_client):
    upload(agent_client, csv_file(mixed_rows()))

    response = agent_client.get(f"/reclamations/imports/{last_job().pk}/rapport.csv")

    body = b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="import-{last_job().pk}-erreurs.csv"'
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Ligne", "Colonne", "Message"]
    assert rows[1:] == [[str(r), c, m] for r, c, m in MIXED_ERRORS]


def test_error_messages_never_quote_personal_data(agent_client):
    rows = mixed_rows()
    upload(agent_client, csv_file(rows))

    report = "".join(message for _row, _column, message in last_job().errors)
    for row in rows:
        for personal in (row[5], row[6], row[7]):  # CNIE, phone, name
            if personal:
                assert personal not in report


def test_a_row_already_in_the_file_is_reported_as_a_duplicate_reference(agent_client):
    rows = mixed_rows()[:1] * 2

    upload(agent_client, csv_file(rows))

    assert last_job().errors == [[3, "N° de la plainte", "Référence en double dans le fichier (déjà ligne 2)."]]


def test_a_programme_outside_the_agents_scope_is_refused(agent_client):
    from tests.imports.conftest import good_row

    upload(agent_client, csv_file([good_row(1, programme="AMO TADAMON", category="")]))

    assert last_job().errors == [[2, "Programme", "Programme hors de votre périmètre."]]
