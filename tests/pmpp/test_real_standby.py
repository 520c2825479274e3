"""The reporting replica on a real PostgreSQL streaming hot standby.

tests/pmpp/test_db_router.py traces every query to the connection that ran it, but both of its
connections reach the same test database. Here the `reporting` alias is a real hot standby of
the primary (scripts/pg-standby.sh), and the proof is in the data: with replay paused on the
standby, a grievance written on the primary exists there only. The reporting screens must not
count it until replay resumes; the case worker's pages must show it at once.

The application runs in its own process (tests/pmpp/standby_scenario.py), pointed at the pair
as production would be, and reports what each screen showed; the tests below judge it. Runs
with the rest of the suite, whatever database the suite itself uses: it needs the PostgreSQL
binaries (scripts/system-deps.sh, run by `make test`) and fails, never skips, without them.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pg-standby.sh"


@pytest.fixture(scope="module")
def observed() -> Iterator[dict]:
    """Start a primary and its standby, run the scenario against them, stop them (also when
    anything fails), and give what the scenario saw."""
    if not glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.fail("PostgreSQL is not installed: run scripts/system-deps.sh (as root) or `make test`.")
    # Not pytest's tmp_path: as root the servers run as `postgres`, who must be able to enter it.
    folder = Path(tempfile.mkdtemp(prefix="pmpp-standby-", dir="/tmp"))
    try:
        started = _run([str(SCRIPT), "start", str(folder), "pmpp_standby"], env=os.environ, folder=folder)
        urls = dict(line.split("=", 1) for line in started.stdout.split())
        out = folder / "observed.json"
        clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REPORTING_DATABASE_URL"}}
        env = clean | {
            # Each alias names itself to the server: pg_stat_activity tells their connections apart.
            "DATABASE_URL": urls["DATABASE_URL"] + "&application_name=pmpp-primary",
            "REPORTING_DATABASE_URL": urls["REPORTING_DATABASE_URL"] + "&application_name=pmpp-reporting",
            "SECRET_KEY": "standby-test-" + "x" * 40,
            "DEBUG": "0",
            "STATIC_MANIFEST": "0",
            "ALLOWED_HOSTS": "testserver",
            "PMPP_PUBLIC_STATISTICS": "1",
            # Every public count shown as a number (not « <5 »), so that a difference of one shows.
            "PMPP_PUBLIC_SMALL_CELL": "1",
            "LOG_LEVEL": "WARNING",
        }
        _run([sys.executable, "-m", "tests.pmpp.standby_scenario", str(out)], env=env, folder=folder)
        yield json.loads(out.read_text())
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder)], check=False, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], *, env, folder: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        logs = "".join(f"\n--- {log.name}\n{log.read_text()[-2000:]}" for log in sorted(folder.glob("*.log")))
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-4000:]}{logs}")
    return result


def test_the_reporting_alias_is_a_streaming_hot_standby_of_the_primary(observed):
    assert observed["servers"] == {"primary_in_recovery": False, "standby_in_recovery": True, "streaming": 1}
    # What Django's two aliases reach: the primary, and a server in recovery.
    assert observed["aliases_in_recovery"] == {"default": False, "reporting": True}


def test_a_grievance_written_while_replay_is_paused_exists_on_the_primary_only(observed):
    assert observed["fresh_grievance"]["on_primary"] == 1
    assert observed["fresh_grievance"]["on_standby"] == 0
    assert observed["primary_count_while_paused"] == observed["primary_count_before"] + 1


def test_the_reporting_screens_read_the_standby_and_do_not_count_it_yet(observed):
    """The ministry's dashboard, the public statistics and the draft semester report's preview."""
    before, while_paused = observed["before"], observed["while_paused"]
    assert set(before) == {"dashboard", "public_statistics", "report_preview"}
    assert all(isinstance(count, int) and count > 0 for count in before.values())
    assert while_paused == before


def test_once_the_standby_has_replayed_it_the_reporting_screens_count_it(observed):
    assert observed["fresh_grievance"]["on_standby_after_resume"] == 1
    assert observed["after_resume"] == {screen: count + 1 for screen, count in observed["before"].items()}


def test_case_worker_pages_read_the_primary_and_show_the_fresh_grievance_at_once(observed):
    assert observed["case_worker_sees_the_fresh_grievance"] == {"queue": True, "file": True, "search": True}
    assert observed["case_worker_sees_a_known_grievance"] == {"queue": True, "file": True, "search": True}


def test_only_the_reporting_screens_open_a_connection_to_the_standby(observed):
    connections = observed["reporting_connections"]
    # The queue, a file and a search open none; the first reporting screen opens the pool.
    assert connections["at_start"] == 0
    assert connections["after_case_work"] == 0
    assert connections["after_reporting_screens"] >= 1


def test_a_write_inside_the_reporting_scope_goes_to_the_primary(observed):
    write = observed["write_in_scope"]
    assert write["region_read_from"] == "reporting"  # the read inside the scope: the standby
    assert write["province_written_to"] == "default"
    assert (write["on_primary"], write["history_on_primary"], write["on_standby"]) == (1, 1, 0)
    assert write["on_standby_after_resume"] == 1


def test_the_standby_itself_refuses_writes(observed):
    """Why writes must never be routed there: the control for the test above."""
    assert observed["write_on_reporting_alias"] == "cannot execute UPDATE in a read-only transaction"
