"""The task that sends a message is written in the transaction that writes the message: one
commit for both, nothing left to do after it (issue 8), and still nothing when it rolls back."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_acknowledgement_task_is_written_with_the_intake_and_needs_no_after_commit_hook(
    walk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        walk.register()
        # Inside the intake's transaction the task row is already there, waiting for the commit.
        task = DBTaskResult.objects.get()

    assert callbacks == []
    assert task.task_path == "notifications.tasks.send_outbox_message"
    assert task.args_kwargs["args"] == [OutboxMessage.objects.get().pk]
    assert task.status == "READY"


def test_a_message_that_cannot_be_sent_gets_no_task(walk):
    walk.register(phone="", email="")

    assert OutboxMessage.objects.get().status == "not_sendable"
    assert not DBTaskResult.objects.exists()
