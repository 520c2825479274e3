"""Reads of the semester report (SPEC §6, PMPP §6.2.6 and §7).

`assemble_semester_report` (assembly.py) gathers, at the moment it is called, every figure
the report to the World Bank carries, as plain JSON: the draft preview shows it as it is
computed, and approval freezes it in the report's `snapshot`. `semester_report_tables`
(layout.py) lays either of them out as the tables shown on screen and downloaded.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from reporting.models import SemesterReport
from reporting.selectors.assembly import (
    SCHEMA_VERSION,
    SECONDARY_SUPPRESSED,
    SMALL_CELL_THRESHOLD,
    SUPPRESSED,
    Partition,
    assemble_semester_report,
    protect_small_cells,
)
from reporting.selectors.cells import ReportTable, moment
from reporting.selectors.layout import semester_report_tables

__all__ = [
    "SCHEMA_VERSION", "SECONDARY_SUPPRESSED", "SMALL_CELL_THRESHOLD", "SUPPRESSED", "Partition", "ReportTable",
    "assemble_semester_report", "moment", "protect_small_cells", "semester_report_data", "semester_report_get_for_user",
    "semester_report_list", "semester_report_tables",
]  # fmt: skip


def semester_report_list() -> QuerySet[SemesterReport]:
    return SemesterReport.objects.select_related("created_by", "approved_by", "supersedes", "superseded_by")


def semester_report_get_for_user(*, user, pk: int) -> SemesterReport:
    """The report, for a user who may read reports (403 otherwise, 404 if there is none)."""
    if not user.has_perm("reporting.view_semesterreport"):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à consulter les rapports semestriels.")
    try:
        return semester_report_list().get(pk=pk)
    except SemesterReport.DoesNotExist:
        raise Http404("Rapport introuvable.") from None


def semester_report_data(*, report: SemesterReport, user) -> dict:
    """What a report shows: the frozen snapshot once approved, never recomputed; a live
    assembly while it is a draft."""
    if report.status == SemesterReport.Status.APPROVED:
        return report.snapshot
    return assemble_semester_report(user=user, year=report.year, semester=report.semester)
