from django.contrib import admin

from imports.models import ImportJob
from pmpp.admin import ReadOnlyMixin


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read only: jobs change through the import screens and the task worker, never by hand."""

    list_display = ["pk", "created_at", "created_by", "source", "status", "rows", "created_count", "invalid_rows"]
    list_filter = ["source", "status"]
    exclude = ["file"]  # the uploaded file holds personal data: no download link here
