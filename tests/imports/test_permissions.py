"""Who may import, whose imports one sees, and no personal data in URLs or logs."""

import logging
import re

import pytest

from grievances.models import Grievance
from tests.imports.conftest import csv_file, good_row, last_job, mixed_rows, upload

PAGES = ["/reclamations/imports/", "/reclamations/imports/nouveau/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("url", PAGES)
def test_ministry_staff_get_403(client, omar, url):
    client.force_login(omar)

    assert client.get(url).status_code == 403


def test_ministry_staff_cannot_post_a_file(client, omar, media):
    client.force_login(omar)

    response = upload(client, csv_file([good_row(1)]))

    assert response.status_code == 403
    assert Grievance.objects.count() == 0


def test_another_agent_does_not_see_someone_elses_import(agent_client, client, rachid):
    upload(agent_client, csv_file([good_row(1)]))
    job = last_job()
    client.force_login(rachid)

    assert client.get(f"/reclamations/imports/{job.pk}/").status_code == 404
    assert client.get(f"/reclamations/imports/{job.pk}/rapport.csv").status_code == 404
    assert client.post(f"/reclamations/imports/{job.pk}/importer/").status_code == 404
    assert Grievance.objects.count() == 0


def test_the_head_of_beneficiary_services_may_import(client, nadia, media):
    client.force_login(nadia)

    upload(client, csv_file([good_row(1)]))
    client.post(f"/reclamations/imports/{last_job().pk}/importer/")

    assert Grievance.objects.get().created_by == nadia


def test_no_personal_data_or_file_name_in_urls_or_logs(agent_client, caplog):
    rows = mixed_rows()
    caplog.set_level(logging.DEBUG)
    urls = []

    response = upload(agent_client, csv_file(rows, name="plaintes Fatima El Amrani.csv"))
    urls.append(response["Location"])
    page = agent_client.get(response["Location"]).content.decode()
    response = agent_client.post(f"/reclamations/imports/{last_job().pk}/importer/")
    urls.append(response["Location"])
    page += agent_client.get(response["Location"]).content.decode()
    page += agent_client.get("/reclamations/imports/").content.decode()
    urls += re.findall(r'(?:href|action|hx-get)="([^"]+)"', page)

    logs = "\n".join(record.getMessage() for record in caplog.records)
    secrets = ["Fatima", "Amrani", "plaintes"] + [value for row in rows for value in (row[5], row[6]) if value]
    for secret in secrets:
        assert not any(secret in url for url in urls), secret
        assert secret not in logs, secret


def test_an_agent_sees_the_upload_form_with_the_columns_and_their_own_imports(agent_client):
    page = agent_client.get("/reclamations/imports/nouveau/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    for header in ("N° de la plainte", "Référence Médiateur", "Date de l&#x27;appel"):
        assert header in page

    upload(agent_client, csv_file([good_row(1)], name="plaintes Fatima El Amrani.csv"))
    listing = agent_client.get("/reclamations/imports/").content.decode()

    assert f'href="/reclamations/imports/{last_job().pk}/"' in listing
    assert "Amrani" not in listing  # the file name is shown on the job's own page only
