"""IDOR probes: an object of another programme or organisation answers 404 (issue 9, item 2).

For every URL of the access matrix that addresses an object by its id or reference, a user
of each role the matrix lets through, working at CNSS on AMO TADAMON, asks for the CNRA
Tayssir object: the answer must be 404, the same as for an id that does not exist, so that
not even its existence leaks (not 403, not 200). A sensitive GBV/SEA/SH case answers 404 to
everyone but the GBV referent, and an import job to everyone but its uploader.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from api.models import IntegrationAccount
from pmpp import roles
from pmpp.models import Channel
from tests.factories import UserFactory
from tests.security.access_matrix import ANONYMOUS, ES, GBV, MATRIX, PARTNER, ROLE_CODES, Access, World
from tests.security.test_access_matrix import world  # noqa: F401  (the module's users and objects)

# Object URLs whose object belongs to a programme (and so to the organisations working on it).
PROGRAMME_SCOPED = {
    "grievances:detail",
    "grievances:complainant",
    "grievances:step",
    "grievances:notify_commitment",
    "grievances:exchange_add",
    "grievances:message_resend",
    "grievances:attachment_upload",
    "grievances:attachment_download",
    "grievances:note_add",
    "grievances:sensitive_detail",
    "api:grievance",
    "api:transition",
    # Answer templates of a programme: managed and previewed within it (common ones: project-wide reads).
    "answers:detail",
    "answers:edit",
    "answers:deactivate",
    "answers:reactivate",
    "answers:preview",
    *(name for name in MATRIX if name.startswith("api:step-")),
}
# Object URLs whose object belongs to the user who made it: the import of a file, a bulk run.
OWNER_SCOPED = {
    "imports:detail",
    "imports:progress",
    "imports:run_import",
    "imports:report",
    "grievances:bulk_prepare",
    "grievances:bulk_confirm",
    "grievances:bulk_result",
}
# Object URLs of records shared by the whole project (SPEC §1: the registry, the consultations
# and the semester report are read by every reader of them, whatever their organisation).
PROJECT_WIDE_PREFIXES = ("stakeholders:", "reporting:report_")
# URL arguments that name no object: a queue, a file format, a step of a corrective action.
# A search's token names a search kept in its user's session, not an object: another user's token
# reads as an expired search (test_a_search_token_is_its_user_s_alone, below).
NOT_AN_OBJECT = {
    "grievances:queue",
    "grievances:queue_export",
    "grievances:search_results",
    "grievances:bulk_start",
    "reporting:dashboard_export",
    "admin:app_list",
}


def _object_urls() -> list[str]:
    return sorted(
        name
        for name, row in MATRIX.items()
        if (row.kwargs or row.args) and not name.startswith("admin") and name not in NOT_AN_OBJECT
    )


def test_every_object_url_is_probed_or_declared_project_wide():
    """A new object URL must be placed here: probed across organisations, or shared on purpose."""
    undeclared = [
        name
        for name in _object_urls()
        if name not in PROGRAMME_SCOPED | OWNER_SCOPED and not name.startswith(PROJECT_WIDE_PREFIXES)
    ]
    assert not undeclared, f"Object URL(s) neither probed for IDOR nor declared project-wide: {undeclared}"


@pytest.fixture(scope="module")
def outsiders(world, django_db_blocker):  # noqa: F811
    """One user per role at CNSS on AMO TADAMON (the partner liaison: CNSS), each with a token."""
    users, tokens = {}, {}
    with django_db_blocker.unblock():
        for code in ROLE_CODES:
            user = UserFactory(username=f"outsider-{code}", scopes=[("cnss", "amo-tadamon")])
            user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[code].group_name))
            token, token_hash = IntegrationAccount.new_token()
            IntegrationAccount.objects.create(
                name=f"outsider-{code}", user=user, channel=Channel.objects.get(code="chikaya"), token_hash=token_hash
            )
            users[code], tokens[code] = user, token
    return users, tokens


def _url(name: str, row: Access, world: World) -> str:  # noqa: F811
    if row.args:
        return reverse(name, args=row.args(world))
    return reverse(name, kwargs=row.kwargs(world))


def _answers(client: Client, url: str, row: Access, world: World) -> list[int]:  # noqa: F811
    get = client.get(url)
    if row.api:
        post = client.post(url, row.data(world) if row.data else {}, content_type="application/json")
    else:
        post = client.post(url, row.data(world) if row.data else {})
    return [response.status_code for response in (get, post) if response.status_code != 405]


def _client(user, token: str, row: Access) -> Client:
    client = Client()
    if row.api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    else:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(PROGRAMME_SCOPED))
def test_an_object_of_another_programme_answers_404_to_every_role(name, world, outsiders, db):  # noqa: F811
    row = MATRIX[name]
    users, tokens = outsiders
    url = _url(name, row, world)
    # The E&S focal point reads every ordinary grievance of the project (SPEC §1): no outsider.
    probed = (row.roles | row.post_roles) - {ANONYMOUS, ES}
    if name == "api:transition":
        probed = set(ROLE_CODES) - {ES}
    wrong = {
        code: answers
        for code in sorted(probed)
        if (answers := _answers(_client(users[code], tokens[code], row), url, row, world)) != [404] * len(answers)
    }
    assert not wrong, f"{url}: answers other than 404 across programmes: {wrong}"


@pytest.mark.parametrize("name", sorted(OWNER_SCOPED))
def test_an_import_job_answers_404_to_everyone_but_its_uploader(name, world, db):  # noqa: F811
    row = MATRIX[name]
    other_agent = UserFactory(username="other-agent", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")])
    client = Client()
    client.force_login(other_agent)
    url = _url(name, row, world)
    assert set(_answers(client, url, row, world)) == {404}


@pytest.mark.parametrize("code", [code for code in ROLE_CODES if code != GBV])
def test_a_sensitive_case_answers_404_to_every_role_but_the_gbv_referent(code, world, db):  # noqa: F811
    """Same programme, same organisation: only the role decides, and the answer is 404, not 403."""
    client = Client()
    client.force_login(world.users[code])
    case_url = reverse("grievances:sensitive_detail", args=[world.sensitive_case.pk])
    husk_url = reverse("grievances:detail", args=[world.sensitive_grievance.pk])
    assert client.get(case_url).status_code == 404
    assert client.post(case_url, {"action": "close", "closing_note": "x"}).status_code == 404
    assert client.get(husk_url).status_code == 404
    api = Client(HTTP_AUTHORIZATION=f"Token {world.tokens[code]}")
    assert api.get(reverse("api:grievance", args=[world.sensitive_grievance.reference])).status_code == 404


def test_the_gbv_referent_of_the_programme_opens_the_case(world, db):  # noqa: F811
    """The other side of the probe above: the 404 comes from the rule, not from a broken URL."""
    client = Client()
    client.force_login(world.users[GBV])
    assert client.get(reverse("grievances:sensitive_detail", args=[world.sensitive_case.pk])).status_code == 200


def test_an_attachment_of_another_organisation_is_not_downloadable_even_by_its_partner(world, outsiders, db):  # noqa: F811
    """A partner liaison of another organisation: the file of a case transmitted to MENPS is not theirs."""
    users, _tokens = outsiders
    client = Client()
    client.force_login(users[PARTNER])
    assert client.get(reverse("grievances:attachment_download", args=[world.attachment.pk])).status_code == 404


def test_a_search_token_is_its_user_s_alone(world, outsiders, db):  # noqa: F811
    """The results URL of a search names no one, and opens nothing in any other session."""
    users, _tokens = outsiders
    leila = world.users[ES]
    owner = Client()
    owner.force_login(leila)
    found = owner.post(reverse("grievances:search"), {"q": world.received.complainant_cnie})
    assert found.status_code == 303
    url = found["Location"]
    assert world.received.reference in owner.get(url).content.decode()
    # Outsiders of every searching role, a colleague of the same organisation, the same user elsewhere.
    others = [users[code] for code in ("agent", "case_handler", "partner_liaison")] + [world.users["agent"], leila]
    for user in others:
        other = Client()
        other.force_login(user)
        page = other.get(url)
        html = page.content.decode()
        assert page.status_code == 200, user
        assert 'id="search-expired"' in html, user
        assert world.received.reference not in html, user
        assert world.received.complainant_cnie not in html, user
