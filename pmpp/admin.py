from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from pmpp import models

admin.site.site_header = _("PMPP — administration")
admin.site.site_title = _("PMPP — administration")
admin.site.index_title = _("Référentiels, utilisateurs et rôles")


class ReadOnlyMixin:
    """The admin only reads: nothing is added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Records worked in their own screens, through their services: the admin only reads."""

    # simple_history's history pages read the history rows of an object the queryset hides
    # (meant for deleted objects), and its version page never asks the queryset at all: both
    # would show a sensitive case's former grievance, CNIE and allegation included, or another
    # programme's grievance. Out of the user's scope is out of sight here too.
    def _in_scope_or_404(self, request, object_id) -> None:
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


class ReferenceAdmin(SimpleHistoryAdmin):
    """Reference rows are keyed by `code` (seeds and imports rely on it): editable once, at creation."""

    list_display = ["name", "name_ar", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_ar", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Reference rows are deactivated, never deleted: past grievances point at them.
        return False


@admin.register(models.Organisation)
class OrganisationAdmin(ReferenceAdmin):
    list_display = ["name", "acronym", "kind", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(models.Programme)
class ProgrammeAdmin(ReferenceAdmin):
    list_display = ["name", "reference_prefix", "component", "supervising_organisation", "managing_organisation"]
    list_select_related = ["supervising_organisation", "managing_organisation"]


@admin.register(models.Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ["code", "name", "name_ar"]


@admin.register(models.Province)
class ProvinceAdmin(ReferenceAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["region", "kind"]
    list_select_related = ["region"]


@admin.register(models.Channel)
class ChannelAdmin(ReferenceAdmin):
    list_display = ["name", "kind", "is_web", "is_active"]
    list_filter = ["kind", "is_web", "is_active"]


@admin.register(models.ComplaintCategory)
class ComplaintCategoryAdmin(ReferenceAdmin):
    list_display = ["name", "programme", "type_number", "needs_partner", "partner_organisation", "is_active"]
    list_filter = ["programme", "needs_partner", "is_active"]
    list_select_related = ["programme", "partner_organisation"]


@admin.register(models.UnfoundedReason)
class UnfoundedReasonAdmin(ReferenceAdmin):
    pass


@admin.register(models.NotComplaintKind)
class NotComplaintKindAdmin(ReferenceAdmin):
    pass


@admin.register(models.DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "channel", "treatment_days", "day_kind", "acknowledgement_days"]
    list_filter = ["programme", "day_kind"]
    list_select_related = ["programme", "channel"]


@admin.register(models.Unit)
class UnitAdmin(ReferenceAdmin):
    list_display = ["name", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    list_select_related = ["organisation"]


@admin.register(models.PublicHoliday)
class PublicHolidayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "name", "is_estimate"]
    list_filter = ["is_estimate"]
    date_hierarchy = "date"
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = models.Membership
    fields = ["organisation", "programme", "all_programmes"]
    extra = 0
    autocomplete_fields = []


@admin.register(models.User)
class PmppUserAdmin(UserAdmin, SimpleHistoryAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "programmes", "is_active", "is_staff"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__programme", "memberships__organisation")

    @admin.display(description=_("programmes"))
    def programmes(self, user) -> str:
        """Where the user works: « tous les programmes » shows, so it is never granted unseen."""
        return ", ".join(membership.scope_label() for membership in user.memberships.all()) or "—"

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, never deleted: their name is on history rows, which are
        # append-only (deleting would have to rewrite them).
        return False
