"""Public statistics (SPEC §6): aggregate counts per programme and quarter, no login.

Only counts, never free text; any count below PMPP_PUBLIC_SMALL_CELL (5 by default) is
shown as « <5 » so that no complainant can be singled out. Sensitive GBV/SEA/SH cases and
duplicates are never counted. The page can be switched off (PMPP_PUBLIC_STATISTICS=0).
"""

from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from grievances.models import Grievance
from pmpp.db_routers import reporting_reads
from pmpp.models import Programme

S = Grievance.Status
QUARTERS_SHOWN = 4


def _last_quarters(today: date, count: int) -> list[tuple[int, int]]:
    year, quarter = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _ in range(count):
        quarters.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return list(reversed(quarters))


def suppress(value: int, *, threshold: int) -> int | str:
    return f"<{threshold}" if 0 < value < threshold else value


def public_statistics_table(*, today: date | None = None) -> dict:
    """Counts per programme and quarter for the last four quarters, small cells suppressed."""
    threshold = settings.PMPP_PUBLIC_SMALL_CELL
    quarters = _last_quarters(today or timezone.localdate(), QUARTERS_SHOWN)
    first_year, first_quarter = quarters[0]
    start = date(first_year, 3 * first_quarter - 2, 1)
    rows = (
        Grievance.objects.exclude(status__in=[S.SENSITIVE, S.DUPLICATE])
        .filter(received_at__date__gte=start)
        .annotate(year=ExtractYear("received_at"), quarter=ExtractQuarter("received_at"))
        .values("programme_id", "year", "quarter")
        .annotate(
            received=Count("pk"),
            complaints=Count("pk", filter=Q(request_kind=Grievance.RequestKind.COMPLAINT)),
            treated=Count("pk", filter=Q(status=S.CLOSED)),
        )
    )
    counts = {(row["programme_id"], row["year"], row["quarter"]): row for row in rows}
    programmes = []
    for programme in Programme.objects.filter(is_active=True).order_by("component", "name"):
        cells = []
        for year, quarter in quarters:
            row = counts.get((programme.pk, year, quarter), {})
            cells.append(
                {key: suppress(row.get(key, 0), threshold=threshold) for key in ("received", "complaints", "treated")}
            )
        programmes.append({"programme": programme, "cells": cells})
    return {"quarters": [f"T{q} {y}" for y, q in quarters], "programmes": programmes, "threshold": threshold}


@cache_control(public=True, max_age=300)
@reporting_reads()
def public_statistics(request: HttpRequest) -> HttpResponse:
    if not settings.PMPP_PUBLIC_STATISTICS:
        raise Http404
    return render(request, "reporting/public_statistics.html", public_statistics_table())
