"""Must hold 3 of issue 18: the site started as `make run` starts it (scripts/run-local.sh)
sends a queued message within seconds, shows it sent on the file, and Ctrl+C stops both."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from grievances.services.intake import grievance_register
from pmpp.models import Channel, Programme
user = get_user_model().objects.create_superuser("admin", "", "x")
g = grievance_register(actor=user, programme=Programme.objects.get(code="tayssir"),
    channel=Channel.objects.get(code="call-centre"), received_at=timezone.now(),
    description="Paiement non reçu", cnie="AB123456", phone="+212612345678", name="Fatima Zerouali").grievance
s = SessionStore(); s["_auth_user_id"] = str(user.pk)
s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
s["_auth_user_hash"] = user.get_session_auth_hash()
s.create(); print(g.pk, s.session_key)
"""


def test_make_run_sends_a_queued_message_within_seconds(tmp_path):
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REPORTING_DATABASE_URL": "",
        "DEBUG": "1",
        "PMPP_SMS_BACKEND": "notifications.backends.FileSmsBackend",
        "PMPP_SMS_FILE_PATH": str(tmp_path / "sms"),
        "PY": sys.executable,
        "PORT": "8765",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_reference"], cwd=ROOT, env=env, check=True, capture_output=True)
    site = subprocess.Popen(
        ["scripts/run-local.sh"], cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out = subprocess.run(
            [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        pk, session = out[-2], out[-1]
        queued_at = time.monotonic()
        page = ""
        while time.monotonic() - queued_at < 30:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:8765/reclamations/{pk}/", headers={"Cookie": f"sessionid={session}"}
                )
                page = urllib.request.urlopen(request, timeout=5).read().decode()  # noqa: S310 — http://127.0.0.1 only
            except OSError:
                page = ""
            if 'data-status="sent"' in page:
                break
            time.sleep(0.5)
        assert 'data-status="sent"' in page, "the message stayed unsent on the file"
        assert time.monotonic() - queued_at < 15
        assert len(list((tmp_path / "sms").glob("*.txt"))) == 1
    finally:
        os.killpg(site.pid, signal.SIGINT)  # Ctrl+C, as in a terminal
        site.wait(timeout=20)
    # Both the server and the worker are gone: nothing answers any more.
    with pytest.raises(urllib.error.URLError, match="refused"):
        urllib.request.urlopen("http://127.0.0.1:8765/", timeout=2)
