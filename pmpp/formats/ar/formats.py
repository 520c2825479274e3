# Day first, in both languages, as every form shows it (see pmpp/dates.py); the rest of the
# locale's formats are Django's.
from pmpp.dates import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]
