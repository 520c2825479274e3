"""A complainant tracks a complaint with its code and their CNIE, phone or PIN, and nothing else."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import signing
from django.utils import timezone

from grievances.models import Grievance
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails
from tests.portal.conftest import CNIE, PHONE, TRACK_URL, track, without_csrf

pytestmark = pytest.mark.django_db

TRACKED_URL = "/suivre-ma-reclamation/dossier/"


def test_the_tracking_form_is_shown_on_get_and_reads_nothing_from_the_url(visitor, file_online):
    grievance = file_online().grievance
    response = visitor.get(TRACK_URL, {"tracking_code": grievance.tracking_code, "identity": CNIE})

    assert response.status_code == 200
    assert grievance.reference not in response.text
    assert 'method="post"' in response.text


@pytest.mark.parametrize("identity", [CNIE, "ab-123 456", PHONE, "+212 6 12 34 56 78"])
def test_a_named_complaint_opens_with_its_code_and_the_cnie_or_the_phone(visitor, file_online, identity):
    grievance = file_online().grievance

    response = track(visitor, code=grievance.tracking_code.lower(), identity=identity)

    assert response.status_code == 302
    assert response.url == TRACKED_URL
    page = visitor.get(TRACKED_URL)
    assert page.context["tracked"].reference == grievance.reference
    assert "Reçue" in page.text
    # The tracking code does not travel in the URL, nor does the identity.
    assert grievance.tracking_code not in response.url


def test_an_anonymous_complaint_opens_with_its_code_and_pin(visitor, file_anonymous):
    result = file_anonymous()

    response = track(visitor, code=result.grievance.tracking_code, pin=result.pin)

    assert response.status_code == 302
    assert visitor.get(TRACKED_URL).context["tracked"].reference == result.grievance.reference


def test_the_dossier_page_needs_a_proven_tracking(visitor):
    response = visitor.get(TRACKED_URL)
    assert response.status_code == 302
    assert response.url == TRACK_URL


def test_the_proof_expires_after_fifteen_minutes(visitor, file_online, monkeypatch):
    grievance = file_online().grievance
    track(visitor, code=grievance.tracking_code, identity=CNIE)
    assert visitor.get(TRACKED_URL).status_code == 200

    # Sixteen minutes later (the signature's clock moved, not the test's).
    later = time.time() + 16 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = visitor.get(TRACKED_URL)
    assert response.status_code == 302
    assert response.url == TRACK_URL


def test_every_failure_gives_the_same_response(visitor, file_online, file_anonymous, settings):
    settings.PMPP_TRACKING_ATTEMPTS = 100
    named = file_online().grievance
    anonymous = file_anonymous()

    failures = [
        track(visitor, code="UNKNOWNCODE2", identity=CNIE),  # unknown code
        track(visitor, code=named.tracking_code, identity="ZZ999999"),  # wrong CNIE
        track(visitor, code=named.tracking_code, identity="0699999999"),  # wrong phone
        track(visitor, code=named.tracking_code, pin="123456"),  # a PIN for a named complaint
        track(visitor, code=anonymous.grievance.tracking_code, pin="000000" if anonymous.pin != "000000" else "111111"),
        track(visitor, code=anonymous.grievance.tracking_code, identity=CNIE),  # identity for an anonymous one
        track(visitor, code="", identity=CNIE, pin=""),  # missing code: a form error, not a lookup
    ]
    lookups, form_error = failures[:-1], failures[-1]

    first = lookups[0]
    assert first.status_code == 200
    assert "Nous ne pouvons pas afficher de réclamation" in first.text
    for response in lookups[1:]:
        assert response.status_code == first.status_code
        assert without_csrf(response.content) == without_csrf(first.content)
    # Nothing typed is echoed back.
    assert named.tracking_code not in first.text
    assert CNIE not in first.text
    assert "Ce champ est obligatoire." in form_error.text


def test_a_failure_after_the_limit_looks_like_any_other(visitor, file_online, settings):
    settings.PMPP_TRACKING_ATTEMPTS = 1
    grievance = file_online().grievance
    ordinary = track(visitor, code=grievance.tracking_code, identity="ZZ999999", address="198.51.100.1")
    limited = track(visitor, code=grievance.tracking_code, identity=CNIE, address="198.51.100.2")

    assert limited.status_code == ordinary.status_code == 200
    assert without_csrf(limited.content) == without_csrf(ordinary.content)


def test_tracking_shows_the_public_status_and_the_notified_commitment(visitor, file_online, walk):
    grievance = file_online().grievance
    g = wf.grievance_qualify(
        grievance=grievance,
        actor=walk.agent,
        category=grievance.category,
        subject="Paiement non reçu",
        nature="individual",
        identity_verified=True,
    )
    g = wf.grievance_analyse(grievance=g, actor=walk.agent, conclusion="Rejet bancaire", outcome="founded")
    g = wf.grievance_route_to_unit(grievance=g, actor=walk.agent, unit=walk.unit)
    promised = timezone.localdate() + timedelta(days=5)
    commitment = wf.commitment_give(grievance=g, actor=walk.handler, promised_on=promised)

    track(visitor, code=grievance.tracking_code, identity=CNIE)
    page = visitor.get(TRACKED_URL)
    assert page.context["tracked"].status_label == "En cours de traitement"
    assert page.context["tracked"].committed_on is None  # not yet told to the complainant
    assert 'id="tracked-commitment"' not in page.text

    wf.commitment_record_notification(commitment=commitment, actor=walk.agent)
    page = visitor.get(TRACKED_URL)
    assert page.context["tracked"].committed_on == promised
    assert promised.strftime("%d/%m/%Y") in page.text
    # Staff and internal work never show.
    for internal in ("Rejet bancaire", walk.agent.last_name, walk.handler.last_name, "Service des paiements"):
        assert internal not in page.text


def test_after_closure_the_answer_and_the_explanation_show_but_no_internal_note(visitor, file_online, close, walk):
    grievance = close(file_online().grievance, outcome="unfounded")

    track(visitor, code=grievance.tracking_code, identity=PHONE)
    page = visitor.get(TRACKED_URL)

    assert page.context["tracked"].status_label == "Clôturée"
    assert "Votre bourse sera versée le 15." in page.text
    assert "Le changement de situation n&#x27;a pas été déclaré à temps." in page.text
    for internal in ("Note interne", "Synthèse interne", walk.agent.last_name, walk.closer.last_name):
        assert internal not in page.text


def test_a_sensitive_case_reads_exactly_like_any_case_in_treatment(visitor, file_anonymous, walk):
    sensitive, ordinary = file_anonymous(), file_anonymous()
    for result in (sensitive, ordinary):
        wf.grievance_qualify(
            grievance=result.grievance,
            actor=walk.agent,
            category=result.grievance.category,
            subject="Paiement non reçu",
            nature="individual",
            identity_verified=False,
        )
    wf.grievance_flag_sensitive(
        grievance=Grievance.objects.get(pk=sensitive.grievance.pk),
        actor=walk.agent,
        details=SensitiveDetails(nature="Propos déplacés"),
    )

    pages = []
    for result in (sensitive, ordinary):
        other = type(visitor)()
        assert track(other, code=result.grievance.tracking_code, pin=result.pin).status_code == 302
        page = other.get(TRACKED_URL)
        assert page.context["tracked"].status_label == "En cours de traitement"
        pages.append(without_csrf(page.content).replace(result.grievance.reference.encode(), b"REF"))

    assert pages[0] == pages[1]
    for word in (b"VBG", b"sensible", b"Propos"):
        assert word not in pages[0]


class CountingHasher(MD5PasswordHasher):
    """The test suite's fast hasher, counting how many hashes are checked."""

    algorithm = "counting_md5"
    verified = 0

    def verify(self, password, encoded):
        CountingHasher.verified += 1
        return super().verify(password, encoded)


