"""Reporting reads go to the reporting replica, and only from the reporting screens.

In tests the `reporting` alias is a mirror of default (settings: TEST MIRROR): the same test
database through a second connection, so every query can be traced to the connection that ran
it. A mirror's connection sees committed rows only, hence transactional tests.
"""

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance
from pmpp.db_routers import reporting_reads
from pmpp.models import Programme, Province, Region
from reporting.models import SemesterReport
from reporting.services import semester_report_start
from tests.api.conftest import make_account
from tests.grievances import conftest as grievance_fixtures

# Fixtures shared with the grievance tests: `walk` and the people and reference data it uses.
walk = grievance_fixtures.walk
tayssir = grievance_fixtures.tayssir
hicham = grievance_fixtures.hicham
phone = grievance_fixtures.phone
payment_category = grievance_fixtures.payment_category
payments_unit = grievance_fixtures.payments_unit
unfounded_reason = grievance_fixtures.unfounded_reason

on_both_connections = pytest.mark.django_db(transaction=True, databases=["default", "reporting"])

ROOT = Path(__file__).resolve().parents[2]
GRIEVANCES = Grievance._meta.db_table
DASHBOARD = "/rapports/tableau-de-bord/"


@pytest.fixture
def replica(settings) -> None:
    """Reporting reads routed to the `reporting` alias, as when REPORTING_DATABASE_URL is set."""
    settings.PMPP_REPORTING_DATABASE = "reporting"


@pytest.fixture(autouse=True)
def _close_the_mirror() -> Iterator[None]:
    """The mirror's connection (and its pool, on PostgreSQL) must not outlive the test: the
    test database is flushed after it and dropped at the end of the run."""
    yield
    reporting = connections["reporting"]
    reporting.close()
    if hasattr(reporting, "close_pool"):
        reporting.close_pool()


@contextmanager
def queries_on_each_connection() -> Iterator[tuple[CaptureQueriesContext, CaptureQueriesContext]]:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["reporting"]) as reporting,
    ):
        yield primary, reporting


