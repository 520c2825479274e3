"""CSV and XLSX downloads, shared by the grievance queues and the reports.

Two rules hold for every export:

- Nothing in a cell is ever run as a formula. Exported text comes from complainants and
  partners (names, descriptions, notes); a cell such as `=HYPERLINK("http://…")` would
  otherwise run in the spreadsheet of whoever opens the file (CSV/formula injection).
- The file opens correctly in Excel as the team uses it: UTF-8 with a BOM for CSV so that
  French accents and Arabic are not garbled, dates in Morocco's local time, and a sheet
  laid out right to left when the user works in Arabic.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

# Exports are read in Morocco: a date is written in Casablanca's time whoever downloads it.
EXPORT_TIMEZONE = ZoneInfo("Africa/Casablanca")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection).
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
_XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_XLSX_DATE_FORMAT = "yyyy-mm-dd"
# Column widths, in characters: wide enough for a reference or a date, never a wall of text.
_MIN_WIDTH, _MAX_WIDTH = 8, 60
# Excel refuses these in a sheet name, and names longer than 31 characters.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: Any) -> Any:
    """Defuse CSV/formula injection (OWASP): a text starting with = + - @ tab or CR gets a leading '.

    The quote makes the spreadsheet show the text as typed instead of evaluating it. Only
    strings are touched: numbers (negative ones included) and dates stay typed, since a
    number is never read as a formula.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def local_naive(moment: datetime) -> datetime:
    """The moment in Casablanca time, without tzinfo (what a spreadsheet cell can hold).

    A naive datetime is taken to be local already.
    """
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(EXPORT_TIMEZONE).replace(tzinfo=None)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_naive(value).strftime(_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float | Decimal):
        return value
    # Strings, lazy translations, model instances: exported as their text, defused.
    return neutralise(str(value))


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A CSV download, streamed row by row so that a large queue never sits in memory.

    Comma-separated (the csv module quotes what needs it), UTF-8 with a byte-order mark
    so that Excel recognises the encoding, every cell defused by `neutralise`, dates ISO
    and datetimes in Casablanca time as `YYYY-MM-DD HH:MM`.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[bytes]:
        yield "\ufeff".encode()
        yield writer.writerow([_csv_cell(cell) for cell in header]).encode()
        for row in rows:
            yield writer.writerow([_csv_cell(cell) for cell in row]).encode()

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def xlsx_sheet_name(title: str) -> str:
    """A text as an Excel sheet name: at most 31 characters, none of []:*?/\\.

    A slash reads as a dash (« Web / non web » → « Web - non web »); the other characters
    Excel refuses become spaces.
    """
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", re.sub(r"\s*/\s*", " - ", str(title)))
    title = title.strip().strip("'")[:31].strip()
    return title or "Export"


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


class XlsxCells:
    """Writes typed cells into one worksheet and keeps each column's width.

    Text is written with `write_string` after `neutralise`, so it is stored as a string
    whatever it starts with; numbers stay numbers, booleans booleans, and dates are real
    dates in Casablanca time.
    """

    def __init__(self, workbook, sheet):
        self.sheet = sheet
        self.widths: dict[int, int] = {}
        self.date_format = workbook.add_format({"num_format": _XLSX_DATE_FORMAT})
        self.datetime_format = workbook.add_format({"num_format": _XLSX_DATETIME_FORMAT})

    def row(self, number: int, cells: Sequence, cell_format=None) -> None:
        sheet = self.sheet
        for column, value in enumerate(cells):
            if value is None:
                continue
            self.widths[column] = max(self.widths.get(column, 0), _width(value))
            if isinstance(value, bool):
                sheet.write_boolean(number, column, value, cell_format)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(number, column, float(value), cell_format)
            elif isinstance(value, datetime):
                sheet.write_datetime(number, column, local_naive(value), cell_format or self.datetime_format)
            elif isinstance(value, date):
                sheet.write_datetime(number, column, value, cell_format or self.date_format)
            else:
                sheet.write_string(number, column, neutralise(str(value)), cell_format)

    def fit_columns(self) -> None:
        for column, width in self.widths.items():
            self.sheet.set_column(column, column, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))


def xlsx_response(*, filename: str, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """An XLSX download in which no cell can be a formula.

    Text is written with `write_string` after `neutralise`, so it is stored as a string
    whatever it starts with; numbers stay numbers and dates are real dates in Casablanca
    time. XlsxWriter runs in constant-memory mode, so the rows are flushed to disk as they
    come; the finished file (a zip cannot be sent before it is complete) is then streamed
    from an anonymous temporary file, which disappears when the response is closed. Bold,
    frozen header row; right-to-left sheet when the user works in Arabic.
    """
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by the FileResponse
    try:
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                "in_memory": False,
                # write_string never makes formulas or links; these guard any other write().
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": True,
            },
        )
        worksheet = workbook.add_worksheet(xlsx_sheet_name(sheet_title))
        if (get_language() or "").startswith("ar"):
            worksheet.right_to_left()
        cells = XlsxCells(workbook, worksheet)
        # Constant-memory mode writes rows in order: the header first, then the data.
        cells.row(0, header, workbook.add_format({"bold": True}))
        for row_number, row in enumerate(rows, start=1):
            cells.row(row_number, row)
        worksheet.freeze_panes(1, 0)
        cells.fit_columns()
        workbook.close()
        output.seek(0)
    except BaseException:
        output.close()
        raise
    response = FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    return response
