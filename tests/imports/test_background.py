"""A large file runs in the real django-tasks-db worker; the page polls its progress with htmx."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from grievances.models import Grievance
from imports.models import ImportJob
from tests.imports.conftest import csv_file, good_row, last_job, upload

pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    """One batch of the real worker, in this process: every queued task, then exit."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_a_large_file_is_checked_and_imported_by_the_task_worker_with_progress(agent_client, settings):
    settings.PMPP_IMPORT_SYNC_ROWS = 5
    rows = [good_row(n) for n in range(1, 13)]

    upload(agent_client, csv_file(rows))
    job = last_job()
    assert job.status == ImportJob.Status.VALIDATING
    page = agent_client.get(f"/reclamations/imports/{job.pk}/").content.decode()
    assert f'hx-get="/reclamations/imports/{job.pk}/progression/"' in page
    assert 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="0"' in page

    _run_worker()

    job.refresh_from_db()
    assert (job.status, job.processed, job.valid_rows, job.progress_percent) == (
        ImportJob.Status.VALIDATED,
        12,
        12,
        100,
    )
    assert Grievance.objects.count() == 0
    progress = agent_client.get(f"/reclamations/imports/{job.pk}/progression/", headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"  # finished: the page reloads to show the results
    assert 'aria-valuenow="100"' in progress.content.decode()
    assert "hx-trigger" not in progress.content.decode()

    agent_client.post(f"/reclamations/imports/{job.pk}/importer/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
    assert Grievance.objects.count() == 0

    _run_worker()

    job.refresh_from_db()
    assert (job.status, job.created_count, job.progress_percent) == (ImportJob.Status.DONE, 12, 100)
    assert Grievance.objects.count() == 12
    ours = DBTaskResult.objects.filter(task_path="imports.tasks.run_import_job")
    assert list(ours.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_small_file_runs_in_the_request_without_a_task(agent_client, settings):
    settings.PMPP_IMPORT_SYNC_ROWS = 5

    upload(agent_client, csv_file([good_row(n) for n in range(1, 6)]))

    assert last_job().status == ImportJob.Status.VALIDATED
    assert not DBTaskResult.objects.filter(task_path="imports.tasks.run_import_job").exists()


def test_a_dry_run_sends_nothing_and_queues_no_other_task(agent_client, settings):
    settings.PMPP_IMPORT_SYNC_ROWS = 5
    upload(agent_client, csv_file([good_row(n) for n in range(1, 13)]))

    _run_worker()

    assert last_job().status == ImportJob.Status.VALIDATED
    # Rolled-back savepoints drop their on-commit hooks: no acknowledgement is sent for a dry run.
    assert not DBTaskResult.objects.exclude(task_path="imports.tasks.run_import_job").exists()


def test_an_unexpected_error_in_the_worker_marks_the_job_failed(agent_client, settings):
    settings.PMPP_IMPORT_SYNC_ROWS = 5
    upload(agent_client, csv_file([good_row(n) for n in range(1, 13)]))
    job = last_job()
    job.file.storage.delete(job.file.name)  # the stored file has gone missing

    _run_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert DBTaskResult.objects.get(task_path="imports.tasks.run_import_job").status == "FAILED"
    page = agent_client.get(f"/reclamations/imports/{job.pk}/").content.decode()
    assert "Erreur inattendue pendant le traitement" in page
