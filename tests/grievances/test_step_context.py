"""Step pages (issue 18): facts already recorded are not asked again; no consequential default."""

import pytest
from django.urls import reverse

from grievances.models import SensitiveCase
from tests.factories import intake_form_data

pytestmark = pytest.mark.django_db


def _step(client, g, name):
    return client.get(reverse("grievances:step", args=[g.pk, name])).content.decode()


def test_identity_verified_at_intake_is_not_asked_again_at_qualification(client, walk, salma):
    g = walk.register(identity_verified=True)
    client.force_login(salma)
    assert 'name="identity_verified"' not in _step(client, g, "qualify")
    response = client.post(
        reverse("grievances:step", args=[g.pk, "qualify"]),
        {"expected_status": "received", "category": g.category_id, "subject": "Paiement", "nature": "individual"},
    )
    assert response.status_code == 302
    g.refresh_from_db()
    assert (g.status, g.identity_verified) == ("qualified", True)


def test_identity_not_yet_verified_is_still_asked(client, walk, salma):
    g = walk.register(identity_verified=False)
    client.force_login(salma)
    assert 'name="identity_verified"' in _step(client, g, "qualify")


def test_the_nature_has_no_default(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    response = client.post(
        reverse("grievances:step", args=[g.pk, "qualify"]),
        {"expected_status": "received", "category": g.category_id, "subject": "Paiement", "identity_verified": "on"},
    )
    assert "nature" in response.context["form"].errors


def test_perpetrator_linked_has_no_default_and_is_required(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    page = _step(client, g, "flag_sensitive")
    assert '<option value="" selected>' in page.split('name="perpetrator_linked"')[1].split("</select>")[0]
    response = client.post(
        reverse("grievances:step", args=[g.pk, "flag_sensitive"]),
        {"expected_status": "received", "nature": "Propos déplacés"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["perpetrator_linked"] == [
        "Indiquez si l'auteur présumé est lié au projet : oui, non ou ne sait pas."
    ]
    assert not SensitiveCase.objects.exists()


def test_a_sensitive_intake_without_the_perpetrator_answer_is_refused(client, salma):
    client.force_login(salma)
    data = intake_form_data(sensitive="on", nature="Un agent a exigé une faveur")
    del data["perpetrator_linked"]
    response = client.post(reverse("grievances:intake"), data)
    assert response.status_code == 200
    assert "perpetrator_linked" in response.context["form"].errors
    assert not SensitiveCase.objects.exists()


def test_the_consent_given_at_the_flag_is_not_asked_again_at_referral(client, walk, meryem):
    from grievances.services.intake import SensitiveDetails

    walk.sensitive(details=SensitiveDetails(nature="Propos déplacés", consent_to_refer=True))
    case = SensitiveCase.objects.get()
    client.force_login(meryem)
    page = client.get(reverse("grievances:sensitive_detail", args=[case.pk])).content.decode()
    assert 'name="consent_to_refer"' not in page
    assert 'id="refer-consent"' in page


def test_the_approve_page_shows_the_answer_the_analysis_and_the_channel(client, walk, nadia):
    g = walk.answer_drafted()
    client.force_login(nadia)
    page = _step(client, g, "approve_answer")
    assert "Votre bourse sera versée le 15." in page.split('id="ctx-answer"')[1]
    assert 'id="ctx-analysis"' in page
    assert 'id="ctx-channel"' in page


def test_the_send_page_says_an_sms_goes_to_the_complainants_number(client, walk, salma):
    g = walk.answer_approved()
    client.force_login(salma)
    page = _step(client, g, "send_answer")
    sent = page.split('id="ctx-send"')[1].split("</p>")[0]
    assert "SMS" in sent
    assert "+212612345678" in sent


def test_the_send_page_says_a_manual_send_when_there_is_no_route(client, walk, salma):
    g = walk.answer_approved(is_anonymous=True, cnie="", phone="", name="")
    client.force_login(salma)
    assert "envoi manuel" in _step(client, g, "send_answer").split('id="ctx-send"')[1]


def test_the_close_page_shows_outcome_answer_and_delays(client, walk, karim):
    g = walk.answer_sent()
    client.force_login(karim)
    page = _step(client, g, "close")
    assert 'id="ctx-outcome"' in page
    assert 'id="ctx-answer"' in page
    assert "délai de traitement" in page.split('id="ctx-delays"')[1]


def test_the_rework_note_is_shown_when_drafting_again(client, walk, salma):
    g = walk.answer_rejected()
    client.force_login(salma)
    assert "Préciser" in _step(client, g, "draft_answer").split('id="ctx-rework"')[1]


def test_step_pages_issue_a_bounded_number_of_queries(client, walk, karim, django_assert_max_num_queries):
    g = walk.answer_sent()
    client.force_login(karim)
    # 12 reads; PostgreSQL also counts the SAVEPOINT and RELEASE of the grievance's read.
    with django_assert_max_num_queries(14):
        client.get(reverse("grievances:step", args=[g.pk, "close"]))
