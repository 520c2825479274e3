import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management.commands import flush
from django.utils import translation

from pmpp import roles
from pmpp.audit import history_rewrite_allowed
from tests.factories import ALL, CNRA, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _flush_may_rewrite_history() -> Iterator[None]:
    """History is append-only (SPEC §5.6), but the test runner must still empty the database.

    Between transactional tests (and live-server tests) Django runs `flush`. On SQLite that is
    a DELETE FROM on every table, which the history triggers refuse; on PostgreSQL it is a
    TRUNCATE, which row triggers do not see. Flush is a sanctioned rewrite, like
    anonymisation: it runs inside `history_rewrite_allowed()` on the database it flushes.
    """
    original_handle = flush.Command.handle

    def handle(self: flush.Command, **options: object) -> None:
        with history_rewrite_allowed(using=options.get("database", "default")):
            return original_handle(self, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush.Command, "handle", handle)
        yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in French: a request in Arabic leaves Arabic active in the thread, and a
    service called directly afterwards would answer in it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashes are slow on purpose; tests hash dozens of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Named personas, one per role (SPEC §1).
@pytest.fixture
def salma(db):
    """Chargée de clientèle at CNRA, on Tayssir and DAAM."""
    return UserFactory(username="salma", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir"), ("cdg-cnra", "daam")])


@pytest.fixture
def youssef(db):
    """Case handler at CNRA, on Tayssir."""
    return UserFactory(username="youssef", role=roles.CASE_HANDLER, scopes=[("cdg-cnra", "tayssir")])


@pytest.fixture
def nadia(db):
    """Head of beneficiary services at CNRA."""
    return UserFactory(username="nadia", role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=CNRA)


@pytest.fixture
def karim(db):
    """Closing officer at CNRA."""
    return UserFactory(username="karim", role=roles.CLOSING_OFFICER, scopes=CNRA)


@pytest.fixture
def leila(db):
    """E&S focal point at MEF."""
    return UserFactory(username="leila", role=roles.ES_FOCAL_POINT, scopes=[("mef-db", ALL)])


@pytest.fixture
def omar(db):
    """Ministry staff, read only."""
    return UserFactory(username="omar", role=roles.MINISTRY_VIEWER, scopes=[("mef-db", ALL)])


@pytest.fixture
def meryem(db):
    """GBV referent."""
    return UserFactory(username="meryem", role=roles.GBV_REFERENT, scopes=CNRA)


@pytest.fixture
def amina(db):
    """Reference-data administrator (staff, edits reference data in the admin)."""
    return UserFactory(username="amina", role=roles.REFERENCE_ADMIN, is_staff=True, scopes=[("mef-db", ALL)])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
