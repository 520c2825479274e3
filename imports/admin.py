from django.contrib import admin

from imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read only: jobs change through the import screens and the task worker, never by hand."""

    list_display = ["pk", "created_at", "created_by", "source", "status", "rows", "created_count", "invalid_rows"]
    list_filter = ["source", "status"]
    exclude = ["file"]  # the uploaded file holds personal data: no download link here

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
