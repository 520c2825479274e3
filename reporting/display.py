"""How the cells of the semester report's tables are written for a reader (page and PDF alike)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reporting.metrics import Rate


def cell(value, *, places: int = 1) -> tuple[str, bool]:
    """(text, is_number) of a table cell, in the active language; a mean, a median or a rate
    to `places` decimals (1 on a page, 2 in a download: docs/metrics.md), a rate with its
    numerator and denominator."""
    if value is None or value == "":
        return "—", False
    if isinstance(value, bool):
        return (_("Oui") if value else _("Non")), False
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True), True
    if isinstance(value, Rate):
        return rate_text(value, places=places), True
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=places), True
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return formats.number_format(value, decimal_pos=places, force_grouping=True), True
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i"), False
    if isinstance(value, date):
        return formats.date_format(value, "d/m/Y"), False
    return str(value), False


def rate_text(value: Rate, *, places: int = 1) -> str:
    """« 95,0 % (19 / 20) »: the rate and what it divides."""
    share = formats.number_format(float(value), decimal_pos=places)
    numerator = formats.number_format(value.numerator, force_grouping=True)
    denominator = formats.number_format(value.denominator, force_grouping=True)
    return f"{share} % ({numerator} / {denominator})"


def displayed(tables, *, places: int = 1) -> list[dict]:
    """Each table with its rows as (text, is_number) cells."""
    return [
        {"table": table, "rows": [[cell(value, places=places) for value in row] for row in table.rows]}
        for table in tables
    ]
