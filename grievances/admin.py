"""Read-only admin pages: grievances are worked in the workflow screens, never edited here.

Every page goes through the same visibility scope as the rest of the application, and
sensitive cases are listed only for the GBV referent.
"""

from django.contrib import admin

from grievances.access import grievance_scope_q, sensitive_scope_q
from grievances.models import Commitment, Grievance, SensitiveCase
from pmpp.admin import ReadOnlyAdmin


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    can_delete = False
    fields = ["sequence", "promised_on", "given_by", "notified_at", "realised_at", "status", "renewal_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Grievance)
class GrievanceAdmin(ReadOnlyAdmin):
    list_display = ["reference", "programme", "channel", "status", "received_at", "due_on", "assigned_to"]
    list_filter = ["status", "programme", "channel", "outcome"]
    list_select_related = ["programme", "channel", "assigned_to"]
    search_fields = ["reference", "tracking_code"]
    date_hierarchy = "received_at"
    inlines = [CommitmentInline]
    exclude = ["pin_hash"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(grievance_scope_q(request.user))


@admin.register(SensitiveCase)
class SensitiveCaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "programme", "status", "received_at", "referral_due_at", "referred_at"]
    list_filter = ["status", "programme"]
    list_select_related = ["programme"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(sensitive_scope_q(request.user))

    def has_view_permission(self, request, obj=None):
        # Not even a superuser: only the referent role reads these (SPEC §5.5).
        from pmpp import roles

        return roles.GBV_REFERENT in roles.role_codes_for(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)
