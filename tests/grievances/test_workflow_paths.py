"""The CRM operations 1–4 as the PMPP describes them (§6.2.5, §6.3.6), one path per test."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grievances.models import Commitment, Grievance
from grievances.services import workflow as wf
from pmpp import roles
from pmpp.models import Channel, NotComplaintKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Grievance.Status


def _transitions(g: Grievance) -> list[str]:
    return list(g.history.order_by("history_id").values_list("transition", flat=True))


def test_standard_path_with_a_broken_then_renewed_commitment(walk, salma, youssef, nadia, karim):
    g = walk.routed()
    first = wf.commitment_give(grievance=g, actor=youssef, promised_on=timezone.localdate() + timedelta(days=3))
    wf.commitment_record_notification(commitment=first, actor=salma)
    wf.commitment_break(grievance=g, actor=youssef, reason="Fichier bancaire rejeté")
    second = wf.commitment_renew(
        grievance=g, actor=youssef, promised_on=timezone.localdate() + timedelta(days=5), reason="Nouveau virement"
    )
    wf.commitment_record_notification(commitment=second, actor=salma)
    g = wf.commitment_honour(grievance=g, actor=youssef)
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Votre bourse a été versée le 12.")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    g = wf.grievance_close(
        grievance=g, actor=karim, synthesis="Versement effectué après second virement.", confirmed=True
    )

    assert g.status == S.CLOSED
    assert _transitions(g) == [
        "register",
        "qualify",
        "analyse",
        "route_to_unit",
        "give_commitment",
        "break_commitment",
        "renew_commitment",
        "honour_commitment",
        "draft_answer",
        "approve_answer",
        "send_answer",
        "close",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.renews_id) == ("broken", "honoured", first.pk)
    # Penalty principle (§6.3.2): a broken commitment closes on the date the treatment was realised.
    assert g.effective_closed_at == second.realised_at


def test_a_commitment_honoured_at_the_first_attempt_closes_on_its_notification_date(walk, karim, nadia, salma):
    g = walk.treated()
    commitment = g.commitments.get()
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réglé.")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    g = wf.grievance_close(grievance=g, actor=karim, synthesis="Réglé.", confirmed=True)
    assert g.effective_closed_at == commitment.notified_at
    assert g.effective_closed_at < g.closure_validated_at
    delay = g.treatment_delay()
    assert delay.total_hours == pytest.approx((commitment.notified_at - g.received_at).total_seconds() / 3600)
    assert delay.days == (timezone.localdate(commitment.notified_at) - timezone.localdate(g.received_at)).days


def test_without_commitment_the_closure_date_is_the_validation_date(walk):
    g = walk.closed()
    assert g.commitments.count() == 0
    assert g.effective_closed_at == g.closure_validated_at


def test_an_honoured_commitment_must_have_been_notified_before_closing(walk, youssef, salma, nadia, karim):
    g = walk.committed()
    g = wf.commitment_honour(grievance=g, actor=youssef)
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réglé.")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    with pytest.raises(ValidationError) as error:
        wf.grievance_close(grievance=g, actor=karim, synthesis="Réglé.", confirmed=True)
    assert "commitments" in error.value.message_dict
    g.refresh_from_db()
    assert g.status == S.ANSWER_SENT


def test_partner_path_massar_error_corrected_by_menps_then_regularised(walk, salma, hicham, nadia, karim):
    g = walk.at_partner()
    assert g.partner_organisation.code == "menps"
    g = wf.grievance_record_partner_outcome(
        grievance=g, actor=hicham, founded=True, data_corrected=True, note="CNIE du tuteur corrigée dans MASSAR"
    )
    assert (g.outcome, g.partner_founded, g.partner_data_corrected) == ("founded", True, True)
    g = wf.grievance_regularise(grievance=g, actor=salma, note="Droit rétabli, rappel versé")
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Votre dossier est régularisé.")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    g = wf.grievance_close(grievance=g, actor=karim, synthesis="Régularisé après correction MASSAR.", confirmed=True)
    assert g.status == S.CLOSED
    assert "transmit_to_partner" in _transitions(g)
    assert "regularise" in _transitions(g)


def test_a_partner_refusal_goes_straight_to_an_answer_with_its_explanation(walk, salma):
    g = walk.partner_answered(founded=False)
    assert g.outcome == "unfounded"
    with pytest.raises(ValidationError):
        wf.grievance_regularise(grievance=g, actor=salma, note="…")
    with pytest.raises(ValidationError) as error:
        wf.grievance_draft_answer(grievance=g, actor=salma, text="Réclamation non fondée.")
    assert "outcome_explanation" in error.value.message_dict
    g = wf.grievance_draft_answer(
        grievance=g, actor=salma, text="Non fondée.", explanation="Le tuteur inscrit est bien le bénéficiaire."
    )
    assert g.status == S.ANSWER_DRAFTED


def test_a_founded_but_uncorrected_partner_outcome_is_sent_back_to_the_partner(walk, salma):
    g = walk.partner_answered(founded=True, corrected=False)
    with pytest.raises(ValidationError, match="corrigé la donnée"):
        wf.grievance_regularise(grievance=g, actor=salma, note="…")
    g = wf.grievance_transmit_to_partner(grievance=g, actor=salma, comment="Correction MASSAR attendue")
    assert g.status == S.AT_PARTNER
    assert g.partner_founded is None


def test_only_categories_that_need_a_partner_go_to_one(walk, salma):
    g = walk.qualified()
    with pytest.raises(ValidationError, match="ne nécessite pas d'organisme partenaire"):
        wf.grievance_transmit_to_partner(grievance=g, actor=salma)


def test_the_partner_outcome_is_recorded_only_by_the_liaison_of_that_partner(walk, db):
    g = walk.at_partner()
    other_partner = UserFactory(role=roles.PARTNER_LIAISON, scopes=[("msisf", None)])
    with pytest.raises(PermissionDenied):
        wf.grievance_record_partner_outcome(
            grievance=g, actor=other_partner, founded=True, data_corrected=True, note="x"
        )


def test_unfounded_requires_a_reason_and_the_answer_its_explanation(walk, salma, unfounded_reason):
    g = walk.qualified()
    with pytest.raises(ValidationError) as error:
        wf.grievance_analyse(
            grievance=g, actor=salma, conclusion="Compte clôturé sans déclaration", outcome="unfounded"
        )
    assert error.value.message_dict == {
        "unfounded_reason": ["Une réclamation non fondée doit indiquer son motif (§6.2.3)."]
    }
    g = wf.grievance_analyse(
        grievance=g, actor=salma, conclusion="Compte clôturé", outcome="unfounded", unfounded_reason=unfounded_reason
    )
    with pytest.raises(ValidationError, match="explication"):
        wf.grievance_draft_answer(grievance=g, actor=salma, text="Non fondée.")
    g = wf.grievance_draft_answer(
        grievance=g,
        actor=salma,
        text="Votre réclamation n'est pas fondée.",
        explanation="Le compte bancaire a été clôturé sans en informer la CNRA.",
    )
    assert g.outcome_explanation.startswith("Le compte bancaire")


def test_a_request_that_is_not_a_complaint_is_answered_and_closed_as_a_requete(walk, salma):
    g = walk.register()
    kind = NotComplaintKind.objects.get(code="demande-information")
    g = wf.grievance_reclassify_as_request(
        grievance=g, actor=salma, not_complaint_kind=kind, answer_text="Les paiements ont lieu chaque trimestre."
    )
    assert (g.status, g.request_kind, g.not_complaint_kind) == (S.CLOSED, "request", kind)
    assert g.effective_closed_at == g.closure_validated_at
    with pytest.raises(ValidationError, match="Un seul recours"):
        wf.grievance_appeal(grievance=g, actor=salma, reason="Pas satisfait")


def test_appeal_reopens_for_a_second_review_and_a_second_refusal_informs_of_the_mediateur(
    walk, salma, nadia, karim, unfounded_reason
):
    g = walk.closed()
    first = (g.due_on, g.closure_validated_at, g.effective_closed_at, g.closed_by_id)
    g = wf.grievance_appeal(grievance=g, actor=salma, reason="La bourse reste incomplète")
    assert (g.status, g.appeal_count) == (S.APPEALED, 1)
    # The appeal runs on its own clock, counted from the appeal; the first instance's stays.
    assert g.appeal_due_on >= first[0]
    g.refresh_from_db()
    assert g.current_due_on == g.appeal_due_on
    assert (g.due_on, g.closure_validated_at, g.effective_closed_at, g.closed_by_id) == first
    g = wf.grievance_review_appeal(
        grievance=g,
        actor=nadia,
        conclusion="Le montant correspond au barème",
        outcome="unfounded",
        unfounded_reason=unfounded_reason,
    )
    g = wf.grievance_draft_answer(
        grievance=g, actor=salma, text="Recours rejeté.", explanation="Le montant versé correspond au barème."
    )
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    with pytest.raises(ValidationError) as error:
        wf.grievance_close(grievance=g, actor=karim, synthesis="Recours rejeté.", confirmed=True)
    assert "external_recourse_informed" in error.value.message_dict
    g = wf.grievance_close(
        grievance=g, actor=karim, synthesis="Recours rejeté.", external_recourse_informed=True, confirmed=True
    )
    assert g.status == S.CLOSED
    # The founded first answer was reversed; the second closure is the appeal's own.
    assert g.appeal_decision == g.AppealDecision.REVERSED
    assert g.external_recourse_informed_at == g.appeal_closed_at
    assert (g.due_on, g.closure_validated_at, g.effective_closed_at, g.closed_by_id) == first
    assert g.appeal_synthesis == "Recours rejeté."
    with pytest.raises(ValidationError, match="Un seul recours"):
        wf.grievance_appeal(grievance=g, actor=salma, reason="Encore")


def test_the_answer_goes_out_on_the_intake_channel_unless_an_exception_is_recorded(walk, salma):
    g = walk.analysed()
    email = Channel.objects.get(code="email")
    with pytest.raises(ValidationError) as error:
        wf.grievance_draft_answer(grievance=g, actor=salma, text="Réponse", answer_channel=email)
    assert "answer_channel" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        wf.grievance_draft_answer(grievance=g, actor=salma, text="Réponse", exception="already_answered")
    assert "answer_channel_exception_reason" in error.value.message_dict
    g = wf.grievance_draft_answer(
        grievance=g,
        actor=salma,
        text="Nous vous rappelons.",
        exception="already_answered",
        exception_reason="Réponse déjà donnée au guichet le 3 mars",
        answer_channel=Channel.objects.get(code="call-centre"),
    )
    assert g.answer_channel_exception == "already_answered"


def test_by_default_the_answer_channel_is_the_intake_channel(walk, salma, phone):
    g = wf.grievance_draft_answer(grievance=walk.analysed(), actor=salma, text="Réponse")
    assert g.answer_channel == phone


def test_a_sensitive_allegation_leaves_the_ordinary_flow_without_identity(walk, salma):
    from grievances.services.intake import SensitiveDetails

    g = walk.qualified()
    case = wf.grievance_flag_sensitive(
        grievance=g,
        actor=salma,
        details=SensitiveDetails(nature="Un agent a exigé une faveur", perpetrator_linked="yes", survivor_sex="female"),
    )
    g.refresh_from_db()
    assert g.status == S.SENSITIVE
    assert (g.complainant_cnie, g.complainant_phone, g.complainant_name, g.description) == ("", "", "", "")
    assert case.source_grievance == g
    assert case.reference.startswith("VBG-")


def test_commitments_are_never_overwritten(walk, youssef, salma):
    g = walk.committed()
    first = g.commitments.get()
    wf.commitment_record_notification(commitment=first, actor=salma)
    with pytest.raises(ValidationError, match="déjà été informé"):
        wf.commitment_record_notification(commitment=first, actor=salma)
    wf.commitment_break(grievance=g, actor=youssef, reason="Retard")
    wf.commitment_renew(
        grievance=g, actor=youssef, promised_on=timezone.localdate() + timedelta(days=4), reason="Relance"
    )
    first.refresh_from_db()
    assert first.promised_on == timezone.localdate() + timedelta(days=3)
    assert first.status == Commitment.Status.BROKEN
    assert list(g.commitments.values_list("sequence", flat=True)) == [1, 2]


def test_a_promised_date_in_the_past_is_refused(walk, youssef):
    g = walk.routed()
    with pytest.raises(ValidationError) as error:
        wf.commitment_give(grievance=g, actor=youssef, promised_on=timezone.localdate() - timedelta(days=1))
    assert "promised_on" in error.value.message_dict
    g.refresh_from_db()
    assert g.status == S.ROUTED
    assert not g.commitments.exists()


def test_a_date_typed_to_the_minute_never_makes_the_treatment_time_negative(walk, salma, youssef, nadia, karim):
    g = walk.committed()
    commitment = g.commitments.get()
    same_minute = g.received_at.replace(second=0, microsecond=0)
    if same_minute < commitment.given_at.replace(second=0, microsecond=0):
        pytest.skip("the commitment was given in a later minute than the reception")
    wf.commitment_record_notification(commitment=commitment, actor=salma, notified_at=same_minute)
    g = wf.commitment_honour(grievance=g, actor=youssef, realised_at=same_minute)
    g = wf.grievance_draft_answer(grievance=g, actor=salma, text="Réglé.")
    g = wf.grievance_approve_answer(grievance=g, actor=nadia)
    g = wf.grievance_send_answer(grievance=g, actor=salma)
    g = wf.grievance_close(grievance=g, actor=karim, synthesis="Réglé.", confirmed=True)
    assert g.effective_closed_at >= g.received_at
    assert g.treatment_delay().total_hours >= 0
