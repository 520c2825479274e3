from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender, *, verbosity: int = 1, **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created by auth's own post_migrate handler, app by app;
    # create them all first so the role table can name a permission of any app.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    from pmpp.audit import install_history_triggers
    from pmpp.audit_chain import install_audit_chain
    from pmpp.reference_data import load_reference_data
    from pmpp.roles import sync_roles

    # History is append-only (SPEC §5.6): every history table, including one a migration has
    # just created, gets its triggers. The test runner's flush re-sends post_migrate, so they
    # are back after every flush too.
    install_history_triggers(using=kwargs.get("using", "default"))
    # And every audited row is chained (pmpp.audit_chain), before the reference data below writes any.
    install_audit_chain(using=kwargs.get("using", "default"))
    _set_migration_unlock(using=kwargs.get("using", "default"), on=False)
    sync_roles(verbosity=verbosity)
    # Reference data is part of the schema's meaning: every migrate (and every test-case
    # flush, which re-sends post_migrate) leaves the seeded rows in place.
    load_reference_data()


def _set_migration_unlock(*, using: str, on: bool) -> None:
    """Schema changes may rewrite history rows (a column made NOT NULL with a default runs
    UPDATE … WHERE col IS NULL on PostgreSQL), which the append-only triggers would refuse:
    `migrate` runs with history unlocked for its own session, and locks it again at the end.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pmpp.history_unlocked', %s, false)", ["on" if on else "off"])


def _unlock_history_for_migrate(sender, **kwargs) -> None:
    _set_migration_unlock(using=kwargs.get("using", "default"), on=True)


def _keep_wide_statements_parsed() -> None:
    """psycopg turns a statement's %s placeholders into PostgreSQL's once and keeps the result,
    but only for statements of at most 50 parameters: the INSERTs of a grievance and of its
    history row have 78, and were parsed again on every intake (0.27 ms of CPU). The cache
    is an LRU of 128 statements, so the widest model's fit without crowding it."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < 128:
        _queries.MAX_CACHED_STATEMENT_PARAMS = 128


class PmppConfig(AppConfig):
    name = "pmpp"
    verbose_name = _("Référentiels et utilisateurs")

    def ready(self) -> None:
        from pmpp.fsm_migrations import fsm_fields_of_migration_states_stop_listening

        fsm_fields_of_migration_states_stop_listening()

        # Django 6.1 puts « - Select an option - » before a model field's choices; its Arabic
        # catalogue lacks it, so Arabic pages fell back to the French one. Django lets an app
        # name its own (this setting's deprecation note): ours, which both catalogues carry.
        from django.db.models import fields as model_fields

        model_fields.BLANK_CHOICE_LABEL = _("— Choisissez —")

        from pmpp.audit import register_sqlite_lock_function, share_history_manager_classes
        from pmpp.audit_chain import register_sqlite_chain_functions

        share_history_manager_classes()
        _keep_wide_statements_parsed()

        # Before any connection opens: the SQLite history triggers call a function that each
        # connection must register.
        connection_created.connect(register_sqlite_lock_function, dispatch_uid="pmpp.audit.sqlite_lock_function")
        connection_created.connect(
            register_sqlite_chain_functions, dispatch_uid="pmpp.audit_chain.sqlite_chain_functions"
        )
        pre_migrate.connect(_unlock_history_for_migrate, sender=self, dispatch_uid="pmpp.unlock_history_for_migrate")
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="pmpp.sync_roles_after_migrate")

        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from pmpp.checks import programme_less_memberships

        checks.register(programme_less_memberships)

        from pmpp.middleware import SessionRefreshMiddleware

        # A new session starts refreshed: the first page after signing in writes nothing more.
        user_logged_in.connect(SessionRefreshMiddleware.mark_refreshed, dispatch_uid="pmpp.session_refreshed_at_login")
