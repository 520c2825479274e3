"""django-fsm and migrations: keep `migrate` from slowing down as it goes.

django-fsm connects a `class_prepared` receiver for every FSM field added to a model class
(`django_fsm.FSMFieldMixin.contribute_to_class`) and never disconnects it. `migrate` renders the
project's historical models over and over (about 15,800 model classes for a fresh database),
each with new copies of the FSM fields, so the receivers pile up and each new class calls all
of them: on a fresh PostgreSQL database half of `migrate`'s time went there (97 s, 47 s without;
2-CPU machine under load). A historical model has no transitions to collect (migrations keep
fields, not methods), so the FSM fields of migration states stop listening once added.
"""

from django.apps import apps as global_apps
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin


def fsm_fields_of_migration_states_stop_listening() -> None:
    if getattr(FSMFieldMixin.contribute_to_class, "_pmpp_migration_states_quiet", False):
        return
    contribute_to_class = FSMFieldMixin.contribute_to_class

    def contribute_to_class_then_stop_listening_in_migration_states(self, cls, name, *args, **kwargs):
        contribute_to_class(self, cls, name, *args, **kwargs)
        if cls._meta.apps is not global_apps:
            class_prepared.disconnect(self._collect_transitions)

    contribute_to_class_then_stop_listening_in_migration_states._pmpp_migration_states_quiet = True
    FSMFieldMixin.contribute_to_class = contribute_to_class_then_stop_listening_in_migration_states
