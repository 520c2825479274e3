"""A task worker killed with SIGKILL in the middle of a send (issue 9, item 7b).

The real `manage.py db_worker` runs in its own process against the test database; the SMS
provider is a folder the test reads (tests/notifications/crash_gateway.py). The worker is
killed either before the provider accepted the message, or after it accepted it and before
the outbox row was marked sent — the window no local transaction can close. Restarted, the
worker sends the message again with the same idempotency key, and the provider delivers it
once in both cases.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction  # noqa: F401  (connection: read by the skipif condition)
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxMessage
from notifications.services import idempotency_key
from tests.notifications.crash_gateway import deliveries, requests
from tests.processes import subprocess_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="the worker is another process: it needs the test database on a server (PostgreSQL)",
    ),
]

ROOT = Path(settings.BASE_DIR)


def _start_worker(box: Path, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": subprocess_database_url(),
        "REPORTING_DATABASE_URL": "",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "x"),
        "STATIC_MANIFEST": "0",
        "DEBUG": "0",
        "PMPP_SMS_BACKEND": "tests.notifications.crash_gateway.DedupingGateway",
        "PMPP_SMS_FILE_PATH": str(box),
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"]
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _row_unlocked(message: OutboxMessage) -> bool:
    """The dead worker's connection is gone once its row lock is released."""
    with transaction.atomic():
        return OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message.pk).exists()


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.parametrize("point", ["hold-before-accept", "hold-after-accept"])
def test_a_worker_killed_while_sending_delivers_the_message_once_after_restart(walk, tmp_path, point):
    box, log = tmp_path / "gateway", tmp_path / "worker.log"
    box.mkdir()
    (box / point).touch()
    first = _start_worker(box, log)
    try:
        # A worker already waiting for tasks when the intake commits its acknowledgement.
        assert _wait_for(lambda: "Starting worker" in log.read_text()), log.read_text()
        grievance = walk.register()
        message = OutboxMessage.objects.get(grievance=grievance)
        key = idempotency_key(message)
        assert _wait_for((box / f"{point}.reached").exists), log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    (box / point).unlink()

    assert first.returncode == -signal.SIGKILL
    assert _wait_for(lambda: _row_unlocked(message), seconds=20)
    message.refresh_from_db()
    # The send's transaction died with the worker: the message is still to be sent.
    assert (message.status, message.attempts, message.sent_at) == ("pending", 0, None)
    assert requests(box) == [key]
    assert len(deliveries(box)) == (1 if point == "hold-after-accept" else 0)

    second = _start_worker(box, log)
    try:
        sent = _wait_for(lambda: OutboxMessage.objects.filter(pk=message.pk, status="sent").exists())
    finally:
        _stop(second)

    assert sent, log.read_text()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert requests(box) == [key, key]  # the provider was asked twice, with the same key
    [delivery] = deliveries(box)  # and delivered once
    text = delivery.read_text(encoding="utf-8")
    assert text.startswith("To: +212612345678")
    assert grievance.reference in text
    # django-tasks-db never takes back the killed worker's task; the restarted worker sent the
    # message on its own, at start (notifications/management/commands/db_worker.py).
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1
