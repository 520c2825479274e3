"""A retry after a 503 whose request was saved gets the original grievance (issue 17, item 7).

A load run saved one grievance more than it acknowledged: the connection was lost while the
intake committed, the COMMIT had reached PostgreSQL, and the client got a 503 saying nothing
was saved. The 503 must say the outcome is unknown, and the client's retry with the same
Idempotency-Key must get the grievance that was saved (200), never a second one.
"""

from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, transaction

from api.models import IntakeRequest
from grievances.models import Grievance
from notifications.models import OutboxMessage
from tests.api.conftest import intake

GRIEVANCES = "/api/v1/grievances/"
KEY = {"Idempotency-Key": "chk-2026-000042"}


class _AnswerLostAfterCommit:
    """The driver's connection, whose next COMMIT reaches the database and whose answer is lost."""

    def __init__(self, wrapper):
        self._wrapper, self._real = wrapper, wrapper.connection

    def commit(self):
        self._real.commit()
        self._wrapper.connection = self._real  # once
        raise self._wrapper.Database.OperationalError("server closed the connection unexpectedly")

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __setattr__(self, name, value):
        # Django turns autocommit on and off on the driver's connection: the real one's.
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._real, name, value)


@contextmanager
def _commit_answer_lost():
    connection.ensure_connection()
    connection.connection = _AnswerLostAfterCommit(connection)
    yield


@contextmanager
def _database_lost_after_commit():
    """The database gone just after the intake committed, before the answer (an on_commit hook)."""

    def lost():
        raise OperationalError("server closed the connection unexpectedly")

    def on_insert_of_the_key(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "api_intakerequest"'):
            transaction.on_commit(lost)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(on_insert_of_the_key):
        yield


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(_commit_answer_lost, id="commit-answer-lost"),
        pytest.param(_database_lost_after_commit, id="lost-after-commit"),
    ],
)
def test_a_retry_after_a_503_that_was_saved_returns_the_original_grievance(chikaya, failure, caplog):
    _account, api = chikaya
    body = intake(description="Ma bourse n'est pas arrivée.")

    with failure():
        lost = api.post(GRIEVANCES, body, **KEY)

    assert lost.status_code == 503
    assert lost["Retry-After"] == "30"
    data = lost.json()
    assert data["code"] == "outcome_unknown"
    assert "Rien n'a été enregistré" not in data["detail"]
    assert "même clé d'idempotence" in data["detail"]
    assert "at or after the commit" in caplog.text
    saved = Grievance.objects.get()  # the 503 was answered for a committed intake

    retry = api.post(GRIEVANCES, body, **KEY)

    assert retry.status_code == 200
    assert retry.json()["reference"] == saved.reference
    assert retry.json()["replayed"] is True
    assert Grievance.objects.count() == IntakeRequest.objects.count() == 1
    assert OutboxMessage.objects.filter(grievance=saved).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_lost_before_the_commit_still_says_nothing_was_saved(chikaya):
    _account, api = chikaya

    def lost_at_the_key(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "api_intakerequest"'):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lost_at_the_key):
        lost = api.post(GRIEVANCES, intake(), **KEY)

    assert lost.status_code == 503
    assert lost.json()["code"] == "unavailable"
    assert "Rien n'a été enregistré" in lost.json()["detail"]
    assert not Grievance.objects.exists()
    assert api.post(GRIEVANCES, intake(), **KEY).status_code == 201
