from datetime import timedelta

import pytest
from django.utils import timezone

from grievances.services import workflow as wf
from grievances.services.intake import grievance_register
from pmpp import roles
from pmpp.models import Channel, ComplaintCategory, Programme, UnfoundedReason, Unit
from tests.factories import UserFactory


@pytest.fixture
def hicham(db):
    """Partner liaison at MENPS, receives MASSAR data errors on Tayssir."""
    return UserFactory(username="hicham", role=roles.PARTNER_LIAISON, scopes=[("menps", "tayssir")])


@pytest.fixture
def rachid(db):
    """Agent at CNSS on AMO TADAMON: must not see CNRA's Tayssir cases."""
    return UserFactory(username="rachid", role=roles.AGENT, scopes=[("cnss", "amo-tadamon")])


@pytest.fixture
def tayssir(db):
    return Programme.objects.get(code="tayssir")


@pytest.fixture
def phone(db):
    return Channel.objects.get(code="call-centre")


@pytest.fixture
def payment_category(tayssir):
    return ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu")


@pytest.fixture
def massar_category(tayssir):
    return ComplaintCategory.objects.get(programme=tayssir, code="erreur-cnie-tuteur")


@pytest.fixture
def payments_unit(db):
    return Unit.objects.get(code="cnra-paiements")


@pytest.fixture
def unfounded_reason(db):
    return UnfoundedReason.objects.get(code="changement-non-declare")


class Walk:
    """Drives a grievance along the workflow with the persona that owns each step."""

    def __init__(self, *, agent, handler, head, closer, partner, programme, channel, category, unit, reason):
        self.agent, self.handler, self.head, self.closer, self.partner = agent, handler, head, closer, partner
        self.programme, self.channel, self.category, self.unit, self.reason = (
            programme,
            channel,
            category,
            unit,
            reason,
        )
        self._cnie = 100000

    def register(self, **overrides):
        self._cnie += 1
        data = {
            "actor": self.agent,
            "programme": self.programme,
            "channel": self.channel,
            "description": "La bourse du deuxième trimestre n'est pas arrivée.",
            "cnie": f"AB{self._cnie}",
            "phone": "0612345678",
            "name": "Fatima Zahra El Amrani",
            "category": self.category,
        }
        return grievance_register(**(data | overrides)).grievance

    received = register

    def qualified(self, **register):
        g = self.register(**register)
        return wf.grievance_qualify(
            grievance=g,
            actor=self.agent,
            category=g.category or self.category,
            subject="Paiement non reçu",
            nature="individual",
            identity_verified=not g.is_anonymous,
        )

    def analysed(self, outcome="founded", **register):
        g = self.qualified(**register)
        return wf.grievance_analyse(
            grievance=g,
            actor=self.agent,
            conclusion="Le paiement a été rejeté par la banque.",
            outcome=outcome,
            unfounded_reason=self.reason if outcome == "unfounded" else None,
        )

    def routed(self, **register):
        return wf.grievance_route_to_unit(grievance=self.analysed(**register), actor=self.agent, unit=self.unit)

    def committed(self, **register):
        g = self.routed(**register)
        wf.commitment_give(grievance=g, actor=self.handler, promised_on=timezone.localdate() + timedelta(days=3))
        g.refresh_from_db()
        return g

    def commitment_broken(self, **register):
        return wf.commitment_break(grievance=self.committed(**register), actor=self.handler, reason="Retard bancaire")

    def treated(self, **register):
        g = self.committed(**register)
        wf.commitment_record_notification(commitment=g.commitments.get(), actor=self.agent)
        return wf.commitment_honour(grievance=g, actor=self.handler)

    def at_partner(self, **register):
        g = self.qualified(**({"category": self.massar()} | register))
        return wf.grievance_transmit_to_partner(grievance=g, actor=self.agent)

    def partner_answered(self, founded=True, corrected=True, **register):
        return wf.grievance_record_partner_outcome(
            grievance=self.at_partner(**register),
            actor=self.partner,
            founded=founded,
            data_corrected=corrected,
            note="MASSAR corrigé" if corrected else "Donnée non corrigée",
            unfounded_reason=None if founded else self.reason,
        )

    def massar(self):
        return ComplaintCategory.objects.get(programme=self.programme, code="erreur-cnie-tuteur")

    def answer_drafted(self, **register):
        return wf.grievance_draft_answer(
            grievance=self.analysed(**register), actor=self.agent, text="Votre bourse sera versée le 15."
        )

    def answer_rejected(self, **register):
        return wf.grievance_reject_answer(grievance=self.answer_drafted(**register), actor=self.head, note="Préciser")

    def answer_approved(self, **register):
        return wf.grievance_approve_answer(grievance=self.answer_drafted(**register), actor=self.head)

    def answer_sent(self, **register):
        return wf.grievance_send_answer(grievance=self.answer_approved(**register), actor=self.agent)

    def closed(self, **register):
        return wf.grievance_close(
            grievance=self.answer_sent(**register), actor=self.closer, synthesis="Bourse versée.", confirmed=True
        )

    def appealed(self, **register):
        return wf.grievance_appeal(grievance=self.closed(**register), actor=self.agent, reason="Montant incomplet")

    def duplicate(self, **register):
        original = self.register(**register)
        return self.register(cnie=original.complainant_cnie)

    def sensitive(self, *, details=None, **register):
        from grievances.services.intake import SensitiveDetails

        g = self.register(**register)
        details = details or SensitiveDetails(nature="Propos déplacés")
        wf.grievance_flag_sensitive(grievance=g, actor=self.agent, details=details)
        g.refresh_from_db()
        return g

    def in_state(self, state: str, **register):
        return getattr(self, state)(**register)


@pytest.fixture
def walk(salma, youssef, nadia, karim, hicham, tayssir, phone, payment_category, payments_unit, unfounded_reason):
    return Walk(
        agent=salma,
        handler=youssef,
        head=nadia,
        closer=karim,
        partner=hicham,
        programme=tayssir,
        channel=phone,
        category=payment_category,
        unit=payments_unit,
        reason=unfounded_reason,
    )
