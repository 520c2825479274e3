"""CSV (`;` or `,`, with or without BOM) and XLSX are read; anything else is refused by content."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grievances.models import Grievance
from imports.models import ImportJob
from tests.imports.conftest import MIXED_ERRORS, csv_file, good_row, imported, last_job, mixed_rows, upload, xlsx_file


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (";", False), (",", True), (",", False)])
def test_csv_files_with_either_separator_and_with_or_without_bom_give_the_same_result(agent_client, delimiter, bom):
    upload(agent_client, csv_file(mixed_rows(), delimiter=delimiter, bom=bom))

    job = last_job()
    assert job.file_format == ImportJob.Format.CSV
    assert job.errors == MIXED_ERRORS
    assert job.valid_rows == 2


def test_xlsx_files_give_the_same_result_as_csv(agent_client):
    upload(agent_client, xlsx_file(mixed_rows()))

    job = last_job()
    assert job.file_format == ImportJob.Format.XLSX
    assert job.errors == MIXED_ERRORS
    assert job.valid_rows == 2


def test_xlsx_real_dates_and_numeric_cells_are_read(agent_client):
    moment = (timezone.localtime() - timedelta(days=4)).replace(second=0, microsecond=0, tzinfo=None)
    row = good_row(1)
    row[1] = moment  # a real date cell
    row[6] = 612345678  # Excel drops the leading zero of a phone number stored as a number
    row[9] = 6  # region code as a number

    upload(agent_client, xlsx_file([row]))
    agent_client.post(f"/reclamations/imports/{last_job().pk}/importer/")

    (grievance,) = imported()
    assert timezone.localtime(grievance.received_at).replace(tzinfo=None) == moment
    assert grievance.complainant_phone == "+212612345678"
    assert grievance.region.code == "06"


def test_a_formula_in_an_xlsx_cell_is_refused_not_evaluated(agent_client):
    row = good_row(1)
    upload(agent_client, xlsx_file([row], formulas=[(1, 4, '=HYPERLINK("http://evil.example","x")')]))

    job = last_job()
    assert job.errors == [[2, "Objet de la plainte", "Les formules ne sont pas acceptées : saisissez la valeur."]]
    assert Grievance.objects.count() == 0


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_whatever_its_name(agent_client):
    pdf = SimpleUploadedFile("plaintes.csv", b"%PDF-1.7\n\x00\x01binary", content_type="text/csv")

    response = upload(agent_client, pdf)

    assert response.status_code == 200
    assert "Type de fichier non accepté : CSV ou XLSX uniquement." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_upload_limit_is_refused_with_a_clear_message(agent_client, settings):
    settings.PMPP_MAX_UPLOAD_BYTES = 1024

    response = upload(agent_client, csv_file([good_row(n) for n in range(1, 40)]))

    assert "Fichier trop volumineux : 1 Ko au plus." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_without_the_sources_columns_is_refused_naming_them(agent_client):
    response = upload(agent_client, csv_file([good_row(1)]), source="mediateur")

    page = response.content.decode()
    assert "Colonnes obligatoires absentes pour cette source" in page
    assert "Référence Médiateur" in page
    assert not ImportJob.objects.exists()


def test_headers_match_without_regard_to_case_or_accents(agent_client):
    from tests.imports.conftest import CHIKAYA_HEADER

    header = [h.upper().replace("É", "E").replace("°", "°") for h in CHIKAYA_HEADER]
    header[1] = "date de mise en ligne"

    upload(agent_client, csv_file([good_row(1)], header=header))

    assert (last_job().valid_rows, last_job().errors) == (1, [])


def test_the_stored_file_has_a_random_name_not_the_uploaded_one(agent_client):
    upload(agent_client, csv_file([good_row(1)], name="plaintes Fatima El Amrani.csv"))

    job = last_job()
    assert job.original_name == "plaintes Fatima El Amrani.csv"
    assert "Amrani" not in job.file.name
    assert job.file.name.startswith("imports/")
    assert job.file.name.endswith(".csv")


def test_rows_are_numbered_as_the_spreadsheet_shows_them(agent_client):
    multi_line = good_row(1)
    multi_line[4] = "Première ligne.\nDeuxième ligne de la description."
    bad = good_row(2, programme="Inconnu")

    upload(agent_client, csv_file([multi_line, [], bad]))
    from_csv = last_job().errors
    upload(agent_client, xlsx_file([multi_line, [], bad]))
    from_xlsx = last_job().errors

    expected = [[4, "Programme", "Programme inconnu : indiquez son code ou son nom."]]
    assert (from_csv, from_xlsx) == (expected, expected)


def test_an_xlsx_that_would_unpack_to_far_more_than_a_real_export_is_refused(agent_client, settings):
    """A 'zip bomb': a few kilobytes on the wire, hundreds of times more once unpacked."""
    settings.PMPP_MAX_UPLOAD_BYTES = 64 * 1024
    workbook = xlsx_file([good_row(1)])
    archive = io.BytesIO(workbook.read())
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/media/padding.bin", b"\0" * (41 * 64 * 1024))
    assert len(archive.getvalue()) < 64 * 1024

    response = upload(agent_client, SimpleUploadedFile("export.xlsx", archive.getvalue()))

    assert "Le fichier XLSX décompressé est anormalement volumineux : il est refusé." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_xlsx_of_ordinary_size_is_still_read(agent_client, settings):
    settings.PMPP_MAX_UPLOAD_BYTES = 64 * 1024

    upload(agent_client, xlsx_file([good_row(1)]))

    assert last_job().file_format == ImportJob.Format.XLSX
