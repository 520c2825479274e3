from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import SemesterReport


@admin.register(SemesterReport)
class SemesterReportAdmin(SimpleHistoryAdmin):
    """Reports are prepared and approved in their own screens, through their services; the admin only reads."""

    list_display = ("__str__", "status", "created_by", "approved_by", "approved_at")
    list_filter = ("status", "year", "semester")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
