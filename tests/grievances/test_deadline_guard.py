"""Deadline guard (issue 18): a promise after the due date is confirmed, explained and flagged."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grievances.models import Commitment, Grievance
from grievances.services import workflow as wf
from grievances.tables import countdown_label

pytestmark = pytest.mark.django_db


def _late(g: Grievance) -> date:
    return g.running_due_on + timedelta(days=5)


def test_the_service_refuses_a_date_after_the_due_date_without_a_reason(walk, youssef):
    g = walk.routed()
    with pytest.raises(ValidationError) as error:
        wf.commitment_give(grievance=g, actor=youssef, promised_on=_late(g))
    assert "dépasse l'échéance" in error.value.message_dict["beyond_due_reason"][0]
    g.refresh_from_db()
    assert g.status == Grievance.Status.ROUTED
    assert not Commitment.objects.filter(grievance=g).exists()


def test_with_a_reason_the_commitment_is_kept_flagged_and_explained_in_history(walk, youssef):
    g = walk.routed()
    commitment = wf.commitment_give(
        grievance=g, actor=youssef, promised_on=_late(g), beyond_due_reason="Virement bloqué par la banque"
    )
    g.refresh_from_db()
    assert commitment.beyond_due_on == g.due_on
    assert commitment.beyond_due_reason == "Virement bloqué par la banque"
    assert g.commitment_beyond_due
    assert g.sla_status(today=g.due_on - timedelta(days=10)) == "beyond_due"
    reason = g.history.latest("history_id").history_change_reason
    assert "au-delà de l'échéance" in reason
    assert "Virement bloqué par la banque" in reason
    assert "Virement bloqué" in commitment.history.latest("history_id").history_change_reason


def test_a_renewal_after_the_due_date_is_guarded_too(walk, youssef):
    g = walk.commitment_broken()
    with pytest.raises(ValidationError):
        wf.commitment_renew(grievance=g, actor=youssef, promised_on=_late(g), reason="Relance")
    renewed = wf.commitment_renew(
        grievance=g, actor=youssef, promised_on=_late(g), reason="Relance", beyond_due_reason="Banque fermée"
    )
    assert renewed.beyond_due_on is not None


def test_the_form_asks_confirmation_and_reason_only_for_a_late_date(client, walk, youssef):
    g = walk.routed()
    client.force_login(youssef)
    url = reverse("grievances:step", args=[g.pk, "give_commitment"])
    page = client.get(url).content.decode()
    assert 'name="beyond_due_reason"' not in page
    response = client.post(url, {"expected_status": "routed", "promised_on": _late(g).isoformat()})
    assert response.status_code == 200
    form = response.context["form"]
    assert "confirm_beyond_due" in form.errors
    assert "beyond_due_reason" in form.errors
    assert not Commitment.objects.filter(grievance=g).exists()
    response = client.post(
        url,
        {
            "expected_status": "routed",
            "promised_on": _late(g).isoformat(),
            "confirm_beyond_due": "on",
            "beyond_due_reason": "Virement bloqué",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Hors délai prévisible" in page
    assert "Dans les délais" not in page
    assert Commitment.objects.get(grievance=g).beyond_due_reason == "Virement bloqué"


def test_a_date_within_the_deadline_asks_nothing_more(client, walk, youssef):
    g = walk.routed()
    client.force_login(youssef)
    response = client.post(
        reverse("grievances:step", args=[g.pk, "give_commitment"]),
        {"expected_status": "routed", "promised_on": g.due_on.isoformat()},
    )
    assert response.status_code == 302
    assert Commitment.objects.get(grievance=g).beyond_due_on is None


def test_the_queue_flags_the_grievance_and_shows_the_countdown(client, walk, youssef, salma):
    g = walk.routed()
    wf.commitment_give(grievance=g, actor=youssef, promised_on=_late(g), beyond_due_reason="Banque")
    client.force_login(salma)
    page = client.get(reverse("grievances:queue", args=["toutes"])).content.decode()
    assert "data-beyond-due" in page
    assert "Hors délai prévisible" in page
    assert "data-countdown" in page


@pytest.mark.parametrize(("days", "label"), [(3, "J-3"), (0, "J"), (-2, "J+2"), (None, "")])
def test_countdown_labels(days, label):
    assert countdown_label(days) == label


def test_the_countdown_is_counted_from_today_to_the_running_due_date(walk):
    g = walk.register()
    g.due_on = date(2026, 3, 10)
    assert g.due_countdown(today=date(2026, 3, 7)) == 3
    assert countdown_label(g.due_countdown(today=date(2026, 3, 10))) == "J"
    assert countdown_label(g.due_countdown(today=date(2026, 3, 12))) == "J+2"
