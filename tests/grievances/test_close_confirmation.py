"""Closing a case freezes its synthesis and closure date: it is done only once confirmed (issue 20)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grievances.models import Grievance
from grievances.services import workflow as wf

pytestmark = pytest.mark.django_db
S = Grievance.Status


def test_the_service_refuses_to_close_without_the_confirmation(walk, karim):
    g = walk.answer_sent()

    with pytest.raises(ValidationError) as refused:
        wf.grievance_close(grievance=g, actor=karim, synthesis="Bourse versée.")

    assert "Confirmez la clôture" in " ".join(refused.value.messages)
    g.refresh_from_db()
    assert (g.status, g.closure_validated_at, g.final_synthesis) == (S.ANSWER_SENT, None, "")


def test_the_close_step_posted_without_the_confirmation_says_what_is_frozen_and_closes_nothing(client, walk, karim):
    g = walk.answer_sent()
    client.force_login(karim)
    url = reverse("grievances:step", args=[g.pk, "close"])
    data = {"expected_status": g.status, "final_synthesis": "Bourse versée."}

    form_page = client.get(url).content.decode()
    assert 'data-confirm-dialog="confirm-step"' in form_page
    assert f"Clôturer définitivement le dossier {g.reference} ?" in form_page

    response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="confirm-step-inline"' in page
    assert "la date de clôture effective, qui compte dans les délais de traitement et les rapports" in page
    g.refresh_from_db()
    assert g.status == S.ANSWER_SENT

    closed = client.post(url, {**data, "confirm": "yes"})

    assert closed.status_code == 302
    g.refresh_from_db()
    assert (g.status, g.final_synthesis) == (S.CLOSED, "Bourse versée.")
