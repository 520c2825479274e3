"""Mass assignment: fields a caller may not set are ignored or refused (issue 9, item 2).

Each probe sends a legitimate request plus the fields an attacker would add (status,
reference, tracking code, dates, author, assignee, sensitivity, ids, another organisation's
programme) and compares the stored object with what the legitimate request alone gives.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance, SensitiveCase
from pmpp.models import Programme
from stakeholders.models import EngagementActivity
from tests.api.conftest import chikaya, intake  # noqa: F401  (fixtures)
from tests.stakeholders.builders import make_activity

pytestmark = pytest.mark.django_db

LONG_AGO = "2020-01-01T08:00:00+01:00"


def _forged(*, other_user, grievance_id: int) -> dict:
    """What an attacker adds to a form or a JSON body."""
    return {
        "id": grievance_id,
        "pk": grievance_id,
        "status": "closed",
        "reference": "FORGE-2020-000001",
        "tracking_code": "FORGEDCODE",
        "created_at": LONG_AGO,
        "created_by": other_user.pk,
        "assigned_to": other_user.pk,
        "assigned_unit": 1,
        "is_sensitive": True,
        "sensitivity": "sensitive",
        "organisation": "cnss",
        "closed_by": other_user.pk,
        "final_synthesis": "Clôturée par l'attaquant.",
        "history_user": other_user.pk,
        "history_change_reason": "forgé",
        "appeal_count": 7,
        "satisfaction_rating": 5,
    }


def _fields(grievance: Grievance) -> dict:
    grievance.refresh_from_db()
    return {
        "status": grievance.status,
        "reference": grievance.reference,
        "tracking_code": grievance.tracking_code,
        "created_at": grievance.created_at,
        "created_by_id": grievance.created_by_id,
        "assigned_to_id": grievance.assigned_to_id,
        "assigned_unit_id": grievance.assigned_unit_id,
        "programme_id": grievance.programme_id,
        "closed_by_id": grievance.closed_by_id,
        "final_synthesis": grievance.final_synthesis,
        "appeal_count": grievance.appeal_count,
        "satisfaction_rating": grievance.satisfaction_rating,
    }


# --- the API ---------------------------------------------------------------------------------------------


def test_api_intake_ignores_forged_fields(chikaya, rachid):  # noqa: F811
    account, api = chikaya
    body = intake(cnie="BK100001") | _forged(other_user=rachid, grievance_id=1)
    response = api.post(reverse("api:grievances"), body)
    assert response.status_code == 201, response.json()
    grievance = Grievance.objects.get(reference=response.json()["reference"])
    assert grievance.reference != "FORGE-2020-000001"
    assert grievance.reference.startswith("TAY-")
    assert grievance.tracking_code != "FORGEDCODE"
    assert grievance.status == Grievance.Status.RECEIVED
    assert grievance.created_by == account.user
    assert grievance.assigned_to is None
    assert grievance.closed_by is None
    assert grievance.created_at > timezone.now() - timedelta(minutes=5)
    assert grievance.appeal_count == 0
    assert grievance.satisfaction_rating is None
    assert grievance.final_synthesis == ""
    assert not SensitiveCase.objects.exists()
    assert grievance.history.count() == 1


def test_api_intake_refuses_a_programme_outside_the_accounts_scope(chikaya):  # noqa: F811
    _account, api = chikaya
    response = api.post(reverse("api:grievances"), intake(programme="amo-tadamon", category=""))
    assert response.status_code in (400, 403)
    assert not Grievance.objects.filter(programme__code="amo-tadamon").exists()


def test_an_api_step_changes_only_what_the_step_sets(walk, salma, rachid):
    from tests.api.conftest import make_account

    _account, api = make_account(name="centre", channel="call-centre", extra_roles=["agent"])
    grievance = walk.register()
    grievance.created_by = _account.user  # the account reads back what it filed
    grievance.save(update_fields=["created_by"])
    before = _fields(grievance)
    body = {"category": "paiement-non-recu", "nature": "individual", "subject": "Paiement", "identity_verified": True}
    forged = _forged(other_user=rachid, grievance_id=grievance.pk) | {"programme": "amo-tadamon"}
    url = reverse("api:step-qualify", args=[grievance.reference])
    response = api.post(url, body | forged)
    assert response.status_code == 200, response.json()
    after = _fields(grievance)
    assert after.pop("status") == Grievance.Status.QUALIFIED
    before.pop("status")
    assert after == before


# --- the back-office forms -------------------------------------------------------------------------------


def test_web_intake_ignores_forged_fields(client, salma, rachid, tayssir, phone, payment_category):
    client.force_login(salma)
    form = {
        "programme": tayssir.pk,
        "channel": phone.pk,
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "category": payment_category.pk,
        "description": "La bourse n'est pas arrivée.",
        "cnie": "AB100002",
        "phone": "0612345678",
        "name": "Fatima Zahra El Amrani",
        "duplicate_override_reason": "",
    }
    response = client.post(reverse("grievances:intake"), form | _forged(other_user=rachid, grievance_id=1))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    grievance = Grievance.objects.get()
    assert grievance.status == Grievance.Status.RECEIVED
    assert grievance.reference != "FORGE-2020-000001"
    assert grievance.tracking_code != "FORGEDCODE"
    assert grievance.created_by == salma
    # Whoever registers owns the case (issue 18); a forged `assigned_to` gives it to nobody else.
    assert grievance.assigned_to == salma
    assert grievance.closed_by is None
    assert grievance.created_at > timezone.now() - timedelta(minutes=5)
    assert not SensitiveCase.objects.exists()


def test_web_intake_refuses_a_programme_of_another_organisation(client, salma, phone):
    client.force_login(salma)
    other = Programme.objects.get(code="amo-tadamon")
    response = client.post(
        reverse("grievances:intake"),
        {
            "programme": other.pk,
            "channel": phone.pk,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "description": "x",
            "cnie": "AB100003",
        },
    )
    assert response.status_code == 200
    assert "programme" in response.context["form"].errors
    assert not Grievance.objects.exists()


def test_a_workflow_step_form_changes_only_what_the_step_sets(client, walk, salma, rachid, payment_category):
    grievance = walk.register()
    before = _fields(grievance)
    client.force_login(salma)
    form = {
        "category": payment_category.pk,
        "subject": "Paiement non reçu",
        "nature": "individual",
        "identity_verified": "on",
        "expected_status": grievance.status,
    }
    forged = _forged(other_user=rachid, grievance_id=grievance.pk) | {
        "programme": Programme.objects.get(code="amo-tadamon").pk
    }
    response = client.post(reverse("grievances:step", args=[grievance.pk, "qualify"]), form | forged)
    assert response.status_code == 302
    after = _fields(grievance)
    assert after.pop("status") == Grievance.Status.QUALIFIED
    before.pop("status")
    assert after == before


def test_a_registry_form_ignores_its_author_and_ids(client, leila, omar):
    activity = make_activity()
    activity.created_by = leila
    activity.save()
    client.force_login(leila)
    page = client.get(reverse("stakeholders:activity_edit", args=[activity.pk]))
    form = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    form |= {
        "title": "Focus group renommé",
        "type": activity.type,
        "start_date": activity.start_date.isoformat(),
        "organiser": activity.organiser_id,
        "programmes": [p.pk for p in activity.programmes.all()],
        "languages": ["darija"],
        "change_reason": "Correction du titre",
        "id": activity.pk + 1000,
        "created_by": omar.pk,
        "history_user": omar.pk,
    }
    response = client.post(reverse("stakeholders:activity_edit", args=[activity.pk]), form)
    assert response.status_code == 302, response.context["form"].errors
    stored = EngagementActivity.objects.get(pk=activity.pk)
    assert stored.title == "Focus group renommé"
    assert stored.created_by == leila
    assert stored.history.latest("history_id").history_user == leila
    assert not EngagementActivity.objects.filter(pk=activity.pk + 1000).exists()


# --- the public portal -----------------------------------------------------------------------------------


def test_portal_filing_ignores_forged_fields(client, tayssir, payment_category, rachid):
    form = {
        "programme": tayssir.pk,
        "category": payment_category.pk,
        "description": "Ma bourse n'est pas arrivée.",
        "complainant_name": "Fatima Zahra El Amrani",
        "complainant_cnie": "AB100004",
        "complainant_phone": "0612345678",
        "preferred_contact": "sms",
    }
    forged = _forged(other_user=rachid, grievance_id=1) | {"channel": "call-centre", "received_at": LONG_AGO}
    response = client.post(reverse("portal:file"), form | forged)
    assert response.status_code == 302, response.context["form"].errors
    grievance = Grievance.objects.get()
    assert grievance.channel.code == "web-portal"
    assert grievance.status == Grievance.Status.RECEIVED
    assert grievance.created_by is None
    assert grievance.assigned_to is None
    assert grievance.received_at > timezone.now() - timedelta(minutes=5)
    assert grievance.reference != "FORGE-2020-000001"
    assert grievance.tracking_code != "FORGEDCODE"
    assert not SensitiveCase.objects.exists()
