"""Project middleware."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from pmpp.error_pages import api_body_too_large_detail, api_error_response, render_plain_error
from pmpp.limits import format_size

# Room for the form fields that travel with the largest accepted file.
_FORM_FIELDS_ALLOWANCE = 1024 * 1024


class SessionRefreshMiddleware:
    """The idle timeout moves forward with the user's requests; the session is rewritten at
    most once every `REFRESH_SECONDS` for it.

    Saving the session on every request (`SESSION_SAVE_EVERY_REQUEST`) cost every page an
    UPDATE and a commit on the primary, about 3 ms at a million grievances. A session whose
    last refresh is older than a minute is marked modified, and Django's SessionMiddleware
    (which runs after this on the way out) writes it with a new expiry: the timeout is then
    `SESSION_COOKIE_AGE`, less at most a minute. A visitor without a session gets none.
    """

    REFRESH_SECONDS = 60
    KEY = "_refreshed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        has_session = session is not None and not session.is_empty()
        if has_session and int(time.time()) - session.get(self.KEY, 0) >= self.REFRESH_SECONDS:
            self.mark_refreshed(request=request)
        return response

    @classmethod
    def mark_refreshed(cls, *, request: HttpRequest, **_signal) -> None:
        """Also the receiver of `user_logged_in`: the session being created is new."""
        request.session[cls.KEY] = int(time.time())


class RequestSizeLimitMiddleware:
    """A request body larger than what its destination accepts is refused before it is read.

    The upload forms refuse an oversized file with a clear message, but only after Django has
    read the whole body to disk. A body announced as larger than `PMPP_MAX_UPLOAD_BYTES` plus
    the form fields' allowance is answered at once with a 413 page, before the session, CSRF
    or any view reads it. The API takes no file: its bodies are JSON, limited to
    `PMPP_API_MAX_BODY_BYTES`, and a larger one gets the API's JSON 413. (A front proxy should
    enforce the same limits on chunked bodies; past Django's own limit, the API's exception
    handler answers the same 413.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        api = request.path.startswith("/api/")
        limit = settings.PMPP_API_MAX_BODY_BYTES if api else settings.PMPP_MAX_UPLOAD_BYTES + _FORM_FIELDS_ALLOWANCE
        if announced <= limit:
            return self.get_response(request)
        if api:
            response = JsonResponse({"detail": api_body_too_large_detail(), "code": "too_large"}, status=413)
        else:
            message = _("Envoi trop volumineux : un fichier de %(limit)s au plus est accepté.") % {
                "limit": format_size(settings.PMPP_MAX_UPLOAD_BYTES)
            }
            page = render_plain_error(title=_("Envoi trop volumineux"), message=message)
            response = HttpResponse(page, status=413)
        add_never_cache_headers(response)
        return response


class ApiErrorsAsJsonMiddleware:
    """Every error answered under /api/ is JSON, with DEBUG on or off.

    The API's views write their own errors in JSON (api.exceptions). Some errors never reach
    them, and Django answers those in HTML — with DEBUG on, its debug pages: an address no
    route matches (404), a request refused before any view (a forged Host header: 400), an
    exception escaping a view (500). An integration reads JSON, and must not be shown a stack
    trace: such an answer is replaced here by {"detail", "code"} with the same status and
    headers (Allow, Retry-After, the security headers). Django has logged the exception first.
    """

    REPLACED_HEADERS = frozenset({"content-type", "content-length", "content-disposition"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        replacement = api_error_response(response.status_code)
        for header, value in response.items():
            if header.lower() not in self.REPLACED_HEADERS:
                replacement[header] = value
        replacement.cookies = response.cookies
        add_never_cache_headers(replacement)
        return replacement


class PrivateResponseMiddleware:
    """No page of this site is kept in a browser's or a proxy's cache, unless its view says so.

    Nearly every page shows personal data: grievance files, queues, search results, exports,
    API answers, the complainant's own case on the portal, the stakeholders' contacts. A
    shared computer's back button or a proxy must not replay them, so the rule fails closed:

    - a response to a signed-in user (session or API token) is always `no-store`, whatever the
      view set;
    - any other response is `no-store` unless its view chose its own Cache-Control (the public
      statistics page, aggregate counts only, is cacheable on purpose).

    Static files never reach this middleware (WhiteNoise answers them first): they are the
    same for everyone and are meant to be cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view ran: the API authenticates by token inside the view, and Django
        # REST framework then sets the user on this request too.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
