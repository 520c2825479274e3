"""Error pages rendered without the request: no navigation, no user, no database read."""

from django.template.loader import render_to_string
from django.templatetags.static import static


def _stylesheet() -> str:
    """The page's stylesheet, or none: an error page must not fail on a missing manifest entry."""
    try:
        return static("vendor/bootstrap/css/bootstrap.min.css")
    except ValueError:
        return ""


def render_plain_error(*, title: str, message: str) -> str:
    """The HTML of a page saying `title` and `message`, in the active language."""
    # Without the request: the context processors would read the session and the database.
    return render_to_string("plain_error.html", {"title": title, "message": message, "stylesheet": _stylesheet()})
