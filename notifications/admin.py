"""Read-only admin for the outbox and deadline alerts: addresses masked, sensitive cases hidden.

Messages about a grievance follow the grievance's visibility; alerts about a sensitive
GBV/SEA/SH case are listed for no one here (the GBV referent works them in their own screens).
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grievances.access import grievance_scope_q
from notifications.models import DeadlineAlert, OutboxMessage
from pmpp.admin import ReadOnlyMixin


def _visible_grievance_q(request, prefix: str) -> Q:
    scope = grievance_scope_q(request.user)
    from grievances.models import Grievance

    return Q(**{f"{prefix}__in": Grievance.objects.filter(scope).values("pk")})


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "recipient_kind", "channel", "masked", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "channel", "recipient_kind"]
    fields = [
        "event", "grievance", "recipient_kind", "recipient_user", "channel", "masked", "language", "subject", "text",
        "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("adresse"))
    def masked(self, obj: OutboxMessage) -> str:
        return obj.masked_address

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                _visible_grievance_q(request, "grievance")
                | Q(grievance__isnull=True, alert__sensitive_case__isnull=True)
            )
        )


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "grievance", "due_on"]
    list_filter = ["kind"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(_visible_grievance_q(request, "grievance"))
