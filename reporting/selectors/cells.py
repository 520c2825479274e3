"""The cells of the semester report's tables: a table, and how a frozen value reads in the reader's language."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from pmpp.languages import active_language


@dataclass(frozen=True)
class ReportTable:
    """One block of the report: a title, a header and typed cells (numbers, Decimals, dates, text)."""

    key: str
    title: str
    sheet: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


def text(value) -> str | None:
    """A name as the report froze it: names by language (schema 2), or a French text (schema 1)."""
    if isinstance(value, dict):
        return value.get(active_language()) or value.get("fr")
    return value


def amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def day(value) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def moment(value: str | None) -> datetime | None:
    """A datetime of the report data (ISO string with its offset)."""
    return datetime.fromisoformat(value) if value else None


def choice(choices, value) -> str:
    if value is None:
        return _("Non renseigné")
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def month_label(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return date_format(date(year, month, 1), "F Y").capitalize()
