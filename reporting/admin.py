from django.contrib import admin

from pmpp.admin import ReadOnlyAdmin
from reporting.models import SemesterReport


@admin.register(SemesterReport)
class SemesterReportAdmin(ReadOnlyAdmin):
    """Reports are prepared and approved in their own screens, through their services; the admin only reads."""

    list_display = ("__str__", "status", "created_by", "approved_by", "approved_at")
    list_filter = ("status", "year", "semester")
