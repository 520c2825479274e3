"""Error answers that need nothing of the request: no navigation, no user, no database read.

Pages for people (`render_plain_error`), and for the API one JSON shape, {"detail", "code"},
whatever refused the request: the size limit, Django before any view, or an exception.
"""

from django.conf import settings
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmpp.limits import format_size

# The answer to an API error that no view wrote: its code, and what the integration should do.
_API_ERRORS = {
    400: ("bad_request", gettext_lazy("Requête invalide : elle n'a pas pu être lue.")),
    403: ("forbidden", gettext_lazy("Action non autorisée.")),
    404: ("not_found", gettext_lazy("Adresse inconnue de l'API : vérifiez le chemin (ex. /api/v1/grievances/).")),
    405: ("method_not_allowed", gettext_lazy("Méthode non autorisée pour cette adresse.")),
    413: ("too_large", gettext_lazy("Requête trop volumineuse.")),
    500: (
        "server_error",
        gettext_lazy("Erreur interne du serveur, consignée. Réessayez plus tard ou contactez l'équipe technique."),
    ),
}


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


def api_body_too_large_detail() -> str:
    """Why an API request body was refused, with the limit (PMPP_API_MAX_BODY_KB)."""
    return _("Requête trop volumineuse : l'API accepte un corps de %(limit)s au plus.") % {
        "limit": format_size(settings.PMPP_API_MAX_BODY_BYTES)
    }


def api_error_response(status: int) -> JsonResponse:
    """The API's JSON answer for an error of this status that no view described."""
    if status in _API_ERRORS:
        code, detail = _API_ERRORS[status]
    elif status < 500:
        code, detail = "error", _("Requête refusée (erreur %(status)s).") % {"status": status}
    else:
        detail = _("Le service n'a pas pu répondre (erreur %(status)s) : réessayez plus tard.")
        code, detail = "server_error", detail % {"status": status}
    return JsonResponse({"detail": str(detail), "code": code}, status=status)
