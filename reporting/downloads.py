"""Downloads of a report made of several tables: CSV with one block per table, XLSX with one sheet each.

Same rules as `pmpp.exports` (whose `neutralise` and `csv_response` they reuse): no cell is
ever run as a formula, CSV is UTF-8 with a BOM, numbers stay numbers and dates stay dates,
a sheet reads right to left when the user works in Arabic. `pmpp.exports.xlsx_response`
writes a single sheet, hence the small workbook writer here.
"""

import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from pmpp.exports import XLSX_CONTENT_TYPE, csv_response, local_naive, neutralise

_MIN_WIDTH, _MAX_WIDTH = 8, 60
_FORBIDDEN_IN_SHEET_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def tables_csv_response(*, filename: str, title: str, tables: Sequence) -> StreamingHttpResponse:
    """One CSV: the title, then each table as its title line, its header and its rows, then a blank line."""

    def rows() -> Iterator[Sequence]:
        yield []
        for table in tables:
            yield [table.title]
            yield table.header
            yield from table.rows
            if table.note:
                yield [table.note]
            yield []

    return csv_response(filename=filename, header=[title], rows=rows())


def _sheet_names(tables: Sequence) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique whatever the case."""
    names, seen = [], set()
    for table in tables:
        base = str(table.sheet).translate(_FORBIDDEN_IN_SHEET_TITLE).strip().strip("'")[:31].strip() or "Feuille"
        name, number = base, 2
        while name.lower() in seen:
            suffix = f" ({number})"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        seen.add(name.lower())
        names.append(name)
    return names


# Tables drawn as native Excel charts next to their figures: key → chart type, whichever report
# the table belongs to. The first column holds the labels and the second the figure drawn: the
# requests received in a breakdown (selectors._grievance_header, dashboard.FIGURES), the treated
# requests in the dashboard's deadline table, the overdue ones in its backlog table.
NATIVE_CHARTS = {
    "grievances-by-month": "column",
    "grievances-by-programme": "bar",
    "grievances-by-category": "bar",
    "grievances-by-channel-group": "pie",
    # Only the dashboard has these tables.
    "grievances-by-channel": "column",
    "grievances-sla": "pie",
    "grievances-overdue": "bar",
}


def _add_native_chart(workbook, sheet, *, sheet_name: str, table) -> None:
    kind = NATIVE_CHARTS.get(table.key)
    if kind is None or not table.rows:
        return
    first, last = 3, 3 + len(table.rows) - 1
    chart = workbook.add_chart({"type": kind})
    chart.add_series(
        {
            "name": str(table.header[1]),
            "categories": [sheet_name, first, 0, last, 0],
            "values": [sheet_name, first, 1, last, 1],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": str(table.title)})
    chart.set_legend({"none": kind != "pie"})
    sheet.insert_chart(first, len(table.header) + 1, chart, {"x_scale": 1.3, "y_scale": 1.2})


def tables_xlsx_response(*, filename: str, title: str, tables: Sequence) -> HttpResponse:
    """One workbook, one sheet per table: its title in bold, then its header (bold, frozen) and rows."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            # write_string never makes formulas or links; these guard any other write().
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    bold = workbook.add_format({"bold": True})
    title_format = workbook.add_format({"bold": True, "font_size": 13})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    wrapped = workbook.add_format({"text_wrap": True, "italic": True})
    rtl = (get_language() or "").startswith("ar")

    for table, sheet_name in zip(tables, _sheet_names(tables), strict=True):
        sheet = workbook.add_worksheet(sheet_name)
        if rtl:
            sheet.right_to_left()
        widths: dict[int, int] = {}

        def write_row(row: int, cells: Sequence, cell_format=None, *, sheet=sheet, widths=widths) -> None:
            for column, value in enumerate(cells):
                if value is None:
                    continue
                text = str(value)
                widths[column] = max(widths.get(column, 0), max((len(line) for line in text.splitlines()), default=0))
                if isinstance(value, bool):
                    sheet.write_boolean(row, column, value, cell_format)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(row, column, float(value), cell_format)
                elif isinstance(value, datetime):
                    sheet.write_datetime(row, column, local_naive(value), cell_format or datetime_format)
                elif isinstance(value, date):
                    sheet.write_datetime(row, column, value, cell_format or date_format)
                else:
                    sheet.write_string(row, column, neutralise(text), cell_format)

        sheet.write_string(0, 0, neutralise(f"{title} — {table.title}"), title_format)
        write_row(2, table.header, bold)
        for number, cells in enumerate(table.rows, start=3):
            write_row(number, cells)
        if table.note:
            sheet.write_string(len(table.rows) + 4, 0, neutralise(str(table.note)), wrapped)
        sheet.freeze_panes(3, 1)
        _add_native_chart(workbook, sheet, sheet_name=sheet_name, table=table)
        for column, width in widths.items():
            sheet.set_column(column, column, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))
    workbook.close()

    response = HttpResponse(output.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
