"""After closure, from the tracking page: rate the treatment once, or appeal (§6.1)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances.models import Grievance
from grievances.services.satisfaction import SATISFACTION_REASON, grievance_rate_satisfaction
from pmpp import roles
from portal.services import PORTAL_USERNAME, portal_account
from tests.portal.conftest import CNIE, track

pytestmark = pytest.mark.django_db

TRACKED_URL = "/suivre-ma-reclamation/dossier/"
RATE_URL = "/suivre-ma-reclamation/satisfaction/"
APPEAL_URL = "/suivre-ma-reclamation/recours/"

# --- the satisfaction service ------------------------------------------------------------------------


def test_a_closed_grievance_is_rated_once_with_its_reason_in_history(file_online, close):
    grievance = close(file_online().grievance)

    rated = grievance_rate_satisfaction(grievance=grievance, rating=4, when=timezone.now())

    assert rated.satisfaction_rating == 4
    assert rated.satisfaction_rated_at is not None
    assert rated.status == Grievance.Status.CLOSED
    assert rated.history.latest().history_change_reason == SATISFACTION_REASON
    with pytest.raises(ValidationError, match="déjà été exprimée"):
        grievance_rate_satisfaction(grievance=grievance, rating=1, when=timezone.now())
    grievance.refresh_from_db()
    assert grievance.satisfaction_rating == 4


def test_a_grievance_in_treatment_cannot_be_rated(file_online):
    grievance = file_online().grievance
    with pytest.raises(ValidationError, match="une fois la réclamation clôturée"):
        grievance_rate_satisfaction(grievance=grievance, rating=5, when=timezone.now())
    grievance.refresh_from_db()
    assert grievance.satisfaction_rating is None


@pytest.mark.parametrize("rating", [0, 6, True])
def test_a_rating_is_between_one_and_five(file_online, close, rating):
    grievance = close(file_online().grievance)
    with pytest.raises(ValidationError, match="de 1 à 5"):
        grievance_rate_satisfaction(grievance=grievance, rating=rating, when=timezone.now())


# --- from the tracking page --------------------------------------------------------------------------


def test_the_complainant_rates_from_the_tracking_page_once(visitor, file_online, close):
    grievance = close(file_online().grievance)
    track(visitor, code=grievance.tracking_code, identity=CNIE)
    assert 'id="satisfaction-form"' in visitor.get(TRACKED_URL).text

    response = visitor.post(RATE_URL, {"rating": "5"}, follow=True)

    grievance.refresh_from_db()
    assert grievance.satisfaction_rating == 5
    assert "votre appréciation a été enregistrée" in response.text
    assert 'id="satisfaction-form"' not in response.text
    visitor.post(RATE_URL, {"rating": "1"})
    grievance.refresh_from_db()
    assert grievance.satisfaction_rating == 5


def test_no_rating_or_appeal_before_closure(visitor, file_online):
    grievance = file_online().grievance
    track(visitor, code=grievance.tracking_code, identity=CNIE)
    page = visitor.get(TRACKED_URL)
    assert 'id="satisfaction-form"' not in page.text
    assert 'id="appeal-form"' not in page.text

    response = visitor.post(RATE_URL, {"rating": "5"}, follow=True)
    assert "une fois la réclamation clôturée" in response.text
    visitor.post(APPEAL_URL, {"appeal_reason": "Je conteste."})
    grievance.refresh_from_db()
    assert grievance.satisfaction_rating is None
    assert grievance.status == Grievance.Status.RECEIVED


def test_rating_and_appeal_need_a_proven_tracking(visitor, file_online, close):
    grievance = close(file_online().grievance)

    assert visitor.post(RATE_URL, {"rating": "5"}).url == "/suivre-ma-reclamation/"
    assert visitor.post(APPEAL_URL, {"appeal_reason": "Je conteste."}).url == "/suivre-ma-reclamation/"
    grievance.refresh_from_db()
    assert grievance.satisfaction_rating is None
    assert grievance.status == Grievance.Status.CLOSED


def test_the_portal_account_cannot_sign_in_and_holds_only_its_role(db):
    account = portal_account()
    assert portal_account() == account  # created once
    assert account.username == PORTAL_USERNAME
    assert account.get_full_name() == "Espace public"
    assert not account.has_usable_password()
    assert roles.role_codes_for(account) == {roles.PUBLIC_PORTAL}
    assert account.get_all_permissions() == {"grievances.record_appeal"}
    assert account.programme_scope().all_programmes


def test_an_appeal_from_the_tracking_page_reopens_the_case_in_the_portal_s_name(visitor, file_online, close):
    grievance = close(file_online().grievance, outcome="unfounded")
    track(visitor, code=grievance.tracking_code, identity=CNIE)

    response = visitor.post(APPEAL_URL, {"appeal_reason": "Le changement a bien été déclaré en mars."}, follow=True)

    grievance.refresh_from_db()
    assert grievance.status == Grievance.Status.APPEALED
    assert grievance.appeal_reason == "Le changement a bien été déclaré en mars."
    last = grievance.history.latest()
    assert last.history_user == portal_account()
    assert last.history_user.get_full_name() == "Espace public"
    assert last.transition == "appeal"
    assert "Votre recours a été enregistré" in response.text
    assert response.context["tracked"].status_label == "En recours"
    assert 'id="appeal-form"' not in response.text


def test_a_second_appeal_is_refused(visitor, file_online, close, walk):
    from grievances.services import workflow as wf

    grievance = close(file_online().grievance)
    track(visitor, code=grievance.tracking_code, identity=CNIE)
    visitor.post(APPEAL_URL, {"appeal_reason": "Montant incomplet."})
    grievance.refresh_from_db()
    g = wf.grievance_review_appeal(grievance=grievance, actor=walk.head, conclusion="Confirmé", outcome="founded")
    g = wf.grievance_draft_answer(grievance=g, actor=walk.agent, text="Le complément sera versé.")
    g = wf.grievance_approve_answer(grievance=g, actor=walk.head)
    g = wf.grievance_send_answer(grievance=g, actor=walk.agent)
    wf.grievance_close(grievance=g, actor=walk.closer, synthesis="Complément versé.", confirmed=True)

    page = visitor.get(TRACKED_URL)
    assert 'id="appeal-form"' not in page.text
    response = visitor.post(APPEAL_URL, {"appeal_reason": "Encore."}, follow=True)
    assert "Un seul recours est possible" in response.text
    grievance.refresh_from_db()
    assert grievance.status == Grievance.Status.CLOSED
    assert grievance.appeal_count == 1
