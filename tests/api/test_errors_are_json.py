"""Every error under /api/ is JSON with its true status, with DEBUG on or off (issue 17, item 5).

An integration parses what it gets: an HTML « Bad Request (400) » or Django's debug page for a
body too large, an unknown address or an exception is unusable to it, and the debug page shows
a stack trace.
"""

import json

import pytest
from django.test import Client

from grievances.models import Grievance
from tests.api.conftest import intake

GRIEVANCES = "/api/v1/grievances/"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _api_limit(settings):
    """The API's body limit as configured by default (PMPP_API_MAX_BODY_KB=1024)."""
    settings.PMPP_API_MAX_BODY_BYTES = MB


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def api(chikaya):
    """A client with the integration's token that returns a 500 instead of raising it."""
    _account, token_client = chikaya
    return Client(raise_request_exception=False, headers=token_client.headers)


def _body_of(size: int) -> bytes:
    """A valid intake, its description padded so that the JSON is exactly `size` bytes."""
    empty = json.dumps(intake(description="")).encode()
    body = json.dumps(intake(description="x" * (size - len(empty)))).encode()
    assert len(body) == size
    return body


def _assert_json_error(response, status: int, code: str | None = None) -> dict:
    """The answer is JSON with this status, a `detail` to show and, where given, its `code`."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["detail"]
    if code is not None:
        assert data["code"] == code
    for leak in ("Traceback", "<html", "DEBUG", "settings."):
        assert leak not in response.content.decode()
    return data


@pytest.mark.parametrize(
    "size",
    [
        pytest.param("just-over", id="just-over-the-limit"),
        pytest.param(3 * MB, id="3MB"),
        pytest.param(9 * MB, id="9MB"),
    ],
)
def test_a_body_over_the_apis_limit_gets_a_json_413_before_it_is_read(
    api, debug, size, settings, django_assert_num_queries
):
    size = settings.PMPP_API_MAX_BODY_BYTES + 1 if size == "just-over" else size
    body = _body_of(size)

    # No query: refused before the token is looked up or the body parsed.
    with django_assert_num_queries(0):
        response = api.post(GRIEVANCES, body, content_type="application/json")

    data = _assert_json_error(response, 413, "too_large")
    assert data["detail"] == "Requête trop volumineuse : l'API accepte un corps de 1 Mo au plus."
    assert "no-store" in response["Cache-Control"]
    assert not Grievance.objects.exists()


def test_a_body_at_the_limit_is_read(api, settings):
    # The limit is the largest body accepted: at exactly that size it reaches the serializer,
    # which refuses the description's length, field by field, as for any invalid intake.
    response = api.post(GRIEVANCES, _body_of(settings.PMPP_API_MAX_BODY_BYTES), content_type="application/json")

    assert response.status_code == 400
    assert "description" in response.json()


def test_a_body_past_djangos_own_limit_is_a_json_413_too(api, debug, settings):
    # The API's limit set above Django's (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB): the body gets
    # through the middleware, Django refuses to read it when the API parses it, and the API's
    # exception handler answers the same 413.
    settings.PMPP_API_MAX_BODY_BYTES = 20 * MB

    response = api.post(GRIEVANCES, _body_of(3 * MB), content_type="application/json")

    _assert_json_error(response, 413, "too_large")
    assert not Grievance.objects.exists()


def test_an_unknown_api_address_is_a_json_404(api, debug):
    response = api.get("/api/v2/grievances/")

    data = _assert_json_error(response, 404, "not_found")
    assert data["detail"].startswith("Adresse inconnue de l'API")


def test_an_unparseable_json_body_is_a_json_400(api, debug):
    response = api.post(GRIEVANCES, b'{"programme": "tayssir",', content_type="application/json")

    data = _assert_json_error(response, 400)
    assert "JSON" in data["detail"]
    assert not Grievance.objects.exists()


def test_too_many_form_fields_is_a_json_400(api, debug, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    form = "&".join(f"field{n}=x" for n in range(11))

    response = api.post(GRIEVANCES, form, content_type="application/x-www-form-urlencoded")

    _assert_json_error(response, 400, "refused")
    assert not Grievance.objects.exists()


def test_a_request_refused_before_any_view_is_a_json_400(api, debug):
    # A forged Host header: Django refuses the request (SuspiciousOperation) in its middleware.
    response = api.get(GRIEVANCES, headers={"host": "attacker.example"})

    _assert_json_error(response, 400, "bad_request")


def test_a_method_the_address_does_not_take_is_a_json_405(api, debug):
    response = api.delete(GRIEVANCES)

    _assert_json_error(response, 405)
    assert "POST" in response["Allow"]


def test_an_exception_escaping_a_view_is_a_json_500_without_its_trace(api, debug, monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr("api.views.grievance_list_for_user", broken)

    response = api.get(GRIEVANCES)

    data = _assert_json_error(response, 500, "server_error")
    assert data["detail"].startswith("Erreur interne du serveur")
    assert "secret detail" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()


def test_pages_outside_the_api_keep_their_html_errors(client, debug):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
