"""Export files as chikaya.ma, the Médiateur and the call centre produce them, built in the test."""

import csv
import io
from datetime import datetime, timedelta

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grievances.models import Grievance
from imports.models import ImportJob
from pmpp import roles
from tests.factories import UserFactory

CHIKAYA_HEADER = [
    "N° de la plainte",
    "Date de mise en ligne",
    "Programme",
    "Catégorie",
    "Objet de la plainte",
    "CNIE",
    "Téléphone",
    "Nom et prénom",
    "Sexe",
    "Région",
    "Anonyme",
]
MEDIATEUR_HEADER = [
    "Référence Médiateur",
    "Date de transmission",
    *CHIKAYA_HEADER[2:4],
    "Exposé des faits",
    *CHIKAYA_HEADER[5:],
]
CALL_CENTRE_HEADER = ["N° d'appel", "Date de l'appel", *CHIKAYA_HEADER[2:4], "Motif de l'appel", *CHIKAYA_HEADER[5:]]
HEADERS = {"chikaya": CHIKAYA_HEADER, "mediateur": MEDIATEUR_HEADER, "call-centre": CALL_CENTRE_HEADER}


def days_ago(days: int) -> str:
    return (timezone.localtime() - timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


def good_row(n: int, *, days: int = 3, programme: str = "Tayssir", category: str = "Paiement non reçu") -> list:
    return [
        f"CHK-2026-{n:05d}",
        days_ago(days),
        programme,
        category,
        "La bourse du deuxième trimestre n'est pas arrivée.",
        f"AB{200000 + n}",
        "0612345678",
        "Fatima Zahra El Amrani",
        "F",
        "Casablanca-Settat",
        "non",
    ]


def mixed_rows() -> list[list]:
    """Two good rows and four bad ones, each bad in one documented way."""
    unknown_programme = good_row(3, programme="Programme inexistant")
    bad_cnie = good_row(4)
    bad_cnie[5] = "123-XYZ"
    no_description = good_row(5)
    no_description[4] = ""
    future = good_row(6)
    future[1] = (timezone.localtime() + timedelta(days=2)).strftime("%d/%m/%Y %H:%M")
    return [good_row(1), unknown_programme, bad_cnie, good_row(2), no_description, future]


# (row, column, message) the dry run must report for mixed_rows(): the header is row 1.
MIXED_ERRORS = [
    [3, "Programme", "Programme inconnu : indiquez son code ou son nom."],
    [4, "CNIE", "CNIE invalide : une ou deux lettres suivies de chiffres (ex. AB123456)."],
    [6, "Objet de la plainte", "Décrivez l'objet de la réclamation."],
    [7, "Date de mise en ligne", "La date ne peut pas être dans le futur."],
]


def csv_file(rows: list[list], *, header=CHIKAYA_HEADER, delimiter=";", bom=True, name="export chikaya.csv"):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") + text.getvalue()
    return SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list], *, header=CHIKAYA_HEADER, name="export.xlsx", formulas=()):
    """An XLSX workbook written by XlsxWriter: dates as real dates, numbers as numbers."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("Plaintes")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    for r, c, formula in formulas:
        sheet.write_formula(r, c, formula)
    workbook.close()
    return SimpleUploadedFile(
        name, output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def upload(client, upload_file, *, source="chikaya"):
    return client.post("/reclamations/imports/nouveau/", {"source": source, "file": upload_file})


def last_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rachid(db):
    """Agent at CNSS on AMO TADAMON."""
    return UserFactory(username="rachid", role=roles.AGENT, scopes=[("cnss", "amo-tadamon")])


@pytest.fixture
def agent_client(client, salma, media):
    client.force_login(salma)
    return client


def imported() -> list[Grievance]:
    return list(Grievance.objects.order_by("external_reference"))
