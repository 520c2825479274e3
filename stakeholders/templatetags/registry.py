"""Template filters of the registry screens: amounts in MAD and percentages."""

from decimal import Decimal

from django import template
from django.utils import formats, numberformat

register = template.Library()


@register.filter
def mad(value) -> str:
    """943830.5 → « 943 830,50 »: two decimals, thousands always grouped by three.

    Grouping is forced because budgets are read line against line; the separators are
    those of the user's language.
    """
    if value is None or value == "":
        return "—"
    return numberformat.format(
        Decimal(value),
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=2,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


@register.filter
def percent(value) -> str:
    """12.5 → « 12,5 % »; nothing to divide by → « — »."""
    if value is None:
        return "—"
    return f"{formats.number_format(value, decimal_pos=1)}\xa0%"
