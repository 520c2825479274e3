"""Edge signal: copy the workflow step that caused a save onto its history row."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record


@receiver(pre_create_historical_record)
def record_transition_name(sender, instance, history_instance, **kwargs) -> None:
    if hasattr(history_instance, "transition"):
        history_instance.transition = getattr(instance, "_history_transition", "")
