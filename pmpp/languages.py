"""The back office's two languages: French, the reference, and Arabic, written right to left."""

from django.utils.translation import get_language


def active_language() -> str:
    """« ar » when Arabic is active, else « fr »: the key of a name frozen in both languages."""
    return "ar" if (get_language() or "").startswith("ar") else "fr"


def is_right_to_left() -> bool:
    return active_language() == "ar"
