"""The task worker sends each message once, retries a failing gateway, and leaks nothing."""

import logging
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection  # noqa: F401  (read by the skipif condition)
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxMessage
from notifications.services import notification_send, notification_send_due
from notifications.tasks import send_outbox_message
from pmpp.models import Channel
from tests.notifications.backends import FailingSmsBackend
from tests.notifications.conftest import run_worker


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_the_acknowledgement_once_even_when_run_twice(walk, sms_outbox):
    grievance = walk.register()
    assert DBTaskResult.objects.count() == 1  # enqueued when the intake committed

    run_worker()
    run_worker()
    # A second task for the same message (e.g. the recovery command raced the worker).
    send_outbox_message.enqueue(OutboxMessage.objects.get().pk)
    run_worker()

    assert len(sms_outbox) == 1
    assert sms_outbox[0]["to"] == "+212612345678"
    assert grievance.reference in sms_outbox[0]["text"]
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at is not None
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_email_through_djangos_mailer(walk):
    walk.register(channel=Channel.objects.get(code="web-portal"), phone="", email="fatima@example.ma")

    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fatima@example.ma"]
    assert "Votre réclamation a bien été enregistrée" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real concurrency needs PostgreSQL (CI)")
def test_two_workers_racing_for_the_same_message_send_it_once(walk, settings, sms_outbox):
    settings.PMPP_SMS_BACKEND = "tests.notifications.backends.SlowSmsBackend"
    walk.register()
    message = OutboxMessage.objects.get()
    send_outbox_message.enqueue(message.pk)  # two tasks for one message
    assert DBTaskResult.objects.count() == 2
    errors = []

    def work(worker_id: str) -> None:
        from django.db import connection as thread_connection

        try:
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(sms_outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.django_db
def test_a_failing_gateway_is_retried_with_backoff_then_fails_without_personal_data(
    walk, settings, caplog, django_capture_on_commit_callbacks
):
    settings.PMPP_SMS_BACKEND = "tests.notifications.backends.FailingSmsBackend"
    settings.PMPP_NOTIFICATION_MAX_ATTEMPTS = 3
    settings.PMPP_NOTIFICATION_RETRY_SECONDS = 60
    FailingSmsBackend.calls = 0
    grievance = walk.register(cnie="AB123456")
    message = OutboxMessage.objects.get()
    start = timezone.now()
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_send(message_id=message.pk, now=start) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == start + timedelta(seconds=60)
    # The retry is a task deferred to that time, not a busy loop (the other task is the first
    # send's, written with the intake).
    retry_task = DBTaskResult.objects.filter(task_path="notifications.tasks.send_outbox_message").latest("enqueued_at")
    assert retry_task.run_after == message.next_attempt_at

    assert notification_send(message_id=message.pk, now=start + timedelta(seconds=30)) == "skipped"
    assert FailingSmsBackend.calls == 1

    assert notification_send(message_id=message.pk, now=start + timedelta(seconds=60)) == "retry"
    message.refresh_from_db()
    assert message.next_attempt_at == start + timedelta(seconds=60 + 120)  # the delay doubles

    assert notification_send(message_id=message.pk, now=start + timedelta(seconds=180)) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts, FailingSmsBackend.calls) == ("failed", 3, 3)
    assert message.last_error == "ConnectionError (tentative 3)"
    # Never sent again once failed.
    assert notification_send(message_id=message.pk, now=start + timedelta(days=1)) == "skipped"

    logged = caplog.text
    for personal in ("+212612345678", "0612345678", "612345678", "AB123456", grievance.complainant_name):
        assert personal not in message.last_error
        assert personal not in logged
    assert f"Notification {message.pk} failed after 3 attempts" in logged


@pytest.mark.django_db
def test_send_notifications_sends_what_is_due_and_nothing_twice(walk, sms_outbox):
    walk.register()
    walk.register(cnie="AB999999")

    assert notification_send_due() == {"sent": 2}
    assert notification_send_due() == {}
    assert len(sms_outbox) == 2
