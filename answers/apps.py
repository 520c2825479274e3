from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "answers"
    verbose_name = _("Modèles de réponse")

    def load_demo(self, *, grievances: int) -> str | None:
        """Hook of the ground floor (pmpp.hooks): the demo's answer templates."""
        from answers.demo import load_demo_answer_templates

        return "Modèles de réponse : données de démonstration créées" if load_demo_answer_templates() else None
