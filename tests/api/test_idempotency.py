"""A replayed intake returns the original grievance, one after the other or at the same time."""

import threading

import pytest
from django.db import connection  # noqa: F401  (named by the skipif conditions)

from api.models import IntakeRequest
from grievances.models import Grievance
from tests.api.conftest import intake, make_account

GRIEVANCES = "/api/v1/grievances/"


def test_replaying_a_key_returns_the_original_grievance(chikaya):
    _account, api = chikaya
    first = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    # The same body with its keys in another order is the same request.
    body = dict(reversed(list(intake().items())))
    replay = api.post(GRIEVANCES, body, **{"Idempotency-Key": "req-1"})
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["reference"] == first.json()["reference"]
    assert replay.json()["replayed"] is True
    assert Grievance.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(chikaya):
    _account, api = chikaya
    api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    response = api.post(GRIEVANCES, intake(description="Autre chose."), **{"Idempotency-Key": "req-1"})
    assert response.status_code == 422
    assert "clé d'idempotence a déjà servi" in response.json()["detail"]
    assert Grievance.objects.count() == 1


def test_keys_belong_to_their_account(chikaya):
    _account, api = chikaya
    _other, other_api = make_account(name="autre-portail")
    assert api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"}).status_code == 201
    assert other_api.post(GRIEVANCES, intake(cnie="CD112233"), **{"Idempotency-Key": "req-1"}).status_code == 201
    assert Grievance.objects.count() == 2


def test_without_a_key_each_request_is_a_new_grievance(chikaya):
    _account, api = chikaya
    api.post(GRIEVANCES, intake())
    api.post(GRIEVANCES, intake(cnie="CD112233"))
    assert Grievance.objects.count() == 2


def test_the_channels_external_reference_is_recorded_once(chikaya):
    _account, api = chikaya
    body = intake(external_reference="CHK-77")
    first = api.post(GRIEVANCES, body)
    replay = api.post(GRIEVANCES, body)  # no key: the channel's own reference recognises it
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["reference"] == first.json()["reference"]
    different = api.post(GRIEVANCES, intake(external_reference="CHK-77", description="Autre chose."))
    assert different.status_code == 422
    assert "CHK-77" in different.json()["detail"]
    assert Grievance.objects.count() == 1


def test_a_sensitive_intake_is_idempotent_too(chikaya):
    _account, api = chikaya
    body = intake(sensitive={"nature": "Propos déplacés"})
    first = api.post(GRIEVANCES, body, **{"Idempotency-Key": "vbg-1"})
    replay = api.post(GRIEVANCES, body, **{"Idempotency-Key": "vbg-1"})
    assert replay.status_code == 200
    assert replay.json() == {"reference": first.json()["reference"], "status": "received", "replayed": True}


def test_a_replay_reveals_nothing_of_a_grievance_later_flagged_sensitive(chikaya, salma):
    from grievances.services import workflow as wf
    from grievances.services.intake import SensitiveDetails

    _account, api = chikaya
    first = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"}).json()
    grievance = Grievance.objects.get(reference=first["reference"])
    wf.grievance_flag_sensitive(grievance=grievance, actor=salma, details=SensitiveDetails(nature="Propos déplacés"))
    replay = api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"})
    assert replay.json() == {"reference": first["reference"], "status": "received", "replayed": True}


def test_a_refused_intake_leaves_its_key_free(chikaya):
    _account, api = chikaya
    assert api.post(GRIEVANCES, intake(cnie="", phone=""), **{"Idempotency-Key": "req-1"}).status_code == 400
    assert not IntakeRequest.objects.exists()
    assert api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "req-1"}).status_code == 201


def _in_parallel(count: int, send) -> tuple[list, list]:
    responses, errors = [], []
    barrier = threading.Barrier(count)

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            responses.append(send())
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real concurrency needs PostgreSQL (CI)")
def test_concurrent_replays_of_a_key_create_one_grievance(chikaya):
    _account, api = chikaya
    api.post(GRIEVANCES, intake(cnie="CD112233"))  # the year's counter row exists
    responses, errors = _in_parallel(8, lambda: api.post(GRIEVANCES, intake(), **{"Idempotency-Key": "same"}))
    assert errors == []
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["reference"] for r in responses}) == 1
    assert Grievance.objects.filter(complainant_cnie="BK987654").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real concurrency needs PostgreSQL (CI)")
def test_concurrent_replays_of_an_external_reference_create_one_grievance(chikaya):
    _account, api = chikaya
    api.post(GRIEVANCES, intake(cnie="CD112233"))
    responses, errors = _in_parallel(8, lambda: api.post(GRIEVANCES, intake(external_reference="CHK-RACE")))
    assert errors == []
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["reference"] for r in responses}) == 1
    assert Grievance.objects.filter(external_reference="CHK-RACE").count() == 1
