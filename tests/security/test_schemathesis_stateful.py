"""Sequences of API calls, each fed by the answers of the ones before, never get a server error
(issue 9, item 8).

Schemathesis builds a state machine from the OpenAPI schema: it links operations by the data
one answer gives the next (the list's references feed the detail and every workflow step),
then Hypothesis walks it. The calls go to the WSGI application in process, with the token of an
integration account that takes the agent's steps, over a handful of real grievances; the seed is
fixed so that CI replays the same walks.
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from pmpp import roles
from pmpp.wsgi import application
from tests.api.conftest import make_account
from tests.api.test_schemathesis import _keep_the_test_connection  # noqa: F401 (autouse fixture)
from tests.factories import ALL

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def _link_the_workflow(raw: dict) -> None:
    """OpenAPI links between the grievance operations, written here rather than inferred.

    Schemathesis' inference reads a reference anywhere at the top of the list's body, but the
    list is a cursor page (`results`). The links say what a client does: open or step a
    grievance the list or the intake gave, then take another step on the same grievance.
    """
    one = "/api/v1/grievances/{reference}/"
    targets = {
        operation["operationId"]: operation
        for path, item in raw["paths"].items()
        if path.startswith(one)
        for operation in item.values()
    }

    def links(reference: str) -> dict:
        return {name: {"operationId": name, "parameters": {"path.reference": reference}} for name in targets}

    raw["paths"]["/api/v1/grievances/"]["get"]["responses"]["200"]["links"] = links(
        "$response.body#/results/0/reference"
    )
    for code in ("200", "201"):
        raw["paths"]["/api/v1/grievances/"]["post"]["responses"][code]["links"] = links("$response.body#/reference")
    for operation in targets.values():
        operation["responses"]["200"]["links"] = links("$request.path.reference")


_link_the_workflow(schema.raw_schema)
# Valid requests only: the point is to go deep into the workflow (tests/api/test_schemathesis.py
# sends the malformed ones, operation by operation).
schema.config.generation.update(modes=[GenerationMode.POSITIVE])
APIWorkflow = schema.as_state_machine()


class Workflow(APIWorkflow):
    headers: dict[str, str] = {}
    calls: Counter = Counter()

    def before_call(self, case):
        # The integration token, never a generated Authorization header.
        case.headers = {**(case.headers or {}), **self.headers}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        Workflow.calls[(case.method, case.operation.path, response.status_code)] += 1
        case.validate_response(response, checks=[not_a_server_error])


@pytest.fixture
def seeded_workflow(walk):
    """Grievances in several states, visible to the caller, for the walks to start from."""
    for state in ("received", "qualified", "analysed", "answer_approved"):
        walk.in_state(state)
    _account, api = make_account(
        name="schemathesis-etats",
        channel="call-centre",
        extra_roles=[roles.AGENT, roles.MINISTRY_VIEWER],
        scopes=[("cdg-cnra", ALL)],
    )
    Workflow.headers = api.headers
    Workflow.calls = Counter()
    return Workflow


def test_chained_api_calls_never_answer_with_a_server_error(seeded_workflow):
    seeded_workflow.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    # The walks went past the list: workflow steps reached real grievances (the view looks the
    # grievance up before it reads the body, so an unknown one is a 404) and were answered by
    # their validation (400), their workflow rules (409) or a move (200), not only 404s.
    steps = Counter(
        status
        for (method, path, status), n in seeded_workflow.calls.items()
        for _ in range(n)
        if "/transitions/" in path
    )
    assert steps[200] + steps[400] + steps[409] > 0, seeded_workflow.calls
    # And the links fed real references to the grievance's own operations.
    assert any(
        status == 200 and method == "GET" and path == "/api/v1/grievances/{reference}/"
        for method, path, status in seeded_workflow.calls
    ), seeded_workflow.calls
