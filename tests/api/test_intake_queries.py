"""An intake through the API costs a fixed number of queries, however many grievances and
requests the database already holds (issue 8: API create throughput)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import IntakeRequest
from grievances.models import Grievance
from tests.api.conftest import intake

GRIEVANCES = "/api/v1/grievances/"

# Token lookup, which reads the account's permissions and memberships with it (issue 19: they
# were two more queries; the programme must be one of theirs, issue 9); the category with its
# programme (one query); transaction; open duplicate, deadline policy, reference counter (one
# UPDATE … RETURNING), grievance and its history row, acknowledgement in the outbox and the
# task that sends it, key row; commit. No savepoint and nothing after the commit. The same on
# SQLite and PostgreSQL.
INTAKE_QUERIES = 12


def _file(api, *, n: int, **overrides):
    body = intake(cnie=f"BK{n:06d}", external_reference=f"CHK-{n}", **overrides)
    response = api.post(GRIEVANCES, body, **{"Idempotency-Key": f"req-{n}"})
    assert response.status_code == 201, response.json()
    return response


def test_an_intake_costs_the_same_queries_however_full_the_database_is(chikaya, django_assert_num_queries):
    _account, api = chikaya
    _file(api, n=1)  # the year's first reference creates its counter
    with django_assert_num_queries(INTAKE_QUERIES):
        _file(api, n=2)
    for n in range(3, 12):
        _file(api, n=n)
    with django_assert_num_queries(INTAKE_QUERIES):
        _file(api, n=12)
    assert Grievance.objects.count() == IntakeRequest.objects.count() == 12


def test_a_new_key_is_not_looked_up_only_a_used_one(chikaya):
    _account, api = chikaya
    with CaptureQueriesContext(connection) as new_key:
        first = _file(api, n=1)
    reads_of_keys = [q["sql"] for q in new_key.captured_queries if q["sql"].startswith('SELECT "api_intakerequest"')]
    assert reads_of_keys == []
    replay = api.post(GRIEVANCES, intake(cnie="BK000001", external_reference="CHK-1"), **{"Idempotency-Key": "req-1"})
    assert replay.status_code == 200
    assert replay.json()["reference"] == first.json()["reference"]
    assert Grievance.objects.count() == 1
