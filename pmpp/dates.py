"""Dates as every form shows them: dd/mm/yyyy and dd/mm/yyyy hh:mm, on French and Arabic pages.

A browser renders `<input type="date">` in its own locale: mm/dd/yyyy on an American
Chromium, whatever the language of the page. Date fields are therefore plain text inputs
that show and accept day/month/year in both languages; static/js/date-field.js adds a
picker that follows the page's language and direction, and nothing needs it.

What a reader may type, and the server reads:
- dd/mm/yyyy (dd/mm/yyyy hh:mm for a date and time), in Latin digits, Arabic-Indic digits
  (٠١٢…, what Arabic keyboards type) or Eastern Arabic-Indic ones (۰۱۲…);
- yyyy-mm-dd (ISO), which the dashboard's export links, the queue filters' old bookmarks
  and the API's callers use.
Nothing else: the day comes first, never the month, in every language (Django's default
formats for Arabic would read 05/03/2026 as the 3rd of May).

The same formats are the site's input formats (pmpp/formats/), so the admin's date widgets
show dd/mm/yyyy on Arabic pages too.
"""

import re
from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_INPUT_FORMATS = [DATE_FORMAT, "%Y-%m-%d"]
# A date and time needs its time: a bare date would silently mean midnight.
DATETIME_INPUT_FORMATS = [
    DATETIME_FORMAT,
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
]

ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
EASTERN_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹"
_TO_LATIN = str.maketrans(ARABIC_INDIC + EASTERN_ARABIC_INDIC, "0123456789" * 2)
# Direction marks a date copied from an Arabic page carries (LRM, RLM, ALM, embeddings,
# isolates), and the Arabic date separator some keyboards type for « / ».
_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_SLASHES = str.maketrans({"\u060d": "/", "\u2044": "/", "\u2215": "/"})
_SPACES = re.compile(r"\s+")

DATE_INVALID = _("Saisissez la date au format jj/mm/aaaa, par exemple 05/03/2026.")
DATETIME_INVALID = _("Saisissez la date et l'heure au format jj/mm/aaaa hh:mm, par exemple 05/03/2026 14:30.")


def latin_digits(text: str) -> str:
    """`text` with Latin digits, no direction marks, single spaces and « / » for other slashes."""
    text = _MARKS.sub("", text.translate(_TO_LATIN)).translate(_SLASHES)
    return _SPACES.sub(" ", text).strip()


def _parse(text: str, formats: list[str]) -> datetime | None:
    text = latin_digits(text)
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)  # naive: the form field makes it aware
        except ValueError:
            continue
    return None


def parse_date(text: str) -> date | None:
    """The date `text` shows (dd/mm/yyyy or ISO, any digits), None when it shows none."""
    parsed = _parse(text, DATE_INPUT_FORMATS)
    return parsed.date() if parsed else None


def parse_datetime(text: str) -> datetime | None:
    """The naive date and time `text` shows (dd/mm/yyyy hh:mm or ISO, any digits), or None."""
    return _parse(text, DATETIME_INPUT_FORMATS)


# --- widgets -----------------------------------------------------------------------------------------------


def _picker_labels() -> dict:
    # Read by static/js/date-field.js; lazy strings, translated when the widget renders.
    return {
        "data-label-open": _("Choisir dans un calendrier"),
        "data-label-previous-month": _("Mois précédent"),
        "data-label-next-month": _("Mois suivant"),
        "data-label-previous-year": _("Année précédente"),
        "data-label-next-year": _("Année suivante"),
        "data-label-close": _("Fermer le calendrier"),
    }


class DateInput(forms.DateInput):
    """A text input showing dd/mm/yyyy in every language; the picker comes from date-field.js."""

    input_type = "text"
    kind = "date"
    display_format = DATE_FORMAT
    placeholder = _("jj/mm/aaaa")

    def __init__(self, attrs=None, format=None):
        # One format whatever the caller asks: the server reads nothing else back.
        super().__init__(attrs, format=self.display_format)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", self.placeholder)
        # Digits and separators read left to right on Arabic pages too (the CSS aligns them right).
        widget_attrs.setdefault("dir", "ltr")
        widget_attrs.setdefault("autocomplete", "off")
        widget_attrs["data-date-field"] = self.kind
        for key, label in _picker_labels().items():
            widget_attrs.setdefault(key, label)
        return context

    def parse(self, text: str):
        return parse_date(text)

    def format_value(self, value):
        # Submitted text comes back as typed when it shows no date (so that it can be corrected),
        # and as dd/mm/yyyy when it does (an ISO date from a link, Arabic-Indic digits).
        if isinstance(value, str):
            parsed = self.parse(value)
            return parsed.strftime(self.display_format) if parsed else value
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return latin_digits(value) if isinstance(value, str) else value


class DateTimeInput(DateInput):
    """A text input showing dd/mm/yyyy hh:mm in every language."""

    kind = "datetime"
    display_format = DATETIME_FORMAT
    placeholder = _("jj/mm/aaaa hh:mm")
    format_key = "DATETIME_INPUT_FORMATS"

    def parse(self, text: str):
        return parse_datetime(text)


def use_local_dates(fields) -> None:
    """Give every date and date-time field among `fields` the shared widget, formats and error.

    Called by `BootstrapMixin` and the filter sets, so that a field declared anywhere (a model
    form's DateField, a django-filter DateFilter) reads and shows dates the same way.
    """
    for field in fields:
        if isinstance(field, forms.SplitDateTimeField):
            continue
        if isinstance(field, forms.DateTimeField):
            widget_class, input_formats, message = DateTimeInput, DATETIME_INPUT_FORMATS, DATETIME_INVALID
        elif isinstance(field, forms.DateField):
            widget_class, input_formats, message = DateInput, DATE_INPUT_FORMATS, DATE_INVALID
        else:
            continue
        if type(field.widget) is not widget_class:
            widget = widget_class(attrs=field.widget.attrs)
            widget.is_required = field.widget.is_required
            field.widget = widget
        field.input_formats = input_formats
        field.error_messages["invalid"] = message
