from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_seed_after_migrate(sender, **kwargs) -> None:
    # The PMPP's own content (groups of §3.3, activities of §3.1, campaigns of §4, risks of
    # §2.2) is the registry's starting point. It runs after pmpp's handler, which loads the
    # reference data it points to (INSTALLED_APPS order), and creates only what is missing.
    from stakeholders.seed import load_stakeholder_seed

    load_stakeholder_seed()


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Parties prenantes")

    def ready(self) -> None:
        post_migrate.connect(_load_seed_after_migrate, sender=self, dispatch_uid="stakeholders.load_seed")

    # Hooks of the ground floor (pmpp.hooks).

    def load_reference(self) -> dict[str, int]:
        from stakeholders.seed import load_stakeholder_seed

        return {f"{name} (PMPP)": count for name, count in load_stakeholder_seed().items()}

    def load_demo(self, *, grievances: int) -> str | None:
        from stakeholders.demo import load_demo_stakeholders

        return "Registre des parties prenantes : données de démonstration créées" if load_demo_stakeholders() else None

    def home_context(self, request) -> dict:
        if not request.user.has_perm("stakeholders.change_correctiveaction"):
            return {"registry": None}
        # The focal point's dashboard says what in the plan is late (PMPP §7).
        from stakeholders.selectors import corrective_actions_overdue, mandates_to_reverify

        return {
            "registry": {
                "overdue_actions": corrective_actions_overdue().count(),
                "mandates": mandates_to_reverify().count(),
            }
        }
