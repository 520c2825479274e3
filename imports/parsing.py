"""Reading an uploaded CSV or XLSX file as rows of text, without ever running a formula.

The type is decided by the content, not the name: an XLSX file is a zip archive holding
`xl/workbook.xml`; a CSV file is UTF-8 text (with or without a byte-order mark) with no NUL
byte. Anything else is refused. CSV files may be separated by `;` (Excel in French) or `,`.
XLSX files are read with openpyxl in read-only mode, row by row; a cell holding a formula is
reported as an error of that row, never evaluated.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FORMULA = object()  # marker for a cell that holds a formula
_HEAD_BYTES = 64 * 1024
# An XLSX file is compressed XML, about ten times smaller than its content. A real export
# never unpacks to more than this many times the largest accepted upload; a "zip bomb"
# (a small file that unpacks to gigabytes) does. The sizes are those the archive declares,
# which also bound what zipfile will ever decompress.
XLSX_MAX_EXPANSION = 40


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, Any]  # column header → value (str, number, date, datetime or FORMULA)


def detect_format(stream: IO[bytes]) -> str:
    """'csv' or 'xlsx', from the content; ValidationError on `file` otherwise."""
    stream.seek(0)
    head = stream.read(_HEAD_BYTES)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
                unpacked = sum(entry.file_size for entry in archive.infolist())
        except zipfile.BadZipFile:
            names, unpacked = set(), 0
        finally:
            stream.seek(0)
        if "xl/workbook.xml" in names:
            if unpacked > XLSX_MAX_EXPANSION * settings.PMPP_MAX_UPLOAD_BYTES:
                raise ValidationError(
                    {"file": _("Le fichier XLSX décompressé est anormalement volumineux : il est refusé.")}
                )
            return "xlsx"
        raise ValidationError({"file": _("Type de fichier non accepté : CSV ou XLSX uniquement.")})
    if not head.strip() or b"\x00" in head:
        raise ValidationError({"file": _("Type de fichier non accepté : CSV ou XLSX uniquement.")})
    try:
        # The head may cut a multi-byte character in two: ignore an incomplete last one.
        head.decode("utf-8-sig") if len(head) < _HEAD_BYTES else head[:-4].decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {"file": _("Le fichier CSV doit être encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »).")}
        ) from error
    return "csv"


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _clean_header(value: Any) -> str:
    return " ".join(str(value or "").split())


def read_rows(stream: IO[bytes], file_format: str) -> Iterator[Row]:
    """Every data row of the file (blank rows skipped), with its header row mapped."""
    stream.seek(0)
    if file_format == "xlsx":
        yield from _xlsx_rows(stream)
    else:
        yield from _csv_rows(stream)


def header_of(stream: IO[bytes], file_format: str) -> list[str]:
    stream.seek(0)
    if file_format == "xlsx":
        workbook = _open_workbook(stream)
        try:
            for cells in workbook.worksheets[0].iter_rows(max_row=1):
                return [_clean_header(cell.value) for cell in cells]
            return []
        finally:
            workbook.close()
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first_line = text.readline()
        return [_clean_header(h) for h in next(csv.reader([first_line], delimiter=_delimiter(first_line)), [])]
    except UnicodeDecodeError as error:
        raise ValidationError({"file": _("Le fichier CSV doit être encodé en UTF-8.")}) from error
    finally:
        text.detach()


def count_rows(stream: IO[bytes], file_format: str) -> int:
    return sum(1 for _row in read_rows(stream, file_format))


def _csv_rows(stream: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first_line = text.readline()
        delimiter = _delimiter(first_line)
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        header = [_clean_header(h) for h in next(reader, [])]
        # Numbered by record, as a spreadsheet shows the file: a description spanning several
        # lines is still one row, a blank line is still a row.
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield Row(number=number, values=dict(zip(header, cells, strict=False)))
    except UnicodeDecodeError as error:
        raise ValidationError({"file": _("Le fichier CSV doit être encodé en UTF-8.")}) from error
    finally:
        text.detach()


def _open_workbook(stream: IO[bytes]):
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula comes back as its text (data_type "f") and is refused,
        # never evaluated nor trusted through a cached result.
        return load_workbook(stream, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged archive
        raise ValidationError({"file": _("Le fichier XLSX est illisible ou endommagé.")}) from error


def _cell_value(cell) -> Any:
    if getattr(cell, "data_type", None) == "f":
        return FORMULA
    value = cell.value
    if isinstance(value, datetime | date | int | float):
        return value
    return "" if value is None else str(value)


def _xlsx_rows(stream: IO[bytes]) -> Iterator[Row]:
    workbook = _open_workbook(stream)
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        number = 0
        for cells in sheet.iter_rows():
            # Row numbers as the spreadsheet shows them (empty cells carry none: count on).
            number = next((cell.row for cell in cells if getattr(cell, "row", None)), number + 1)
            if header is None:
                header = [_clean_header(cell.value) for cell in cells]
                continue
            values = [_cell_value(cell) for cell in cells]
            if not any(v is FORMULA or (v not in ("", None) and str(v).strip()) for v in values):
                continue
            yield Row(number=number, values=dict(zip(header, values, strict=False)))
    finally:
        workbook.close()
