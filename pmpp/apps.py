from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender, *, verbosity: int = 1, **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created by auth's own post_migrate handler, app by app;
    # create them all first so the role table can name a permission of any app.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    from pmpp.reference_data import load_reference_data
    from pmpp.roles import sync_roles

    sync_roles(verbosity=verbosity)
    # Reference data is part of the schema's meaning: every migrate (and every test-case
    # flush, which re-sends post_migrate) leaves the seeded rows in place.
    load_reference_data()


class PmppConfig(AppConfig):
    name = "pmpp"
    verbose_name = _("Référentiels et utilisateurs")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="pmpp.sync_roles_after_migrate")
