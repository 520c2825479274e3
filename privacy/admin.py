from django.contrib import admin

from pmpp.admin import ReadOnlyMixin
from privacy.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The access log, read-only: nobody adds, edits or deletes a line (the triggers refuse it too)."""

    list_display = ["at", "user", "channel", "where", "object_count", "sensitive"]
    list_filter = ["channel", "sensitive"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = [
        "at",
        "user",
        "channel",
        "where",
        "grievance_ids",
        "sensitive_case_ids",
        "stakeholder_ids",
        "representative_ids",
        "object_count",
        "sensitive",
    ]
