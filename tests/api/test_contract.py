"""The REST API's contract: what an integration sends, what it gets back, and what it may see."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import IntegrationAccount, hash_token
from grievances.models import Grievance, SensitiveCase
from grievances.services import workflow as wf
from grievances.services.intake import grievance_register
from pmpp import roles
from pmpp.models import Channel, Programme
from tests.api.conftest import ApiClient, intake, make_account
from tests.factories import ALL

GRIEVANCES = "/api/v1/grievances/"


def test_an_integration_files_a_grievance_with_every_intake_field(chikaya):
    account, api = chikaya
    response = api.post(
        GRIEVANCES,
        intake(
            email="fatima@example.ma",
            preferred_contact="email",
            sex="female",
            age_group="18_35",
            region="06",
            residence="urban",
            identity_verified=True,
            external_reference="CHK-2026-0042",
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert re.fullmatch(r"TAY-2026-\d{6}", body["reference"])
    assert body["status"] == "received"
    assert body["replayed"] is False
    assert "pin" not in body
    grievance = Grievance.objects.get(reference=body["reference"])
    assert body["tracking_code"] == grievance.tracking_code
    assert body["due_on"] == grievance.due_on.isoformat()
    assert body["acknowledgement_due_on"] == grievance.acknowledgement_due_on.isoformat()
    assert grievance.channel.code == "chikaya"  # the account's channel
    assert grievance.created_by == account.user
    assert (grievance.complainant_cnie, grievance.complainant_phone) == ("BK987654", "+212612345678")
    assert (grievance.complainant_email, grievance.preferred_contact) == ("fatima@example.ma", "email")
    assert (grievance.complainant_sex, grievance.complainant_age_group) == ("female", "18_35")
    assert (grievance.region.code, grievance.residence, grievance.identity_verified) == ("06", "urban", True)
    assert grievance.category.code == "paiement-non-recu"
    assert grievance.external_reference == "CHK-2026-0042"
    assert grievance.received_at.isoformat() == "2026-01-05T09:00:00+00:00"
    assert grievance.history.get().history_user == account.user


def test_an_anonymous_complainant_gets_a_pin_once(chikaya):
    _account, api = chikaya
    body = intake(is_anonymous=True, cnie="", phone="", name="")
    first = api.post(GRIEVANCES, body, **{"Idempotency-Key": "anon-1"})
    assert first.status_code == 201
    assert re.fullmatch(r"\d{4,8}", first.json()["pin"])
    replay = api.post(GRIEVANCES, body, **{"Idempotency-Key": "anon-1"})
    assert replay.status_code == 200
    assert replay.json()["reference"] == first.json()["reference"]
    assert "pin" not in replay.json()  # stored only as a hash


def test_a_sensitive_intake_returns_only_its_reference_and_a_generic_status(chikaya):
    _account, api = chikaya
    response = api.post(
        GRIEVANCES,
        intake(
            sensitive={"nature": "Chantage sexuel par un agent", "survivor_sex": "female", "consent_to_refer": True}
        ),
    )
    assert response.status_code == 201
    assert response.json() == {"reference": response.json()["reference"], "status": "received", "replayed": False}
    assert response.json()["reference"].startswith("VBG-")
    case = SensitiveCase.objects.get()
    assert case.nature == "Chantage sexuel par un agent"
    assert not Grievance.objects.exists()  # identity dropped, no ordinary grievance


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"programme": "inconnu"}, "programme", "Code inconnu"),
        ({"category": "pas-une-categorie"}, "category", "Catégorie inconnue"),
        ({"region": "99"}, "region", "Code inconnu"),
        ({"cnie": "", "phone": ""}, "complainant_cnie", "CNIE"),
        ({"cnie": "123"}, "complainant_cnie", "CNIE invalide"),
        ({"description": ""}, "description", "Décrivez"),
        ({"sex": "x"}, "sex", ""),
        ({"received_at": "2999-01-01T00:00:00Z"}, "received_at", "futur"),
        ({"channel": "call-centre"}, "channel", "canal"),
        ({"is_anonymous": True}, "is_anonymous", "anonyme"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(chikaya, overrides, field, message):
    _account, api = chikaya
    response = api.post(GRIEVANCES, intake(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert "BK987654" not in response.content.decode()
    assert not Grievance.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"programme": ["tayssir"]}', "null"])
def test_malformed_bodies_are_json_errors(chikaya, body):
    _account, api = chikaya
    response = api.client.post(GRIEVANCES, body, content_type="application/json", headers=api.headers)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_without_a_valid_token_nothing_is_served(chikaya):
    account, _api = chikaya
    for api in (ApiClient(None), ApiClient("not-a-token")):
        response = api.get(GRIEVANCES)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert "detail" in response.json()
    account.is_active = False
    account.save()
    assert chikaya[1].get(GRIEVANCES).status_code == 401


# --- reading ----------------------------------------------------------------------------------------------


def _register(actor, **overrides):
    data = {
        "actor": actor,
        "programme": Programme.objects.get(code="tayssir"),
        "channel": Channel.objects.get(code="call-centre"),
        "description": "Bourse non versée.",
        "cnie": f"AB{Grievance.objects.count() + 200000}",
    }
    return grievance_register(**(data | overrides)).grievance


def test_the_list_shows_what_the_account_may_see_filtered_and_paged(call_centre, salma):
    _account, api = call_centre
    mine = [_register(salma) for _ in range(3)]
    other_programme = _register(salma, programme=Programme.objects.get(code="daam"))
    qualified = wf.grievance_qualify(
        grievance=mine[0],
        actor=salma,
        category=mine[0].programme.categories.first(),
        subject="Paiement",
        nature="individual",
        identity_verified=True,
    )
    page = api.get(GRIEVANCES, {"page_size": 2})
    assert page.status_code == 200
    first = page.json()
    assert [g["reference"] for g in first["results"]] == [mine[2].reference, mine[1].reference]
    assert "count" not in first  # a cursor: millions of rows are never counted
    second = api.client.get(first["next"], headers=api.headers).json()
    assert [g["reference"] for g in second["results"]] == [mine[0].reference]
    assert other_programme.reference not in str(first) + str(second)  # DAAM is outside its memberships
    only_qualified = api.get(GRIEVANCES, {"status": "qualified"}).json()["results"]
    assert [g["reference"] for g in only_qualified] == [qualified.reference]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert api.get(GRIEVANCES, {"received_after": later}).json()["results"] == []
    assert api.get(GRIEVANCES, {"updated_since": later}).json()["results"] == []
    updated = api.get(GRIEVANCES, {"updated_since": (timezone.now() - timedelta(minutes=1)).isoformat()})
    assert len(updated.json()["results"]) == 3
    bad = api.get(GRIEVANCES, {"status": "nope", "received_after": "hier"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"status", "received_after"}


def test_one_grievance_by_reference_and_404_when_not_visible(call_centre, salma):
    _account, api = call_centre
    grievance = _register(salma, name="Fatima Zahra")
    detail = api.get(f"{GRIEVANCES}{grievance.reference}/")
    assert detail.status_code == 200
    assert detail.json()["complainant_name"] == "Fatima Zahra"
    assert detail.json()["programme"] == "tayssir"
    hidden = _register(salma, programme=Programme.objects.get(code="daam"))
    for reference in (hidden.reference, "TAY-1999-000001"):
        response = api.get(f"{GRIEVANCES}{reference}/")
        assert response.status_code == 404
        assert response.json()["detail"]


def test_sensitive_cases_stay_hidden(call_centre, salma):
    _account, api = call_centre
    grievance = _register(salma)
    from grievances.services.intake import SensitiveDetails

    wf.grievance_flag_sensitive(grievance=grievance, actor=salma, details=SensitiveDetails(nature="Propos déplacés"))
    assert api.get(GRIEVANCES).json()["results"] == []
    assert api.get(f"{GRIEVANCES}{grievance.reference}/").status_code == 404


# --- workflow steps ---------------------------------------------------------------------------------------


def test_a_step_by_name_runs_the_service_as_the_account(call_centre, salma):
    account, api = call_centre
    grievance = _register(salma)
    response = api.post(
        f"{GRIEVANCES}{grievance.reference}/transitions/qualify/",
        {
            "category": "paiement-non-recu",
            "subject": "Paiement non reçu",
            "nature": "individual",
            "identity_verified": True,
            "expected_status": "received",
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "qualified"
    grievance.refresh_from_db()
    assert grievance.qualified_by == account.user
    assert grievance.history.latest("history_id").history_user == account.user


def test_a_step_with_missing_data_names_the_field(call_centre, salma):
    _account, api = call_centre
    grievance = _register(salma)
    response = api.post(
        f"{GRIEVANCES}{grievance.reference}/transitions/qualify/",
        {"category": "paiement-non-recu", "nature": "individual", "identity_verified": True},
    )
    assert response.status_code == 400
    assert "objet" in response.json()["subject"][0]
    assert Grievance.objects.get(pk=grievance.pk).status == "received"


def test_a_step_impossible_from_the_current_state_is_a_400(call_centre, salma):
    _account, api = call_centre
    grievance = _register(salma)
    response = api.post(f"{GRIEVANCES}{grievance.reference}/transitions/send_answer/", {})
    assert response.status_code == 400
    assert "n'est pas possible" in response.json()["detail"][0]


def test_a_step_outside_the_accounts_permissions_is_a_403(call_centre, salma, walk):
    _account, api = call_centre
    grievance = walk.answer_drafted()
    response = api.post(f"{GRIEVANCES}{grievance.reference}/transitions/approve_answer/", {"note": "OK"})
    assert response.status_code == 403
    assert "autorisé" in response.json()["detail"]


def test_a_stale_expected_status_is_a_409_and_changes_nothing(call_centre, salma):
    _account, api = call_centre
    grievance = _register(salma)
    response = api.post(
        f"{GRIEVANCES}{grievance.reference}/transitions/transmit_to_partner/", {"expected_status": "analysed"}
    )
    assert response.status_code == 409
    assert response.json()["status"] == "received"
    assert "a changé entre-temps" in response.json()["detail"]


def test_an_unknown_step_is_a_json_404(call_centre, salma):
    _account, api = call_centre
    grievance = _register(salma)
    response = api.post(f"{GRIEVANCES}{grievance.reference}/transitions/teleport/", {})
    assert response.status_code == 404
    assert "Étape inconnue" in response.json()["detail"]


def test_commitments_are_listed_within_visibility(call_centre, walk):
    _account, api = call_centre
    committed = walk.committed()
    _other, daam_agent = make_account(name="daam", extra_roles=[roles.AGENT], scopes=[("cdg-cnra", "daam")])
    assert daam_agent.get("/api/v1/commitments/").json()["results"] == []
    response = api.get("/api/v1/commitments/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["grievance"], row["sequence"], row["status"]) for row in rows] == [
        (committed.reference, 1, committed.commitments.get().status)
    ]
    assert api.get("/api/v1/commitments/", {"grievance": "TAY-1999-000001"}).json()["results"] == []


# --- registry and statistics ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/stakeholders/", "/api/v1/stakeholder-groups/", "/api/v1/engagement-activities/"]
)
def test_the_registry_is_read_by_roles_that_read_it_only(chikaya, url):
    _account, intake_only = chikaya
    assert intake_only.get(url).status_code == 403
    _reader, ministry = make_account(
        name="tableau-ministere", extra_roles=[roles.MINISTRY_VIEWER], scopes=[("mef-db", ALL)]
    )
    response = ministry.get(url)
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_the_seeded_stakeholder_groups_come_back(db):
    _reader, ministry = make_account(
        name="tableau-ministere", extra_roles=[roles.MINISTRY_VIEWER], scopes=[("mef-db", ALL)]
    )
    groups = ministry.get("/api/v1/stakeholder-groups/", {"page_size": 200}).json()["results"]
    assert groups
    assert all({"name", "category", "programmes"} <= set(group) for group in groups)


def test_statistics_are_computed_within_the_callers_visibility(call_centre, walk):
    _account, api = call_centre
    walk.closed()
    walk.register()
    walk.register(programme=Programme.objects.get(code="daam"), category=None)  # not visible to the account
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    response = api.get(
        "/api/v1/statistics/", {"period": "quarter", "year": today.year, "number": quarter, "group_by": "programme"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["group_by"] == "programme"
    rows = [(row["key"], row["label"], row["received"], row["complaints"], row["treated"]) for row in body["results"]]
    # The request just registered is « à qualifier »: received, not a complaint yet.
    assert rows == [("tayssir", "Tayssir", 2, 1, 1)]
    assert body["metrics_version"] == 2
    assert body["as_of"]
    assert api.get("/api/v1/statistics/", {"period": "semester", "year": 2026, "number": 3}).status_code == 400
    assert api.get("/api/v1/statistics/", {"period": "year"}).status_code == 400


# --- schema, documentation, accounts ----------------------------------------------------------------------


def test_the_openapi_schema_describes_every_operation(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/grievances/{reference}/transitions/qualify/" in schema["paths"]
    assert "integrationToken" in schema["components"]["securitySchemes"]


def test_the_documentation_works_offline(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    script = client.get("/api/docs/?script=").content.decode()
    for text in (html, script):
        assert not re.search(r"(src|href)=\"(https?:)?//", text), text
        assert "cdn" not in text.lower()
        assert "<script>" not in text  # the Content-Security-Policy forbids inline scripts
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/api/schema/" in script
    from django.conf import settings

    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert (settings.BASE_DIR / "static/vendor/swagger-ui" / name).stat().st_size > 10_000


def test_the_vendored_swagger_ui_matches_the_lock_file():
    import json

    from django.conf import settings

    lock = json.loads((settings.BASE_DIR / "package-lock.json").read_text())
    vendored = json.loads((settings.BASE_DIR / "static/vendor/VERSIONS.json").read_text())
    assert vendored["swagger-ui-dist"] == lock["packages"]["node_modules/swagger-ui-dist"]["version"]


def test_the_command_creates_an_account_and_shows_its_token_once(db):
    out = StringIO()
    call_command(
        "create_integration_account",
        "mediateur",
        channel="chikaya",
        organisation="cdg-cnra",
        programme=["tayssir"],
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]
    account = IntegrationAccount.objects.get(name="mediateur")
    assert account.token_hash == hash_token(token)
    assert token not in str(IntegrationAccount.objects.values_list())
    assert account.user.role_codes() == {roles.INTEGRATION_ACCOUNT}
    assert not account.user.has_usable_password()
    api = ApiClient(token)
    assert api.post(GRIEVANCES, intake()).status_code == 201
    account.is_active = False  # revoked
    account.save()
    assert api.post(GRIEVANCES, intake(cnie="AB654321")).status_code == 401


def test_an_intake_only_integration_reads_back_what_it_filed_and_nothing_else(chikaya, salma):
    _account, api = chikaya
    filed = api.post(GRIEVANCES, intake(external_reference="CHK-1")).json()["reference"]
    typed_by_an_agent = _register(salma)
    listed = [g["reference"] for g in api.get(GRIEVANCES).json()["results"]]
    assert listed == [filed]
    assert api.get(f"{GRIEVANCES}{filed}/").status_code == 200
    assert api.get(f"{GRIEVANCES}{typed_by_an_agent.reference}/").status_code == 404


@pytest.mark.parametrize("field", ["programme", "channel"])
def test_a_nul_byte_in_a_code_is_a_400_not_a_database_error(chikaya, field):
    _account, api = chikaya
    listed = api.client.get(GRIEVANCES, {field: "tay\x00ssir"}, headers=api.headers)
    assert listed.status_code == 400
    assert field in listed.json()
    filed = api.client.post(
        GRIEVANCES, intake(**{field: "tay\x00ssir"}), content_type="application/json", headers=api.headers
    )
    assert filed.status_code == 400
    assert field in filed.json()
