from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Mécanisme de gestion des plaintes")

    def ready(self) -> None:
        from grievances import signals  # noqa: F401
