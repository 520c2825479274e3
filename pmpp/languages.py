"""The back office's two languages: French, the reference, and Arabic, written right to left."""

from django.utils.translation import get_language, gettext_noop

# Django 6.1 puts « - Select an option - » before the choices of a select without a default, and
# its Arabic catalogue does not have it: Django then falls back to LANGUAGE_CODE, French, on
# Arabic pages. Named here so `make messages` puts it in our catalogues, which come first.
gettext_noop("- Select an option -")


def active_language() -> str:
    """« ar » when Arabic is active, else « fr »: the key of a name frozen in both languages."""
    return "ar" if (get_language() or "").startswith("ar") else "fr"


def is_right_to_left() -> bool:
    return active_language() == "ar"
