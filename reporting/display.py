"""How the cells of the semester report's tables are written for a reader (page and PDF alike)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def cell(value) -> tuple[str, bool]:
    """(text, is_number) of a table cell, in the active language."""
    if value is None or value == "":
        return "—", False
    if isinstance(value, bool):
        return (_("Oui") if value else _("Non")), False
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True), True
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1), True
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return formats.number_format(value, decimal_pos=places, force_grouping=True), True
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i"), False
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y"), False
    return str(value), False


def displayed(tables) -> list[dict]:
    """Each table with its rows as (text, is_number) cells."""
    return [{"table": table, "rows": [[cell(value) for value in row] for row in table.rows]} for table in tables]
