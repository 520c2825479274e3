"""Public statistics (SPEC §6): aggregate counts per programme and quarter, no login.

Only counts, never free text; any count below PMPP_PUBLIC_SMALL_CELL (5 by default) is
shown as « <5 » so that no complainant can be singled out. Sensitive GBV/SEA/SH cases and
duplicates are never counted. Every figure is a term of docs/metrics.md. The page can be
switched off (PMPP_PUBLIC_STATISTICS=0).
"""

from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from grievances.models import Grievance
from pmpp.db_routers import reporting_reads
from pmpp.models import Programme
from reporting import metrics
from reporting.statistics import Period, Statistics, period_statistics

QUARTERS_SHOWN = 4
# The figures published, each a term of the metric dictionary (docs/metrics.md).
PUBLIC_FIGURES = ("received", "to_qualify", "complaints", "treated")


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
    """Counts per programme and quarter for the last four quarters, small cells suppressed.

    The figures are the dictionary's, computed by `reporting.statistics` over every
    grievance (the page publishes aggregates only): duplicates and sensitive cases are
    never counted, a request not yet qualified is not a complaint.
    """
    threshold = settings.PMPP_PUBLIC_SMALL_CELL
    as_of = timezone.now()
    quarters = _last_quarters(today or timezone.localdate(as_of), QUARTERS_SHOWN)
    everyone = Grievance.objects.all()
    figures = [
        period_statistics(grievances=everyone, period=Period.quarter(year, n), group_bys=["programme"], as_of=as_of)
        for year, n in quarters
    ]
    figures = [by["programme"] for by in figures]
    programmes = []
    for programme in Programme.objects.filter(is_active=True).order_by("component", "name"):
        cells = []
        for by_programme in figures:
            stats = by_programme.get(programme.pk) or Statistics()
            cells.append([suppress(getattr(stats, key), threshold=threshold) for key in PUBLIC_FIGURES])
        programmes.append({"programme": programme, "cells": cells})
    return {
        "quarters": [f"T{q} {y}" for y, q in quarters],
        "programmes": programmes,
        "threshold": threshold,
        "as_of": as_of,
        "headings": [(metrics.name(key), metrics.TERMS[key].definition) for key in PUBLIC_FIGURES],
    }


@cache_control(public=True, max_age=300)
@reporting_reads()
def public_statistics(request: HttpRequest) -> HttpResponse:
    if not settings.PMPP_PUBLIC_STATISTICS:
        raise Http404
    return render(request, "reporting/public_statistics.html", public_statistics_table())


@cache_control(public=True, max_age=3600)
def metric_dictionary(request: HttpRequest) -> HttpResponse:
    """The metric dictionary in the reader's language: what every figure of the dashboard, the
    reports, the public statistics and the API means (docs/metrics.md)."""
    sections = [
        {
            "title": section.title,
            "terms": [(term.key.replace(".", "-"), term.name, term.definition) for term in section.terms],
        }
        for section in metrics.SECTIONS
    ]
    return render(request, "reporting/metrics.html", {"sections": sections, "version": metrics.VERSION})
