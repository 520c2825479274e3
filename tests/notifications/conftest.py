import signal

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.backends import LocmemSmsBackend
from tests.grievances.conftest import *  # noqa: F403  (personas' fixtures and the `walk`)


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS kept in memory, like Django's locmem e-mail backend in tests."""
    settings.PMPP_SMS_BACKEND = "notifications.backends.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    mail.outbox = []
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


def run_worker() -> None:
    """One batch of the real django-tasks-db worker (`manage.py db_worker --batch`): every
    ready task runs, then it exits. The worker installs its own signal handlers; pytest's
    are put back afterwards."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
