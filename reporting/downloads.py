"""Downloads of a report made of several tables: CSV with one block per table, XLSX with one sheet each.

Same rules as `pmpp.exports` (whose `neutralise` and `csv_response` they reuse): no cell is
ever run as a formula, CSV is UTF-8 with a BOM, numbers stay numbers and dates stay dates,
a sheet reads right to left when the user works in Arabic. `pmpp.exports.xlsx_response`
writes a single sheet, hence the small workbook writer here.
"""

import io
from collections.abc import Iterator, Sequence

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from pmpp.exports import XLSX_CONTENT_TYPE, XlsxCells, csv_response, neutralise, xlsx_sheet_name
from pmpp.languages import is_right_to_left


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
    """Excel's rules (`xlsx_sheet_name`), and unique whatever the case."""
    names, seen = [], set()
    for table in tables:
        base = xlsx_sheet_name(table.sheet)
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
    wrapped = workbook.add_format({"text_wrap": True, "italic": True})
    rtl = is_right_to_left()

    for table, sheet_name in zip(tables, _sheet_names(tables), strict=True):
        sheet = workbook.add_worksheet(sheet_name)
        if rtl:
            sheet.right_to_left()
        cells = XlsxCells(workbook, sheet)
        sheet.write_string(0, 0, neutralise(f"{title} — {table.title}"), title_format)
        cells.row(2, table.header, bold)
        for number, row in enumerate(table.rows, start=3):
            cells.row(number, row)
        if table.note:
            sheet.write_string(len(table.rows) + 4, 0, neutralise(str(table.note)), wrapped)
        sheet.freeze_panes(3, 1)
        _add_native_chart(workbook, sheet, sheet_name=sheet_name, table=table)
        cells.fit_columns()
    workbook.close()

    response = HttpResponse(output.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