def test_every_attempt_checks_exactly_one_password_hash(visitor, file_online, file_anonymous, settings):
    """Unknown code or known, named or anonymous, right or wrong: the same work, so the same time."""
    settings.PASSWORD_HASHERS = ["tests.portal.test_tracking.CountingHasher"]
    settings.PMPP_TRACKING_ATTEMPTS = 2
    named = file_online().grievance
    anonymous = file_anonymous()
    attempts = [
        {"code": "UNKNOWNCODE2", "identity": CNIE},
        {"code": "UNKNOWNCODE3", "pin": "123456"},
        {"code": named.tracking_code, "identity": "ZZ999999"},
        {"code": named.tracking_code, "identity": CNIE},
        {"code": anonymous.grievance.tracking_code, "pin": "999999" if anonymous.pin != "999999" else "888888"},
        {"code": anonymous.grievance.tracking_code, "pin": anonymous.pin},
        {"code": named.tracking_code, "identity": CNIE, "address": "198.51.100.3"},  # after a failure, fine
    ]
    for attempt in attempts:
        CountingHasher.verified = 0
        track(type(visitor)(), **attempt)
        assert CountingHasher.verified == 1, attempt

    # Limited (two failures from this address): still one check, and refused.
    for _ in range(2):
        track(visitor, code="UNKNOWNCODE4", identity=CNIE, address="198.51.100.4")
    CountingHasher.verified = 0
    assert track(visitor, code=named.tracking_code, identity=CNIE, address="198.51.100.4").status_code == 200
    assert CountingHasher.verified == 1


def test_a_second_complaint_on_the_same_subject_does_not_reveal_the_first(visitor, file_online):
    first = file_online().grievance
    response = visitor.post(
        "/deposer-une-reclamation/",
        {
            "programme": first.programme_id,
            "category": first.category_id,
            "description": "Toujours pas de bourse.",
            "complainant_cnie": CNIE,
            "preferred_contact": "none",
        },
        follow=True,
    )

    assert "Votre réclamation est enregistrée" in response.text
    assert first.reference not in response.text
    second = response.context["receipt"]
    assert Grievance.objects.get(reference=second["reference"]).status == Grievance.Status.DUPLICATE
    track(visitor, code=second["tracking_code"], identity=CNIE)
    page = visitor.get(TRACKED_URL)
    assert page.context["tracked"].status_label == "En cours de traitement"
    assert first.reference not in page.text


# --- the due date (issue 18) -------------------------------------------------------------------------------


def test_the_tracking_page_shows_the_due_date_and_the_legal_delay(visitor, file_online):
    grievance = file_online().grievance
    track(visitor, code=grievance.tracking_code, identity=CNIE)
    page = visitor.get(TRACKED_URL).text
    assert f'id="tracked-due-on">{grievance.due_on:%d/%m/%Y}<' in page
    assert "10 jours calendaires à compter de la réception" in page


def test_the_public_receipt_shows_the_due_date(visitor, tayssir, payment_category):
    response = visitor.get("/deposer-une-reclamation/")
    submission = response.context["submission"]
    visitor.post(
        "/deposer-une-reclamation/",
        {
            "submission": submission,
            "programme": tayssir.pk,
            "category": payment_category.pk,
            "description": "La bourse n'est pas arrivée.",
            "complainant_cnie": CNIE,
            "preferred_contact": "none",
        },
    )
    page = visitor.get("/deposer-une-reclamation/recu/").text
    grievance = Grievance.objects.get()
    assert f'id="receipt-due-on">{grievance.due_on:%d/%m/%Y}<' in page
    assert "10 jours calendaires" in page
