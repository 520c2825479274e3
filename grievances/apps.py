from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Mécanisme de gestion des plaintes")

    def ready(self) -> None:
        from grievances import signals  # noqa: F401

    # Hooks of the ground floor (pmpp.hooks).

    def load_demo(self, *, grievances: int) -> str | None:
        from grievances.demo import load_demo_grievances

        made = load_demo_grievances(count=grievances)
        return f"Réclamations de démonstration créées : {made}" if made else None

    def home_context(self, request) -> dict:
        from grievances.context_processors import queues_with_counts
        from grievances.models import SensitiveCase
        from pmpp import roles

        queues = queues_with_counts(request)
        sensitive = None
        if roles.GBV_REFERENT in roles.role_codes_for(request.user):
            visible = SensitiveCase.objects.visible_to(request.user)
            sensitive = {
                "open": visible.filter(status=SensitiveCase.Status.OPEN).count(),
                "overdue": visible.referral_overdue().count(),
            }
        return {
            "queues": queues,
            "alerts": [q for q in queues if q["slug"] in ("en-retard", "echeance-aujourdhui") and q["count"]],
            "sensitive": sensitive,
        }
