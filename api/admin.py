from django.contrib import admin

from api.models import IntakeRequest, IntegrationAccount
from pmpp.admin import ReadOnlyMixin


@admin.register(IntegrationAccount)
class IntegrationAccountAdmin(admin.ModelAdmin):
    """Accounts are created by `manage.py create_integration_account` (the token is shown once);
    here they can only be read and deactivated."""

    list_display = ["name", "channel", "user", "is_active", "created_at"]
    list_filter = ["is_active", "channel"]
    fields = ["name", "channel", "user", "is_active", "created_at"]
    readonly_fields = ["name", "channel", "user", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IntakeRequest)
class IntakeRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "account", "key", "grievance"]
    list_filter = ["account"]
    fields = readonly_fields = ["created_at", "account", "key", "request_hash", "grievance"]
