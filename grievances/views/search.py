"""Search and the complainant's page (issue 18): found in one step, back in one click, no one in the URL.

A search is typed into a form (the page's or the header's) and POSTed, so the CNIE, phone or
name never reaches a URL, a browser history or a server log. The answer is a 303 redirect:
to the file itself when the term is the reference or the tracking code of a file the user
may see, otherwise to a results page keyed by an opaque token. The term stays in the
session under that token, for this user and for `SEARCH_TTL`; a GET of the results page runs
the search again. Back and Forward therefore move between GET pages, and the browser never
asks to send a form again. Another user's token, or an expired one, reads as an expired
search: the empty form and a message, never an error and never the other user's term.

Both pages show personal data: each GET of them is written to the access log.
"""

import secrets
import time

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from grievances import forms as grievance_forms
from grievances.selectors import (
    COMPLAINANT_LIMIT,
    SEARCH_LIMIT,
    complainant_grievances,
    grievance_designated,
    grievance_get_for_user,
    grievance_search,
)
from grievances.tables import SearchResultTable
from pmpp import roles
from privacy.access import AccessChannel, record_views

# How long a results page can be opened again (Back, Forward, a reload) after its search.
SEARCH_TTL_SECONDS = 60 * 60
# The searches one session keeps; the oldest goes first. Their terms are personal data:
# they live in the session only, which signing out and `manage.py clearsessions` delete.
SEARCHES_KEPT = 20
_SESSION_KEY = "grievance_searches"


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the browser follows with a GET, and its history holds the GET, not the POST."""

    status_code = 303


def _may_search(user) -> None:
    """Only for those who read grievances: a search by CNIE or name is a read of a person's files."""
    if not roles.role_grants(user, "grievances.view_grievance"):
        raise PermissionDenied


def _remember(request: HttpRequest, term: str) -> str:
    """Keep the term in the session under a new opaque token; the token goes in the URL."""
    now = time.time()
    kept = {
        token: entry
        for token, entry in request.session.get(_SESSION_KEY, {}).items()
        if entry.get("expires", 0) > now and entry.get("user") == request.user.pk
    }
    for token in sorted(kept, key=lambda t: kept[t]["expires"])[: max(0, len(kept) - SEARCHES_KEPT + 1)]:
        del kept[token]
    token = secrets.token_urlsafe(18)
    kept[token] = {"term": term, "user": request.user.pk, "expires": now + SEARCH_TTL_SECONDS}
    request.session[_SESSION_KEY] = kept
    return token


def _recall(request: HttpRequest, token: str) -> str | None:
    """The term of this user's search `token`, or None if it expired or is not theirs."""
    entry = request.session.get(_SESSION_KEY, {}).get(token)
    if not entry or entry.get("user") != request.user.pk or entry.get("expires", 0) <= time.time():
        return None
    return entry["term"]


def _page(request: HttpRequest, *, form, term: str | None = None, expired: bool = False) -> HttpResponse:
    results, more = None, False
    if term is not None:
        rows, more = grievance_search(user=request.user, term=term, limit=SEARCH_LIMIT)
        results = SearchResultTable(rows)
        # A search by CNIE, phone or name tells which grievances a person has: a read of each.
        record_views(request.user, channel=AccessChannel.SEARCH, grievances=rows, where="grievances:search_results")
    return render(
        request,
        "grievances/search.html",
        {"form": form, "results": results, "more": more, "limit": SEARCH_LIMIT, "expired": expired},
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search form (GET), and a search (POST): to the file it names, else to its results."""
    _may_search(request.user)
    if request.method != "POST":
        return _page(request, form=grievance_forms.SearchForm())
    form = grievance_forms.SearchForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form)
    term = form.cleaned_data["q"]
    designated = grievance_designated(user=request.user, term=term)
    if designated is not None:
        return HttpResponseSeeOther(reverse("grievances:detail", args=[designated.pk]))
    token = _remember(request, term)
    return HttpResponseSeeOther(reverse("grievances:search_results", args=[token]))


@login_required
@require_GET
def search_results(request: HttpRequest, token: str) -> HttpResponse:
    """A search's results, run again on every GET (Back, Forward, reload) while its token lives."""
    _may_search(request.user)
    term = _recall(request, token)
    if term is None:
        return _page(request, form=grievance_forms.SearchForm(), expired=True)
    return _page(request, form=grievance_forms.SearchForm(initial={"q": term}), term=term)


@login_required
@require_GET
def complainant(request: HttpRequest, pk: int) -> HttpResponse:
    """Every grievance of the person who filed grievance `pk` that the reader may see.

    Addressed by the grievance it is opened from, never by the CNIE or the phone it looks
    up; the file must be one the reader sees (404 otherwise, as for the file itself).
    """
    _may_search(request.user)
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    rows, more = complainant_grievances(user=request.user, grievance=grievance, limit=COMPLAINANT_LIMIT)
    record_views(request.user, channel=AccessChannel.PAGE, grievances=rows, where="grievances:complainant")
    return render(
        request,
        "grievances/complainant.html",
        {
            "grievance": grievance,
            "table": SearchResultTable(rows, show_others=False),
            "count": len(rows),
            "more": more,
            "limit": COMPLAINANT_LIMIT,
        },
    )
