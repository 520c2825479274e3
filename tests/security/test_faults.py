"""Faults (issue 9, item 7): the database going away mid-request, and the backup drill.

A worker killed while sending a notification is in tests/notifications/test_worker_crash.py.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from django.utils.html import escape

from tests.factories import intake_form_data
from tests.processes import subprocess_database_url

ROOT = Path(settings.BASE_DIR)
CNIE, PHONE, NAME = "AB123456", "0612345678", "Fatima Zahra El Amrani"


def _row_counts() -> dict[str, int]:
    """Rows in every table of the database (sessions aside: logging in writes one)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table != "django_session":
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
    return counts


def _terminate(pid: int) -> None:
    """pg_terminate_backend from another connection, as an administrator or a failover would."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if not cursor.fetchone()[0]:
                    return
                time.sleep(0.05)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_terminate_backend is PostgreSQL's")
def test_the_database_cut_in_the_middle_of_an_intake_gives_a_503_and_saves_nothing(client, salma, caplog):
    client.force_login(salma)
    form = intake_form_data(cnie=CNIE, phone=PHONE, name=NAME)
    before = _row_counts()
    cut = []

    def cut_before_the_outbox_row(execute, sql, params, many, context):
        # The grievance, its history and its reference are written; the message is next.
        if sql.startswith('INSERT INTO "notifications_outboxmessage"') and not cut:
            _terminate(context["connection"].connection.info.backend_pid)
            cut.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut_before_the_outbox_row):
        response = client.post(reverse("grievances:intake"), form)

    assert cut, "the intake never reached the outbox: the cut happened nowhere"
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert escape("Rien n'a été enregistré : réessayez dans un instant.") in page
    for leak in ("Traceback", "OperationalError", "INSERT", CNIE, PHONE, NAME, "Fatima"):
        assert leak not in page
    logged = caplog.text
    assert "Database unavailable (OperationalError) during POST /" in logged
    for personal in (CNIE, PHONE, NAME):
        assert personal not in logged
    assert _row_counts() == before  # nothing of the request was committed, in any table
    # The next request gets a fresh connection and works.
    assert client.post(reverse("grievances:intake"), form).status_code == 302


def test_a_request_to_a_stopped_database_gives_the_503_page(tmp_path):
    """A whole process pointed at a PostgreSQL server that is not running (an empty socket
    directory): the public statistics page, which reads the database, answers 503."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/statistiques/')\n"
        "print(response.status_code)\n"
        "print(response.content.decode())\n"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "pmpp.settings",
        "DATABASE_URL": f"postgres://postgres@/pmpp?host={tmp_path}",
        "REPORTING_DATABASE_URL": "",
        "ALLOWED_HOSTS": "testserver",
        "SECRET_KEY": "x",
        "DEBUG": "0",
        "DB_POOL_MIN_SIZE": "0",
        # As in production, static files through their manifest; none was collected here,
        # and the outage page must not fail for it.
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    status, _newline, page = result.stdout.partition("\n")
    assert status == "503", result.stdout + result.stderr
    assert "Service momentanément indisponible" in page
    assert "Traceback" not in page + result.stderr


# --- backup and restore drill (scripts/backup-drill.sh) ---------------------------------------


def _drill(tmp_path: Path, *, tamper_sql: str = "") -> subprocess.CompletedProcess:
    """Run the drill on the test database; with `tamper_sql`, pg_restore is followed by that
    SQL on the restored copy (a restore that lost or altered something)."""
    env = os.environ | {"DATABASE_URL": subprocess_database_url(), "REPORTING_DATABASE_URL": ""}
    if tamper_sql:
        wrapper = tmp_path / "pg_restore"
        wrapper.write_text(
            "#!/usr/bin/env bash\nset -e\n"
            '"$REAL_PG_RESTORE" "$@"\n'
            'for arg in "$@"; do case $arg in --dbname=*) target=${arg#--dbname=};; esac; done\n'
            '"$REAL_PSQL" -X -q -v ON_ERROR_STOP=1 --dbname="$target" -c "$TAMPER_SQL"\n'
        )
        wrapper.chmod(0o755)
        pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        real = {name: str(pg_bin[-1] / name) if pg_bin else name for name in ("pg_restore", "psql")}
        env |= {
            "PG_RESTORE": str(wrapper),
            "REAL_PG_RESTORE": real["pg_restore"],
            "REAL_PSQL": real["psql"],
            "TAMPER_SQL": tamper_sql,
        }
    return subprocess.run(["scripts/backup-drill.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        pattern = f"{connection.settings_dict['NAME']}_drill_%"
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_dump and pg_restore are PostgreSQL's")
def test_the_backup_drill_restores_every_row_and_an_intact_audit_chain(walk, tmp_path):
    walk.closed()
    walk.answer_drafted()
    walk.sensitive()

    result = _drill(tmp_path)

    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    tables = len(connection.introspection.table_names())
    assert f"row counts    : OK ({tables} tables," in out
    assert "audit chain   : OK" in out
    assert "Chaîne d'audit intacte" in out
    assert "RÉUSSI / PASSED" in out
    assert _scratch_databases() == []  # the scratch copy is dropped


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_dump and pg_restore are PostgreSQL's")
def test_the_backup_drill_fails_when_the_restored_copy_misses_rows(walk, tmp_path):
    walk.register()
    walk.register()

    lose_one = "DELETE FROM notifications_outboxmessage WHERE id = (SELECT min(id) FROM notifications_outboxmessage)"

    result = _drill(tmp_path, tamper_sql=lose_one)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "public.notifications_outboxmessage" in result.stdout
    assert "source 2, restaurée / restored 1" in result.stdout
    assert "row counts    : DIFFERENT" in result.stdout
    assert "ÉCHEC / FAILED" in result.stderr
    assert _scratch_databases() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_dump and pg_restore are PostgreSQL's")
def test_the_backup_drill_fails_when_the_restored_audit_chain_is_broken(walk, tmp_path):
    walk.qualified()
    # Same number of rows, the grievance's history rewritten (its triggers off: the table owner can).
    tamper = (
        "ALTER TABLE grievances_historicalgrievance DISABLE TRIGGER ALL; "
        "UPDATE grievances_historicalgrievance SET description = 'réécrit'"
    )

    result = _drill(tmp_path, tamper_sql=tamper)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "row counts    : OK" in result.stdout
    assert "audit chain   : BROKEN" in result.stdout
    assert "ÉCHEC / FAILED" in result.stderr
