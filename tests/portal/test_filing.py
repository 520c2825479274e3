"""A complainant files a complaint on the public page, named or anonymous, with no account."""

import pytest
from django.contrib.auth.hashers import check_password

from grievances.models import ContactPreference, Grievance
from tests.portal.conftest import CNIE

pytestmark = pytest.mark.django_db

FILE_URL = "/deposer-une-reclamation/"


def form_data(programme, category, **overrides):
    data = {
        "programme": programme.pk,
        "category": category.pk,
        "description": "Je n'ai pas reçu la bourse Tayssir de mon fils pour le deuxième trimestre.",
        "complainant_name": "Fatima Zahra El Amrani",
        "complainant_cnie": "ab 123456",
        "complainant_phone": "06 12 34 56 78",
        "complainant_email": "",
        "preferred_contact": ContactPreference.SMS,
    }
    return data | overrides


def test_the_filing_page_opens_without_an_account(visitor):
    response = visitor.get(FILE_URL)
    assert response.status_code == 200
    assert "Déposer une réclamation" in response.text
    assert "Paiement non reçu" in response.text  # categories, grouped by programme


def test_a_named_complaint_is_recorded_on_the_web_channel_and_its_codes_shown(visitor, tayssir, payment_category):
    response = visitor.post(FILE_URL, form_data(tayssir, payment_category), follow=True)

    grievance = Grievance.objects.get()
    assert grievance.channel.code == "web-portal"
    assert grievance.created_by is None
    assert grievance.complainant_cnie == CNIE
    assert grievance.complainant_phone == "+212612345678"
    assert grievance.preferred_contact == ContactPreference.SMS
    assert grievance.category == payment_category
    assert not grievance.is_anonymous
    assert grievance.pin_hash == ""
    assert grievance.history.get().history_change_reason.startswith("Enregistrement")
    assert grievance.reference in response.text
    assert grievance.tracking_code in response.text
    assert 'id="receipt-pin"' not in response.text
    # Nothing the complainant typed, nor their codes, travels in a URL.
    for url, _status in response.redirect_chain:
        for secret in (CNIE, "612345678", grievance.tracking_code, grievance.reference):
            assert secret not in url


def test_an_anonymous_complaint_gets_a_pin_shown_once(visitor, tayssir, payment_category):
    data = form_data(tayssir, payment_category, is_anonymous="on")
    # The page's script disables the identity block once « anonymous » is ticked; without it,
    # whatever was typed there is dropped by the view, not kept.
    response = visitor.post(FILE_URL, data, follow=True)

    grievance = Grievance.objects.get()
    assert grievance.is_anonymous
    assert grievance.complainant_cnie == grievance.complainant_phone == grievance.complainant_name == ""
    assert grievance.preferred_contact == ContactPreference.NONE
    pin = response.context["receipt"]["pin"]
    assert len(pin) == 6
    assert pin in response.text
    assert check_password(pin, grievance.pin_hash)
    assert grievance.tracking_code in response.text
    for url, _status in response.redirect_chain:
        assert pin not in url
        assert grievance.tracking_code not in url

    # Shown once: the receipt is gone from the session after that page.
    again = visitor.get("/deposer-une-reclamation/recu/")
    assert again.status_code == 302
    assert again.url == FILE_URL


def test_missing_fields_are_reported_in_french(visitor):
    response = visitor.post(FILE_URL, {"description": ""})

    assert response.status_code == 200
    assert Grievance.objects.count() == 0
    assert "Ce champ est obligatoire." in response.text


def test_a_named_complaint_needs_a_cnie_or_a_phone(visitor, tayssir, payment_category):
    data = form_data(tayssir, payment_category, complainant_cnie="", complainant_phone="", preferred_contact="none")
    response = visitor.post(FILE_URL, data)

    assert Grievance.objects.count() == 0
    assert "Indiquez la CNIE ou le téléphone" in response.text


def test_an_email_answer_needs_an_address(visitor, tayssir, payment_category):
    response = visitor.post(FILE_URL, form_data(tayssir, payment_category, preferred_contact="email"))

    assert Grievance.objects.count() == 0
    assert "Indiquez l&#x27;adresse électronique à laquelle vous répondre." in response.text


def test_a_category_of_another_programme_is_refused(visitor, tayssir, payment_category):
    from pmpp.models import ComplaintCategory, Programme

    daam = Programme.objects.get(code="daam")
    other = ComplaintCategory.objects.filter(programme=daam).first()
    response = visitor.post(FILE_URL, form_data(tayssir, other))

    assert Grievance.objects.count() == 0
    assert "pas du programme Tayssir" in response.text


def test_the_public_pages_render_in_arabic_right_to_left(visitor):
    # The language switch is a form on every page, usable without an account.
    visitor.post("/i18n/setlang/", {"language": "ar", "next": FILE_URL})
    for url in (FILE_URL, "/suivre-ma-reclamation/"):
        response = visitor.get(url)
        assert response.status_code == 200
        assert '<html lang="ar" dir="rtl">' in response.text
        assert "bootstrap.rtl.min.css" in response.text
