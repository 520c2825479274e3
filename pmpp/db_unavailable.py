"""A database that cannot be reached gives a 503 page, not a server error with a stack trace.

The database can go away in the middle of a request (a failover, a restart, a connection
cut by the server): the request's transaction then never commits, so nothing of it is
saved, and the user is told to try again in a moment. The broken connection is discarded
when the request ends (Django's `close_old_connections`), so the next one reconnects. The page and its log line carry no
personal data: no form data, no query parameters, no exception text.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from pmpp.error_pages import render_plain_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # The exception's text may quote a query; its type and the route are enough to act on.
        logger.error("Database unavailable (%s) during %s %s", type(exception).__name__, request.method, request.path)
        message = _("Le service est momentanément indisponible. Rien n'a été enregistré : réessayez dans un instant.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "code": "unavailable"}, status=503)
        else:
            page = render_plain_error(title=_("Service momentanément indisponible"), message=message)
            response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
