"""An internal note never leaves the back office: not on the tracking page, nor in the API (issue 18)."""

import pytest
from django.urls import reverse

from grievances.services import workflow as wf
from grievances.services.notes import note_add
from pmpp import roles
from tests.api.conftest import make_account
from tests.portal.conftest import CNIE, track

pytestmark = pytest.mark.django_db

TRACKED_URL = "/suivre-ma-reclamation/dossier/"
NOTE = "NOTE-INTERNE : le voisin du réclamant encaisse la bourse"


def test_a_note_shows_neither_on_the_tracking_page_nor_in_the_api(visitor, file_online, walk):
    grievance = file_online().grievance
    g = wf.grievance_qualify(
        grievance=grievance,
        actor=walk.agent,
        category=grievance.category,
        subject="Paiement non reçu",
        nature="individual",
        identity_verified=True,
    )
    note_add(grievance=g, actor=walk.agent, body=NOTE)

    track(visitor, code=grievance.tracking_code, identity=CNIE)
    page = visitor.get(TRACKED_URL)
    assert page.status_code == 200
    assert page.context["tracked"].status_label == "En cours de traitement"
    assert "NOTE-INTERNE" not in page.text
    assert "Note interne" not in page.text

    # An integration that also works as an agent reads the grievance through the API: no note.
    _account, api = make_account(name="centre-appel", channel="call-centre", extra_roles=[roles.AGENT])
    detail = api.get(reverse("api:grievance", args=[grievance.reference]))
    listing = api.get(reverse("api:grievances"))
    assert detail.status_code == 200
    assert listing.status_code == 200
    assert "NOTE-INTERNE" not in detail.content.decode()
    assert "NOTE-INTERNE" not in listing.content.decode()
