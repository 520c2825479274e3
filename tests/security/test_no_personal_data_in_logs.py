"""A CNIE or a phone number never reaches a log line or an error report (Law 09-08, issue 9 §5).

Each test drives a real request, task or import carrying a CNIE and a phone number, and reads
what the configured logging actually wrote: every stream handler installed by the settings
(and by Django's defaults) writes into a buffer instead of the console, and the error e-mail
to ADMINS goes to Django's test outbox.
"""

import io
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from imports.models import ImportJob
from notifications.models import OutboxMessage
from tests.api.conftest import chikaya, intake  # noqa: F401  (the chikaya.ma integration account)
from tests.imports.conftest import csv_file, good_row, upload
from tests.notifications.conftest import run_worker, sms_outbox  # noqa: F401  (SMS kept in memory)

pytestmark = pytest.mark.django_db

CNIE = "BK482913"
PHONE = "0661234578"
# The forms a phone number takes once normalised or spelled in a gateway's message.
PHONE_FORMS = (PHONE, "+212661234578", "661234578")


@csrf_exempt
def failing_view(request):
    """A bug deep in a service whose exception quotes what the user typed, as bugs do."""
    data = request.POST
    raise LookupError(f"aucun bénéficiaire pour la CNIE {data['cnie']} ni le téléphone {data['phone']}")


urlpatterns = [path("panne/", failing_view), path("", include("pmpp.urls"))]


@pytest.fixture
def log_output():
    """What the configured handlers write: each stream handler of every logger, into one buffer."""
    buffer = io.StringIO()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    handlers = {h for logger in loggers for h in getattr(logger, "handlers", []) if type(h) is logging.StreamHandler}
    assert handlers, "no console handler configured"
    previous = {handler: handler.setStream(buffer) for handler in handlers}
    yield buffer
    for handler, stream in previous.items():
        handler.setStream(stream)


def assert_no_personal_data(text: str) -> None:
    for secret in (CNIE, *PHONE_FORMS):
        assert secret not in text


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_server_error_logs_and_mails_no_cnie_or_phone(settings, log_output, caplog, debug):
    settings.DEBUG = debug
    settings.ADMINS = ["exploitation@pmpp.example.ma"]
    mail.outbox = []

    response = Client(raise_request_exception=False).post(
        f"/panne/?cnie={CNIE}", {"cnie": CNIE, "phone": PHONE, "name": "Khadija Benali"}
    )

    assert response.status_code == 500
    # The error was reported, with its type and the route: enough to act on.
    assert "LookupError" in log_output.getvalue()
    assert "/panne/" in log_output.getvalue()
    assert_no_personal_data(log_output.getvalue())
    assert caplog.records  # the records did reach the handlers
    if not debug:
        (report,) = mail.outbox
        assert "LookupError" in report.body
        assert_no_personal_data(report.subject + report.body)
        for _content, _type in getattr(report, "alternatives", []):
            assert_no_personal_data(str(_content))


def test_api_validation_errors_neither_log_nor_echo_a_cnie_or_phone(chikaya, log_output, caplog):  # noqa: F811
    _account, api = chikaya

    response = api.post(
        "/api/v1/grievances/",
        # An integration that shifted its columns: identity in the code and choice fields.
        intake(
            cnie=f"{CNIE}{CNIE}{CNIE}",
            phone=f"{PHONE}{PHONE}{PHONE}",
            region=CNIE,
            sex=CNIE,
            age_group=PHONE,
            residence=CNIE,
            preferred_contact=PHONE,
            received_at=PHONE,
            channel=PHONE,
        ),
    )

    assert response.status_code == 400
    assert_no_personal_data(log_output.getvalue())
    assert_no_personal_data(caplog.text)
    assert_no_personal_data(response.content.decode())
    # The same with the programme and the category, read before the rest.
    for wrong in ({"programme": CNIE}, {"category": PHONE}):
        response = api.post("/api/v1/grievances/", intake(**wrong))
        assert response.status_code == 400
        assert_no_personal_data(response.content.decode())
    assert_no_personal_data(log_output.getvalue())


@pytest.mark.django_db(transaction=True)  # the real worker commits, as in production
def test_the_task_worker_logs_sends_and_failures_without_the_number(walk, settings, log_output, caplog):
    walk.register(cnie=CNIE, phone=PHONE)
    settings.PMPP_SMS_BACKEND = "tests.notifications.backends.FailingSmsBackend"

    run_worker()

    message = OutboxMessage.objects.get()
    assert message.attempts == 1
    assert "ConnectionError" in log_output.getvalue()  # the gateway echoed the number
    assert_no_personal_data(log_output.getvalue())
    assert_no_personal_data(caplog.text)
    assert_no_personal_data(message.last_error)

    settings.PMPP_SMS_BACKEND = "notifications.backends.LocmemSmsBackend"
    OutboxMessage.objects.update(next_attempt_at=message.created_at)
    run_worker()
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert_no_personal_data(log_output.getvalue())


@pytest.mark.django_db(transaction=True)  # the real worker commits, as in production
def test_an_import_logs_and_reports_no_cnie_or_phone(client, salma, settings, tmp_path, log_output, caplog):
    settings.MEDIA_ROOT = tmp_path
    settings.PMPP_IMPORT_SYNC_ROWS = 1  # through the task worker, as a large file would go
    client.force_login(salma)
    good = good_row(1)
    good[5], good[6] = CNIE, PHONE
    bad_phone = good_row(2)
    bad_phone[5], bad_phone[6] = "AB200002", f"{PHONE}123"
    bad_cnie = good_row(3)
    bad_cnie[5], bad_cnie[6] = f"{CNIE}-{CNIE}", PHONE

    upload(client, csv_file([good, bad_phone, bad_cnie]))
    run_worker()
    job = ImportJob.objects.get()

    assert (job.status, job.invalid_rows) == (ImportJob.Status.VALIDATED, 2)
    assert "Import job" in log_output.getvalue()
    report = repr(job.errors) + job.failure
    for text in (log_output.getvalue(), caplog.text, report):
        assert_no_personal_data(text)
        assert "AB200002" not in text


def test_a_search_and_the_complainant_page_log_and_show_no_cnie_or_phone_in_any_url(
    client, walk, rachid, omar, log_output, caplog
):
    """Search by CNIE and by phone, its results, the complainant's page, and their refusals
    (which Django logs with the path): the identity is in no URL, hence in no log line."""
    grievance = walk.register(cnie=CNIE, phone=PHONE)
    client.force_login(walk.agent)
    urls = []
    for term in (CNIE, PHONE, "06 61 23 45 78"):
        searched = client.post("/reclamations/recherche/", {"q": term})
        assert searched.status_code == 303
        urls.append(searched["Location"])
        assert grievance.reference in client.get(searched["Location"]).content.decode()
    complainant = f"/reclamations/{grievance.pk}/reclamant/"
    assert client.get(complainant).status_code == 200
    urls.append(complainant)
    # Refused: another programme's agent (404), ministry staff (403), each logged with its path.
    for user, status in ((rachid, 404), (omar, 403)):
        client.force_login(user)
        assert client.get(complainant).status_code == status
        assert client.get(urls[0]).status_code in (200, 403)

    assert complainant in log_output.getvalue()  # the refusals were logged, with the route
    for text in (*urls, log_output.getvalue(), caplog.text):
        assert_no_personal_data(text)
