from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The access log is append-only and hash-chained like history: it is one of
    `pmpp.audit_chain.CHAINED_LOGS`, so pmpp's post_migrate handler puts both sets of
    triggers on its table."""

    name = "privacy"
    verbose_name = _("Données personnelles (loi 09-08)")
