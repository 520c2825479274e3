"""The job's progress is saved every few rows while it runs, for the progress bar."""

from django.db.models.signals import post_save

from imports import services
from imports.models import ImportJob
from tests.imports.conftest import csv_file, good_row, last_job, upload


def test_progress_is_saved_every_n_rows_and_reaches_100_percent(agent_client, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 5)
    saved = []

    def record(sender, instance, **kwargs):
        saved.append((instance.status, instance.processed))

    post_save.connect(record, sender=ImportJob, weak=False)
    try:
        upload(agent_client, csv_file([good_row(n) for n in range(1, 13)]))
    finally:
        post_save.disconnect(record, sender=ImportJob)

    assert saved == [
        ("uploaded", 0),
        ("validating", 0),
        ("validating", 5),
        ("validating", 10),
        ("validated", 12),
    ]
    assert last_job().progress_percent == 100


def test_a_failure_in_the_request_shows_the_failed_job_not_an_error_page(agent_client):
    upload(agent_client, csv_file([good_row(1)]))
    job = last_job()
    job.file.storage.delete(job.file.name)

    response = agent_client.post(f"/reclamations/imports/{job.pk}/importer/", follow=True)

    job.refresh_from_db()
    assert response.status_code == 200
    assert job.status == ImportJob.Status.FAILED
    assert "Erreur inattendue pendant le traitement" in response.content.decode()
