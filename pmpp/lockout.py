"""Failed sign-ins slow down guessing: per account and address, and per address (django-axes).

Two limits within the cool-off (`AXES_COOLOFF_MINUTES`, counted from the latest failure):

- `AXES_FAILURE_LIMIT` failures for one username from one address lock that pair: someone
  guessing one account's password. The same person elsewhere can still sign in.
- `AXES_ADDRESS_FAILURE_LIMIT` failures from one address, whatever the usernames, lock the
  address: password spraying, a few common passwords tried on many accounts, stays under
  the first limit on each of them. While it lasts even a right password is refused there.

Axes checks all its lockout parameters against its one limit, so the address rule lives in
this handler; `AXES_LOCKOUT_PARAMETERS` keeps the pair alone, which is also what a successful
sign-in resets: the user's own failures are forgiven, not the ones made on other accounts.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The pair's failures, or the failure limit itself when the address's limit is reached.

        Axes compares this number with `AXES_FAILURE_LIMIT`, before a sign-in is tried and
        after each failure; both sums come from one query.
        """
        address = request.axes_ip_address
        pair = Q(username=get_client_username(request, credentials))
        totals = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(
            by_address=Sum("failures_since_start", default=0),
            by_pair=Sum("failures_since_start", filter=pair, default=0),
        )
        if totals["by_address"] >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(totals["by_pair"], get_failure_limit(request, credentials))
        return totals["by_pair"]


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The lockout page, 429 Too Many Requests, saying how long to wait (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    response = render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