def tables(queries: CaptureQueriesContext) -> set[str]:
    """The tables the captured queries read or wrote."""
    found: set[str] = set()
    for query in queries.captured_queries:
        found.update(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', query["sql"]))
    return found


def figures_read(queries: CaptureQueriesContext) -> list[str]:
    """Reads of the grievances table, less the navigation's queue counts (grievances/queues.py),
    which every page takes from the primary: a case worker's counts never lag."""
    return [query["sql"] for query in queries.captured_queries if GRIEVANCES in query["sql"] and not queue_count(query)]


def queue_count(query: dict) -> bool:
    return "AS capped" in query["sql"]


def _last_sixty_days() -> dict:
    today = timezone.localdate()
    return {"period": "custom", "start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat()}


# --- the reporting screens read the replica ----------------------------------------------------------------


@on_both_connections
def test_the_dashboard_reads_its_figures_on_the_reporting_replica(client, replica, walk, nadia):
    walk.register()
    walk.closed()
    client.force_login(nadia)  # a head: the dashboard, and the queues in the navigation
    with queries_on_each_connection() as (primary, reporting):
        response = client.get(DASHBOARD, _last_sixty_days())
    assert response.status_code == 200
    assert response.context["dashboard"].overall.received == 2  # the mirror sees the committed rows
    assert figures_read(reporting)
    assert any(queue_count(query) for query in primary.captured_queries)
    # The signed-in user and the session come from the primary: the session is written back at
    # the end of every request and must never be read from a replica that lags.
    assert "django_session" in tables(primary)
    assert "django_session" not in tables(reporting)


@on_both_connections
def test_the_dashboard_and_its_download_read_no_figure_on_the_primary(client, replica, walk, omar):
    walk.register()
    client.force_login(omar)
    with queries_on_each_connection() as (primary, _reporting):
        assert client.get(DASHBOARD, _last_sixty_days()).status_code == 200
        assert client.get(f"{DASHBOARD}export.xlsx", _last_sixty_days()).status_code == 200
    assert figures_read(primary) == []


@on_both_connections
def test_the_public_statistics_page_reads_the_reporting_replica(client, replica, walk):
    for _ in range(5):
        walk.register()
    with queries_on_each_connection() as (primary, reporting):
        response = client.get(reverse("reporting:public_statistics"))
    assert response.status_code == 200
    assert 5 in [cell[0] for row in response.context["programmes"] for cell in row["cells"]]  # received
    assert GRIEVANCES in tables(reporting)
    assert figures_read(primary) == []


@on_both_connections
def test_the_statistics_api_reads_the_reporting_replica(replica, walk):
    _account, api = make_account(name="centre-appel", channel="call-centre")
    walk.closed()
    today = timezone.localdate()
    with queries_on_each_connection() as (primary, reporting):
        response = api.get(
            "/api/v1/statistics/", {"period": "quarter", "year": today.year, "number": (today.month - 1) // 3 + 1}
        )
    assert response.status_code == 200
    assert "api_integrationaccount" in tables(primary)  # the token is checked on the primary
    assert GRIEVANCES in tables(reporting)
    assert figures_read(primary) == []


@on_both_connections
def test_a_draft_report_is_previewed_and_downloaded_from_the_reporting_replica(client, replica, walk, leila):
    walk.register()
    today = timezone.localdate()
    report = semester_report_start(actor=leila, year=today.year, semester=1 if today.month <= 6 else 2)
    client.force_login(leila)
    with queries_on_each_connection() as (primary, reporting):
        page = client.get(reverse("reporting:report_detail", args=[report.pk]))
        download = client.get(reverse("reporting:report_download", args=[report.pk, "csv"]))
    assert (page.status_code, download.status_code) == (200, 200)
    assert GRIEVANCES in tables(reporting)
    # The report itself is read on the primary: after an approval its page shows the new status.
    assert SemesterReport._meta.db_table in tables(primary)
    assert figures_read(primary) == []


# --- everything else stays on the primary -------------------------------------------------------------------


@on_both_connections
def test_approving_a_report_reads_and_writes_only_the_primary(client, replica, walk, leila):
    walk.register()
    today = timezone.localdate()
    report = semester_report_start(actor=leila, year=today.year, semester=1 if today.month <= 6 else 2)
    client.force_login(leila)
    url = reverse("reporting:report_approve", args=[report.pk])
    with queries_on_each_connection() as (primary, reporting):
        response = client.post(url, {"confirm": "yes", "unfinished_semester": "acknowledged"}, follow=True)
    assert response.status_code == 200
    assert response.context["report"].status == SemesterReport.Status.APPROVED
    assert reporting.captured_queries == []
    assert GRIEVANCES in tables(primary)  # the snapshot is computed from the primary


@on_both_connections
def test_a_queue_page_reads_only_the_primary(client, replica, walk, salma):
    walk.register()
    client.force_login(salma)
    with queries_on_each_connection() as (primary, reporting):
        response = client.get(reverse("grievances:queue", args=["a-qualifier"]))
    assert response.status_code == 200
    assert GRIEVANCES in tables(primary)
    assert reporting.captured_queries == []


@on_both_connections
def test_a_workflow_step_and_the_page_after_it_read_only_the_primary(client, replica, walk, salma):
    grievance = walk.qualified()
    client.force_login(salma)
    with queries_on_each_connection() as (primary, reporting):
        response = client.post(
            reverse("grievances:step", args=[grievance.pk, "analyse"]),
            {"expected_status": "qualified", "analysis_conclusion": "Paiement rejeté", "outcome": "founded"},
            follow=True,
        )
    assert 'id="grievance-status">Analysée</span>' in response.content.decode()
    assert GRIEVANCES in tables(primary)
    assert reporting.captured_queries == []


@on_both_connections
def test_without_a_replica_the_reporting_screens_read_the_primary(client, walk, omar, settings):
    assert settings.PMPP_REPORTING_DATABASE == "default"  # REPORTING_DATABASE_URL is unset in tests
    walk.register()
    client.force_login(omar)
    with queries_on_each_connection() as (primary, reporting):
        response = client.get(DASHBOARD, _last_sixty_days())
        assert client.get(reverse("reporting:public_statistics")).status_code == 200
    assert response.context["dashboard"].overall.received == 1
    assert GRIEVANCES in tables(primary)
    assert reporting.captured_queries == []


# --- the scope ------------------------------------------------------------------------------------------


@on_both_connections
def test_reads_go_to_the_replica_only_inside_the_scope(replica, tayssir):
    with queries_on_each_connection() as (primary, reporting):
        Programme.objects.get(code="tayssir")
        with reporting_reads():
            in_scope = Programme.objects.get(code="tayssir")
        after = Programme.objects.get(code="tayssir")
    assert (in_scope._state.db, after._state.db) == ("reporting", "default")
    assert len(reporting.captured_queries) == 1
    assert len(primary.captured_queries) == 2


@on_both_connections
def test_the_session_is_read_on_the_primary_even_inside_the_scope(client, replica, omar):
    """A session is written back at the end of every request: read from a replica that lags,
    it would sign the user out, or overwrite what the primary holds with older data."""
    client.force_login(omar)
    with reporting_reads(), queries_on_each_connection() as (primary, reporting):
        data = SessionStore(session_key=client.session.session_key).load()
    assert data["_auth_user_id"] == str(omar.pk)
    assert "django_session" in tables(primary)
    assert reporting.captured_queries == []


@on_both_connections
def test_writes_inside_the_scope_go_to_the_primary_and_may_point_to_replica_rows(replica):
    with reporting_reads(), queries_on_each_connection() as (primary, reporting):
        region = Region.objects.order_by("pk").first()
        province = Province.objects.create(region=region, code="zz-test", name="Province d'essai", kind="province")
    assert region._state.db == "reporting"
    assert province._state.db == "default"
    assert [query["sql"].split()[0] for query in reporting.captured_queries] == ["SELECT"]
    assert Province._meta.db_table in tables(primary)
    assert Province.objects.filter(code="zz-test", region=region).exists()


def test_the_scope_does_not_leak_to_other_threads_and_ends_with_its_block(replica):
    seen_by_thread = []
    with reporting_reads():
        thread = threading.Thread(target=lambda: seen_by_thread.append(router.db_for_read(Grievance)))
        thread.start()
        thread.join()
        in_scope = router.db_for_read(Grievance)
        with reporting_reads():
            pass
        still_in_scope = router.db_for_read(Grievance)
    assert seen_by_thread == ["default"]
    assert (in_scope, still_in_scope, router.db_for_read(Grievance)) == ("reporting", "reporting", "default")


def test_the_scope_as_a_decorator_covers_each_call_and_nothing_after(replica):
    @reporting_reads()
    def read() -> str:
        return router.db_for_read(Grievance)

    assert [read(), read(), router.db_for_read(Grievance)] == ["reporting", "reporting", "default"]


def test_writes_and_migrations_go_to_the_primary_only():
    with reporting_reads():
        assert router.db_for_write(Grievance) == "default"
    assert router.allow_migrate("default", "grievances", model_name="grievance") is True
    assert router.allow_migrate("reporting", "grievances", model_name="grievance") is False


# --- settings -------------------------------------------------------------------------------------------


def _settings_in_subprocess(env: dict[str, str], expression: str):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REPORTING_DATABASE_URL"}}
    code = f"import json, pmpp.settings as s; print(json.dumps({expression}, default=str))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_reporting_database_url_names_the_replica_with_its_own_pool():
    found = _settings_in_subprocess(
        {
            "DATABASE_URL": "postgres://pmpp:secret@db-primary.internal:5432/pmpp",
            "REPORTING_DATABASE_URL": "postgres://pmpp_ro:secret@db-replica.internal:5432/pmpp",
        },
        "[s.DATABASES['reporting'], s.PMPP_REPORTING_DATABASE, s.DATABASE_ROUTERS]",
    )
    reporting, routed_to, routers = found
    assert reporting["HOST"] == "db-replica.internal"
    assert reporting["USER"] == "pmpp_ro"
    assert reporting["OPTIONS"]["pool"]["max_size"] == 10
    assert reporting["TEST"] == {"MIRROR": "default"}
    assert routed_to == "reporting"
    assert routers == ["pmpp.db_routers.ReportingRouter"]


def test_without_reporting_database_url_reporting_reads_stay_on_the_primary():
    reporting, default, routed_to = _settings_in_subprocess(
        {"DATABASE_URL": "postgres://pmpp:secret@db-primary.internal:5432/pmpp"},
        "[s.DATABASES['reporting'], s.DATABASES['default'], s.PMPP_REPORTING_DATABASE]",
    )
    assert routed_to == "default"
    assert reporting["HOST"] == default["HOST"] == "db-primary.internal"
