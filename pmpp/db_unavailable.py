"""A database that cannot be reached gives a 503 page, not a server error with a stack trace.

The database can go away in the middle of a request (a failover, a restart, a connection
cut by the server): the request's transaction then never commits, so nothing of it is
saved, and the user is told to try again in a moment. The broken connection is discarded
when the request ends (Django's `close_old_connections`), so the next one reconnects. The page and its log line carry no
personal data: no form data, no query parameters, no exception text.

One moment is different: the connection lost during the COMMIT itself, or after it (a
commit hook, the session written after the view). The database may then have saved the
request although its acknowledgement never came back — a load test counted one grievance
more than its 201 answers, one of its 503s having committed. The answer must not say that
nothing was saved: it says the outcome is unknown and how to retry without a duplicate (the
API's Idempotency-Key, the public form's one-time token).
"""

import logging
import sys
import traceback

from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from pmpp.error_pages import render_plain_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# Django's code that runs the COMMIT and, once it is done, the on_commit hooks.
_COMMIT_CODE = frozenset(
    {BaseDatabaseWrapper._commit.__code__, BaseDatabaseWrapper.run_and_clear_commit_hooks.__code__}
)


def is_database_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def lost_at_or_after_commit(exception: BaseException) -> bool:
    """True when the connection failed in the COMMIT or after it: the request may be saved."""
    return any(frame.f_code in _COMMIT_CODE for frame, _line in traceback.walk_tb(exception.__traceback__))


def _message(request: HttpRequest, *, outcome_unknown: bool) -> tuple[str, str]:
    """(message, code) of the answer: the API's, the public form's or the back office's."""
    api = request.path.startswith("/api/")
    if not outcome_unknown:
        message = _("Le service est momentanément indisponible. Rien n'a été enregistré : réessayez dans un instant.")
        return message, "unavailable"
    if api:
        message = _(
            "Le service est momentanément indisponible et n'a pas pu confirmer l'enregistrement : il a peut-être "
            "eu lieu. Réessayez dans un instant avec la même clé d'idempotence (Idempotency-Key) : une réclamation "
            "déjà enregistrée vous sera renvoyée, jamais enregistrée deux fois."
        )
    elif getattr(request.resolver_match, "app_name", "") == "portal":
        message = _(
            "Le service est momentanément indisponible et n'a pas pu confirmer l'envoi : il a peut-être été "
            "enregistré. Dans un instant, rechargez cette page et confirmez le nouvel envoi : si votre réclamation "
            "a déjà été enregistrée, vous retrouverez son reçu, sans doublon."
        )
    else:
        message = _(
            "Le service est momentanément indisponible et n'a pas pu confirmer l'enregistrement : il a peut-être "
            "eu lieu. Dans un instant, vérifiez-le avant de saisir à nouveau."
        )
    return message, "outcome_unknown"


def unavailable_response(request: HttpRequest, exception: BaseException, *, outcome_unknown: bool) -> HttpResponse:
    """The 503 answer to a lost database: a page, or JSON under /api/."""
    # The exception's text may quote a query; its type and the route are enough to act on.
    logger.error(
        "Database unavailable (%s) during %s %s%s",
        type(exception).__name__,
        request.method,
        request.path,
        " at or after the commit" if outcome_unknown else "",
    )
    message, code = _message(request, outcome_unknown=outcome_unknown)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": code}, status=503)
    else:
        page = render_plain_error(title=_("Service momentanément indisponible"), message=message)
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        return unavailable_response(request, exception, outcome_unknown=lost_at_or_after_commit(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database lost outside a view is a 503 too, whose outcome is unknown.

    The middleware above sees the exceptions of views. One raised by a middleware — the
    session written after the view, the receipt of a complaint just recorded in it — reaches
    Django's 500 handler instead: the view ran, and may have committed.
    """
    exception = sys.exception()
    if is_database_outage(exception):
        return unavailable_response(request, exception, outcome_unknown=True)
    return defaults.server_error(request)
