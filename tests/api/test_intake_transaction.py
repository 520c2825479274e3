"""An API intake is one transaction, with no savepoint, and a replay is answered whatever the
intake checks would say now (issue 8: API create throughput, without changing what it answers)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import IntakeRequest
from grievances.models import Grievance
from notifications.models import OutboxMessage
from pmpp import roles
from tests.api.conftest import intake

GRIEVANCES = "/api/v1/grievances/"


def _sql(query: dict) -> str:
    # A statement bound by the server (the intake's, pmpp.prepared) is logged by Django as
    # "QUERY = '…' PARAMS = …".
    return query["sql"].removeprefix("QUERY = '")


def _statements(captured: CaptureQueriesContext, *starts: str) -> list[str]:
    return [_sql(q) for q in captured.captured_queries if _sql(q).startswith(starts)]


@pytest.mark.django_db(transaction=True)  # the intake's own transaction, not the test's
def test_an_intake_and_its_acknowledgement_task_commit_together_without_savepoints(chikaya):
    _account, api = chikaya
    api.post(GRIEVANCES, intake(cnie="CD112233"))  # the year's counter row exists
    with CaptureQueriesContext(connection) as captured:
        response = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    assert response.status_code == 201
    assert _statements(captured, "SAVEPOINT", "RELEASE SAVEPOINT") == []
    assert len(_statements(captured, "BEGIN")) == 1
    # The task that sends the acknowledgement is written inside that transaction, not after it.
    task_inserts = _statements(captured, 'INSERT INTO "django_tasks_database_dbtaskresult"')
    assert len(task_inserts) == 1
    statements = [_sql(q) for q in captured.captured_queries]
    assert statements.index(_statements(captured, "BEGIN")[0]) < statements.index(task_inserts[0])
    assert statements.index(task_inserts[0]) < statements.index(_statements(captured, "COMMIT")[0])
    grievance = Grievance.objects.get(reference=response.json()["reference"])
    assert OutboxMessage.objects.filter(grievance=grievance, event="acknowledgement").count() == 1


def _withdraw_the_right_to_file(account) -> None:
    account.user.groups.remove(Group.objects.get(name=roles.ROLES_BY_CODE[roles.INTEGRATION_ACCOUNT].group_name))


def test_a_replayed_key_is_answered_even_after_the_account_lost_the_right_to_file(chikaya):
    account, api = chikaya
    first = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    _withdraw_the_right_to_file(account)

    replay = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    new = api.post(GRIEVANCES, intake(cnie="CD112233"), **{"Idempotency-Key": "req-2"})

    assert (first.status_code, replay.status_code, new.status_code) == (201, 200, 403)
    assert replay.json()["reference"] == first.json()["reference"]
    assert Grievance.objects.count() == IntakeRequest.objects.count() == 1


def test_a_replayed_external_reference_is_answered_even_after_the_account_lost_the_right_to_file(chikaya):
    account, api = chikaya
    first = api.post(GRIEVANCES, intake(external_reference="CHK-9"))
    _withdraw_the_right_to_file(account)

    replay = api.post(GRIEVANCES, intake(external_reference="CHK-9"))
    different = api.post(GRIEVANCES, intake(external_reference="CHK-9", description="Autre chose."))

    assert (first.status_code, replay.status_code, different.status_code) == (201, 200, 422)
    assert replay.json()["reference"] == first.json()["reference"]
    assert Grievance.objects.count() == 1


def test_a_replay_of_an_open_complaint_adds_no_duplicate_and_no_reference(chikaya):
    _account, api = chikaya
    first = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"}).json()
    replay = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    after = api.post(GRIEVANCES, intake(cnie="CD112233"), **{"Idempotency-Key": "req-2"}).json()

    assert replay.status_code == 200
    assert not Grievance.objects.filter(status=Grievance.Status.DUPLICATE).exists()
    # The replay's reference number was rolled back with it: the next intake takes the next one.
    assert int(after["reference"].rsplit("-", 1)[1]) == int(first["reference"].rsplit("-", 1)[1]) + 1
