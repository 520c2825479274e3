"""Background tasks (django.tasks, stored by django-tasks-db, run by `manage.py db_worker`)."""

from django.tasks import task

from notifications.services import notification_send


@task()
def send_outbox_message(message_id: int) -> str:
    """Send one outbox message. Safe to run twice: a sent or locked message is skipped.

    Failures never raise out of here (the task result would store the exception text,
    which may quote an address): the outbox row counts the attempt and a retry is enqueued.
    """
    return notification_send(message_id=message_id)
