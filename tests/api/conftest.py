import pytest
from django.contrib.auth.models import Group
from django.test import Client

from api.models import IntegrationAccount
from pmpp import roles
from pmpp.models import Channel
from tests.factories import UserFactory
from tests.grievances.conftest import (  # noqa: F401  (fixtures shared with the grievance tests)
    hicham,
    payment_category,
    payments_unit,
    phone,
    tayssir,
    unfounded_reason,
    walk,
)


class ApiClient:
    """Django's test client with an integration token; JSON in, JSON out."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def get(self, url, params=None, **headers):
        return self.client.get(url, params or {}, headers=self.headers | headers)

    def post(self, url, data=None, **headers):
        return self.client.post(url, data or {}, content_type="application/json", headers=self.headers | headers)


def make_account(*, name, channel="chikaya", extra_roles=(), scopes=(("cdg-cnra", "tayssir"),)):
    user = UserFactory(username=f"api-{name}", role=roles.INTEGRATION_ACCOUNT, scopes=list(scopes))
    for code in extra_roles:
        user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[code].group_name))
    token, token_hash = IntegrationAccount.new_token()
    account = IntegrationAccount.objects.create(
        name=name, user=user, channel=Channel.objects.get(code=channel), token_hash=token_hash
    )
    return account, ApiClient(token)


@pytest.fixture
def chikaya(db):
    """chikaya.ma: files grievances, sees nothing else."""
    return make_account(name="chikaya-ma")


@pytest.fixture
def call_centre(db):
    """A call-centre integration that also takes the agent's workflow steps on Tayssir."""
    return make_account(name="centre-appel", channel="call-centre", extra_roles=[roles.AGENT])


def intake(**overrides) -> dict:
    return {
        "programme": "tayssir",
        "description": "La bourse du deuxième trimestre n'est pas arrivée.",
        "cnie": "BK987654",
        "phone": "0612345678",
        "name": "Fatima Zahra El Amrani",
        "category": "paiement-non-recu",
        "received_at": "2026-01-05T10:00:00+01:00",
    } | overrides
