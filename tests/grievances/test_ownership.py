"""The agent who registers a case owns it, unless the form gives it to someone else (issue 18)."""

import pytest
from django.urls import reverse

from grievances.models import Grievance
from grievances.queues import queue_counts
from pmpp.models import Channel, ComplaintCategory, Programme
from tests.factories import intake_form_data

pytestmark = pytest.mark.django_db


def my_cases(user) -> int:
    return queue_counts(user=user)["mes-dossiers"]


def register(client, user, **overrides):
    client.force_login(user)
    response = client.post(reverse("grievances:intake"), intake_form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Grievance.objects.latest("pk")


def test_the_agent_who_registers_a_case_finds_it_in_mes_dossiers(client, salma):
    assert my_cases(salma) == 0

    g = register(client, salma)

    assert g.assigned_to == salma
    assert my_cases(salma) == 1
    page = client.get(reverse("grievances:queue", args=["mes-dossiers"])).content.decode()
    assert g.reference in page
    registration = g.history.earliest("history_id")
    assert registration.history_change_reason.endswith(f"), attribuée à {salma.get_full_name()}")


def test_the_setting_off_leaves_the_case_to_be_assigned(client, salma, settings):
    settings.PMPP_ASSIGN_REGISTERING_AGENT = False

    g = register(client, salma)

    assert g.assigned_to is None
    assert my_cases(salma) == 0


def test_the_form_may_give_the_case_to_a_colleague_by_name(client, salma, youssef, rachid):
    client.force_login(salma)
    form = client.get(reverse("grievances:intake")).content.decode()
    picker = form[form.index('name="assignee"') : form.index("</select>", form.index('name="assignee"'))]
    assert "Moi-même" in picker
    assert youssef.get_full_name() in picker
    assert ">youssef<" not in picker
    # Rachid works on AMO TADAMON only: no programme in common with salma.
    assert rachid.get_full_name() not in picker

    g = register(client, salma, assignee=youssef.pk)

    assert g.assigned_to == youssef
    assert (my_cases(salma), my_cases(youssef)) == (0, 1)


def test_a_colleague_who_cannot_see_the_programme_is_refused_on_the_field(client, salma, youssef):
    # Youssef works on Tayssir only; salma on Tayssir and DAAM.
    daam = Programme.objects.get(code="daam")
    category = ComplaintCategory.objects.filter(programme=daam, is_active=True).first()
    client.force_login(salma)

    response = client.post(
        reverse("grievances:intake"),
        intake_form_data(programme=daam.pk, category=category.pk, assignee=youssef.pk),
    )

    assert response.status_code == 200
    assert "n&#x27;a pas accès à ce programme" in response.content.decode()
    assert not Grievance.objects.exists()


def test_a_duplicate_linked_at_intake_is_nobody_s(client, salma, walk):
    original = walk.register(cnie="AB123456")

    g = register(client, salma, duplicate_action="link")

    assert g.status == Grievance.Status.DUPLICATE
    assert g.duplicate_of == original
    assert g.assigned_to is None


def test_cases_filed_by_the_api_or_the_public_form_are_nobody_s(tayssir, payment_category):
    """Ownership is for a person registering by hand: a call-centre integration that also holds
    the agent's role files through the API without becoming anyone's owner."""
    from grievances.services.intake import grievance_register
    from pmpp import roles
    from tests.api.conftest import intake, make_account

    _account, api = make_account(name="centre-appel", channel="call-centre", extra_roles=[roles.AGENT])
    response = api.post(reverse("api:grievances"), intake(received_at=None), **{"Idempotency-Key": "req-1"})
    assert response.status_code == 201, response.content
    web = grievance_register(
        actor=None,
        programme=tayssir,
        channel=Channel.objects.get(code="web-portal"),
        description="Bourse non reçue.",
        category=payment_category,
        is_anonymous=True,
    ).grievance

    assert list(Grievance.objects.values_list("assigned_to", flat=True)) == [None, None]
    assert web.assigned_to is None
