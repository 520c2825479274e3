"""The grievance's state machine (PMPP §6.3.6, the appeal of §6.1): its states and every
transition on `Grievance.status`, with the condition and the permission each one needs.

`Grievance` mixes `GrievanceWorkflow` in and names these choices as its own
(`Grievance.Status`, `Grievance.Outcome`…). A transition changes only the grievance's own
fields and does no I/O; the services (`grievances.services.workflow`) run it.
"""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from grievances.access import may

if TYPE_CHECKING:
    from grievances.models.grievance import Grievance


class Status(models.TextChoices):
    RECEIVED = "received", _("Reçue")
    QUALIFIED = "qualified", _("Qualifiée")
    ANALYSED = "analysed", _("Analysée")
    ROUTED = "routed", _("Transmise au service métier")
    COMMITTED = "committed", _("Engagement en cours")
    COMMITMENT_BROKEN = "commitment_broken", _("Engagement non honoré")
    AT_PARTNER = "at_partner", _("Transmise à l'organisme partenaire")
    PARTNER_ANSWERED = "partner_answered", _("Retour de l'organisme partenaire")
    TREATED = "treated", _("Traitement réalisé")
    ANSWER_DRAFTED = "answer_drafted", _("Réponse à approuver")
    ANSWER_REJECTED = "answer_rejected", _("Réponse à reprendre")
    ANSWER_APPROVED = "answer_approved", _("Réponse approuvée")
    ANSWER_SENT = "answer_sent", _("Réponse envoyée")
    CLOSED = "closed", _("Clôturée")
    APPEALED = "appealed", _("En recours")
    DUPLICATE = "duplicate", _("Doublon")
    SENSITIVE = "sensitive", _("Transférée au référent VBG")


class RequestKind(models.TextChoices):
    COMPLAINT = "complaint", _("Réclamation")
    REQUEST = "request", _("Requête (hors réclamation)")


class Outcome(models.TextChoices):
    FOUNDED = "founded", _("Fondée")
    UNFOUNDED = "unfounded", _("Non fondée")


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", _("Décision confirmée")
    REVERSED = "reversed", _("Décision infirmée")


