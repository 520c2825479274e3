"""Test-only URLconf: the attachment routes in the `grievances` namespace, and a stand-in detail page.

The real `grievances/urls.py` adds the same patterns to its own; this file lets the
attachment tests run whatever state that module is in. The `grievances` namespace comes
first so that it wins should `pmpp.urls` also define one.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from grievances.urls_attachments import urlpatterns as attachment_patterns


def _detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("ok")


_grievance_patterns = [path("reclamations/<int:pk>/", _detail, name="detail"), *attachment_patterns]

urlpatterns = [
    path("", include((_grievance_patterns, "grievances"))),
    path("", include("pmpp.urls")),
]
