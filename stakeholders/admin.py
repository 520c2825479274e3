from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stakeholders import models


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """The registry is kept in its own screens, with its services; the admin only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    models.StakeholderGroup,
    models.Stakeholder,
    models.Representative,
    models.MandateVerification,
    models.EngagementActivity,
    models.Concern,
    models.Minutes,
    models.Campaign,
    models.BudgetLine,
    models.DisclosedDocument,
    models.CorrectiveAction,
    models.ProgressNote,
    models.Risk,
):
    admin.site.register(model, ReadOnlyAdmin)