class GrievanceWorkflow:
    """The transitions of `Grievance`, on its `status` field (a django-fsm-2 `FSMField`)."""

    # --- conditions (data the machine needs, independent of the user) ---------------------

    def _is_complaint(self) -> bool:
        return self.request_kind == self.RequestKind.COMPLAINT

    def _needs_partner(self) -> bool:
        return self.category is not None and self.category.needs_partner

    def _partner_confirmed_and_corrected(self) -> bool:
        return bool(self.partner_founded and self.partner_data_corrected)

    def _partner_refused(self) -> bool:
        return self.partner_founded is False

    def _partner_founded_not_corrected(self) -> bool:
        return bool(self.partner_founded) and not self.partner_data_corrected

    def _may_appeal(self) -> bool:
        return self._is_complaint() and self.appeal_count == 0

    # --- operation 1: initiate and qualify (§6.3.6) --------------------------------------

    @transition(field="status", source=Status.RECEIVED, target=Status.DUPLICATE, permission=may("register_grievance"))
    def mark_duplicate(self, *, original: "Grievance") -> None:
        self.duplicate_of = original

    @transition(field="status", source=Status.RECEIVED, target=Status.QUALIFIED, permission=may("qualify_grievance"))
    def qualify(self, *, actor, category, subject: str, nature: str, identity_verified: bool, when) -> None:
        self.request_kind = self.RequestKind.COMPLAINT
        self.category = category
        self.subject = subject
        self.nature = nature
        self.identity_verified = identity_verified
        self.qualified_by = actor
        self.qualified_at = when

    @transition(
        field="status",
        source=[Status.RECEIVED, Status.QUALIFIED],
        target=Status.CLOSED,
        permission=may("qualify_grievance"),
    )
    def reclassify_as_request(self, *, actor, not_complaint_kind, answer_text: str, when) -> None:
        self.request_kind = self.RequestKind.REQUEST
        self.not_complaint_kind = not_complaint_kind
        self.answer_text = answer_text
        self.answer_author = actor
        self.answer_channel = self.channel
        self.answer_sent_at = when
        self.qualified_by = self.qualified_by or actor
        self.qualified_at = self.qualified_at or when
        self.closed_by = actor
        self.closure_validated_at = when
        self.effective_closed_at = when

    def forget_identity(self) -> None:
        """Blank every field that identifies the complainant (`IDENTITY_FIELDS`), and the
        tracking digests of a husk: once forgotten, the identity opens nothing either."""
        for name in (*self.IDENTITY_FIELDS, "tracking_cnie_digest", "tracking_phone_digest"):
            setattr(self, name, "")

    @transition(
        field="status",
        source=[Status.RECEIVED, Status.QUALIFIED],
        target=Status.SENSITIVE,
        permission=may("qualify_grievance"),
    )
    def flag_sensitive(self, *, cnie_digest: str, phone_digest: str) -> None:
        # The allegation and the identity now live in the SensitiveCase, the referent's only;
        # nothing that identifies the survivor stays on the ordinary record (SPEC §5.5) but
        # the digests that let the receipt open it as before.
        self.is_anonymous = True
        self.forget_identity()
        self.tracking_cnie_digest = cnie_digest
        self.tracking_phone_digest = phone_digest
        self.description = ""
        self.subject = ""

    # --- operation 2: analyse ----------------------------------------------------------------

    @transition(field="status", source=Status.QUALIFIED, target=Status.ANALYSED, permission=may("analyse_grievance"))
    def analyse(self, *, conclusion: str, outcome: str, unfounded_reason) -> None:
        self.analysis_conclusion = conclusion
        self.outcome = outcome
        self.unfounded_reason = unfounded_reason if outcome == self.Outcome.UNFOUNDED else None

    # --- operation 3: prepare the answer -----------------------------------------------------

    @transition(field="status", source=Status.ANALYSED, target=Status.ROUTED, permission=may("route_grievance"))
    def route_to_unit(self, *, unit, assignee) -> None:
        self.assigned_unit = unit
        if assignee is not None:
            self.assigned_to = assignee

    @transition(field="status", source=Status.ROUTED, target=Status.COMMITTED, permission=may("commit_grievance"))
    def give_commitment(self, *, beyond_due: bool = False) -> None:
        # `beyond_due`: promised after the running due date (the service's deadline guard).
        self.commitment_beyond_due = beyond_due

    @transition(field="status", source=Status.COMMITTED, target=Status.TREATED, permission=may("commit_grievance"))
    def honour_commitment(self) -> None:
        self.commitment_beyond_due = False

    @transition(
        field="status", source=Status.COMMITTED, target=Status.COMMITMENT_BROKEN, permission=may("commit_grievance")
    )
    def break_commitment(self) -> None:
        self.commitment_beyond_due = False

    @transition(
        field="status", source=Status.COMMITMENT_BROKEN, target=Status.COMMITTED, permission=may("commit_grievance")
    )
    def renew_commitment(self, *, beyond_due: bool = False) -> None:
        self.commitment_beyond_due = beyond_due

    @transition(
        field="status",
        source=[Status.QUALIFIED, Status.ANALYSED, Status.PARTNER_ANSWERED],
        target=Status.AT_PARTNER,
        conditions=[_needs_partner],
        permission=may("route_grievance"),
    )
    def transmit_to_partner(self) -> None:
        self.partner_organisation = self.category.partner_organisation
        self.partner_founded = None
        self.partner_data_corrected = None

    @transition(
        field="status",
        source=Status.AT_PARTNER,
        target=Status.PARTNER_ANSWERED,
        permission=may("record_partner_outcome", partner_only=True),
    )
    def record_partner_outcome(self, *, founded: bool, data_corrected: bool, note: str, unfounded_reason) -> None:
        self.partner_founded = founded
        self.partner_data_corrected = data_corrected if founded else False
        self.partner_note = note
        self.outcome = self.Outcome.FOUNDED if founded else self.Outcome.UNFOUNDED
        self.unfounded_reason = None if founded else unfounded_reason
        if not self.analysis_conclusion:
            self.analysis_conclusion = note

    @transition(
        field="status",
        source=Status.PARTNER_ANSWERED,
        target=Status.TREATED,
        conditions=[_partner_confirmed_and_corrected],
        permission=may("regularise_grievance"),
    )
    def regularise(self, *, note: str) -> None:
        self.regularisation_note = note

    @transition(
        field="status",
        source=[Status.ANALYSED, Status.TREATED, Status.PARTNER_ANSWERED, Status.ANSWER_REJECTED],
        target=Status.ANSWER_DRAFTED,
        permission=may("draft_answer"),
    )
    def draft_answer(
        self, *, actor, text: str, explanation: str, answer_channel, exception: str, exception_reason: str
    ) -> None:
        self.answer_text = text
        self.outcome_explanation = explanation
        self.answer_author = actor
        self.answer_channel = answer_channel
        self.answer_channel_exception = exception
        self.answer_channel_exception_reason = exception_reason
        self.answer_approved_by = None
        self.answer_approved_at = None

    @transition(
        field="status",
        source=Status.ANSWER_DRAFTED,
        target=Status.ANSWER_APPROVED,
        permission=may("approve_answer", not_the="answer_author_id"),
    )
    def approve_answer(self, *, actor, note: str, when) -> None:
        self.answer_approved_by = actor
        self.answer_approved_at = when
        self.answer_review_note = note

    @transition(
        field="status",
        source=Status.ANSWER_DRAFTED,
        target=Status.ANSWER_REJECTED,
        permission=may("approve_answer", not_the="answer_author_id"),
    )
    def reject_answer(self, *, note: str) -> None:
        self.answer_review_note = note

    @transition(field="status", source=Status.ANSWER_APPROVED, target=Status.ANSWER_SENT, permission=may("send_answer"))
    def send_answer(self, *, when) -> None:
        self.answer_sent_at = when

    # --- operation 4: close ------------------------------------------------------------------

    @transition(
        field="status",
        source=Status.ANSWER_SENT,
        target=Status.CLOSED,
        permission=may("close_grievance", not_the="qualified_by_id", unless_setting="PMPP_ALLOW_SELF_CLOSE"),
    )
    def close(self, *, actor, synthesis: str, when, effective_closed_at, external_recourse_informed: bool) -> None:
        if external_recourse_informed:
            self.external_recourse_informed_at = when
        if self.appeal_count:
            # The second closure is the appeal's own: the first instance's stays as it was.
            self.appeal_synthesis = synthesis
            self.appeal_closed_by = actor
            self.appeal_closed_at = when
            return
        self.final_synthesis = synthesis
        self.closed_by = actor
        self.closure_validated_at = when
        self.effective_closed_at = effective_closed_at

    # --- appeal (recours, §6.1) --------------------------------------------------------------

    @transition(
        field="status",
        source=Status.CLOSED,
        target=Status.APPEALED,
        conditions=[_may_appeal],
        permission=may("record_appeal"),
    )
    def appeal(self, *, reason: str, when, due_on) -> None:
        self.appeal_count += 1
        self.appeal_reason = reason
        self.appealed_at = when
        self.appeal_due_on = due_on

    @transition(field="status", source=Status.APPEALED, target=Status.ANALYSED, permission=may("review_appeal"))
    def review_appeal(self, *, actor, when, conclusion: str, outcome: str, unfounded_reason) -> None:
        # Upheld when the review reaches the outcome the first instance had, reversed otherwise;
        # the outcome then is the latest known (docs/metrics.md, « fondées / non fondées »).
        self.appeal_decision = self.AppealDecision.UPHELD if outcome == self.outcome else self.AppealDecision.REVERSED
        self.appeal_reviewed_at = when
        self.appeal_reviewed_by = actor
        self.analysis_conclusion = conclusion
        self.outcome = outcome
        self.unfounded_reason = unfounded_reason if outcome == self.Outcome.UNFOUNDED else None
        # The second review ends with a new answer, approved and sent again, then its own closure.
        self.answer_approved_by = None
        self.answer_approved_at = None
        self.answer_sent_at = None
