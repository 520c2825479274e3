import re

import pytest
from django.test import Client

from grievances.services import workflow as wf
from grievances.services.intake import grievance_register
from pmpp.models import Channel
from tests.grievances.conftest import (  # noqa: F401 (fixtures shared with the grievance tests)
    hicham,
    payment_category,
    payments_unit,
    phone,
    tayssir,
    unfounded_reason,
    walk,
)

CNIE = "AB123456"
PHONE = "0612345678"
TRACK_URL = "/suivre-ma-reclamation/"
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf(body: bytes) -> bytes:
    """A page as the visitor reads it: the CSRF token is masked afresh on every render."""
    return _CSRF.sub(b'name="csrfmiddlewaretoken" value=""', body)


@pytest.fixture
def web(db):
    return Channel.objects.get(code="web-portal")


@pytest.fixture
def file_online(tayssir, payment_category, web):  # noqa: F811 (fixtures imported above)
    """File a complaint as the public form does (no actor, web channel); returns the IntakeResult."""

    def file(**overrides):
        data = {
            "actor": None,
            "programme": tayssir,
            "channel": web,
            "description": "La bourse du deuxième trimestre n'est pas arrivée.",
            "category": payment_category,
            "cnie": CNIE,
            "phone": PHONE,
            "name": "Fatima Zahra El Amrani",
        }
        return grievance_register(**(data | overrides))

    return file


@pytest.fixture
def file_anonymous(file_online):
    def file(**overrides):
        return file_online(**({"is_anonymous": True, "cnie": "", "phone": "", "name": ""} | overrides))

    return file


@pytest.fixture
def close(walk):  # noqa: F811 (fixture imported above)
    """Drive a grievance filed online through the workflow to its closure, by the back office."""

    def close(grievance, *, outcome="founded", answer="Votre bourse sera versée le 15."):
        unfounded = outcome == "unfounded"
        g = wf.grievance_qualify(
            grievance=grievance,
            actor=walk.agent,
            category=grievance.category,
            subject="Paiement non reçu",
            nature="individual",
            identity_verified=not grievance.is_anonymous,
        )
        g = wf.grievance_analyse(
            grievance=g,
            actor=walk.agent,
            conclusion="Note interne : relevé bancaire consulté par le service des paiements.",
            outcome=outcome,
            unfounded_reason=walk.reason if unfounded else None,
        )
        g = wf.grievance_draft_answer(
            grievance=g,
            actor=walk.agent,
            text=answer,
            explanation="Le changement de situation n'a pas été déclaré à temps." if unfounded else "",
        )
        g = wf.grievance_approve_answer(grievance=g, actor=walk.head)
        g = wf.grievance_send_answer(grievance=g, actor=walk.agent)
        return wf.grievance_close(
            grievance=g, actor=walk.closer, synthesis="Synthèse interne : bourse versée.", confirmed=True
        )

    return close


@pytest.fixture
def visitor():
    """A complainant's browser: no account, no login."""
    return Client()


def track(client, *, code, identity="", pin="", address="203.0.113.7"):
    return client.post(TRACK_URL, {"tracking_code": code, "identity": identity, "pin": pin}, REMOTE_ADDR=address)
