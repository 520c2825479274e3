"""Forms of the workflow screens: each step asks exactly the data that step needs.

Field names are those of the service's validation errors, so an error raised by a
service lands on the field it names.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.forms_assign import AssignForm, IntakeOwnerMixin, PersonChoiceField  # noqa: F401
from grievances.forms_guards import DeadlineGuardMixin
from grievances.forms_intake import DUPLICATE_LINK, DUPLICATE_SEPARATE, DuplicateAndCategoryMixin  # noqa: F401
from grievances.models import AgeGroup, Commitment, Grievance, Residence, SensitiveCase, Sex
from grievances.people import colleagues_with_roles, who_sees_every
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails
from grievances.step_confirmations import close_confirmation
from pmpp import limits, roles
from pmpp.category_select import ProgrammeCategorySelect, use_grouped_categories
from pmpp.confirmation import Confirmation, confirmed
from pmpp.form_rendering import BootstrapMixin, DateInput, DateTimeInput
from pmpp.limits import max_length_of
from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Programme, Region, UnfoundedReason, Unit

YES_NO = [("yes", _("Oui")), ("no", _("Non"))]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- workflow steps ----------------------------------------------------------------------------------


class StepForm(BootstrapMixin, forms.Form):
    """Base of every step form. `expected_status` detects a case moved by someone else."""

    expected_status = forms.CharField(widget=forms.HiddenInput, max_length=max_length_of(Grievance, "status"))
    comment_field: str | None = "comment"
    # An irreversible step sets what its confirmation says (issue 20); the page asks before submitting.
    confirmation: Confirmation | None = None

    def __init__(self, *args, grievance: Grievance, user, query=None, **kwargs):
        kwargs.setdefault("initial", {})["expected_status"] = grievance.status
        super().__init__(*args, **kwargs)
        self.grievance, self.user = grievance, user
        # The step page's query string (never personal data): a step may read choices from it.
        self.query = query if query is not None else {}
        self.setup()
        self._style()

    def setup(self) -> None:
        """Adjust fields to the grievance (choices of its programme, and so on)."""

    def perform(self):
        raise NotImplementedError

    def common(self) -> dict:
        return {
            "grievance": self.grievance,
            "actor": self.user,
            "expected_status": self.cleaned_data["expected_status"],
        }

    @property
    def confirmed(self) -> bool:
        return confirmed(self.data)

    @property
    def awaits_confirmation(self) -> bool:
        """Posted without the confirmation its step needs: the page shows it, nothing was done."""
        return self.confirmation is not None and self.is_bound and not self.confirmed


class CommentMixin(forms.Form):
    # Kept in the history's change reason, which has no column of its own to declare it.
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, max_length=limits.NOTE, widget=_textarea(2)
    )


class QualifyForm(CommentMixin, StepForm):
    category = forms.ModelChoiceField(queryset=ComplaintCategory.objects.none(), label=_("Catégorie"))
    subject = forms.CharField(label=_("Objet"), max_length=max_length_of(Grievance, "subject"))
    # No default: the browser would otherwise submit the first nature unseen.
    nature = forms.ChoiceField(choices=[("", "—"), *Grievance.Nature.choices], label=_("Nature"))
    identity_verified = forms.BooleanField(label=_("Identité du réclamant vérifiée (CNIE, téléphone)"), required=False)

    def setup(self):
        self.fields["category"].queryset = ComplaintCategory.objects.filter(
            programme_id=self.grievance.programme_id, is_active=True
        )
        self.fields["category"].initial = self.grievance.category_id
        # Verified at intake is verified: not asked again (the context panel says so).
        if self.grievance.is_anonymous or self.grievance.identity_verified:
            del self.fields["identity_verified"]

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_qualify(
            **self.common(),
            category=data["category"],
            subject=data["subject"],
            nature=data["nature"],
            identity_verified=data.get("identity_verified", self.grievance.identity_verified),
            comment=data["comment"],
        )


class ReclassifyForm(StepForm):
    not_complaint_kind = forms.ModelChoiceField(
        queryset=NotComplaintKind.objects.filter(is_active=True), label=_("Type de requête")
    )
    answer_text = forms.CharField(
        label=_("Réponse apportée"), max_length=max_length_of(Grievance, "answer_text"), widget=_textarea()
    )

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_reclassify_as_request(
            **self.common(), not_complaint_kind=data["not_complaint_kind"], answer_text=data["answer_text"]
        )


class SensitiveDetailsMixin(forms.Form):
    nature = forms.CharField(
        label=_("Nature de l'allégation, dans les termes du plaignant"),
        max_length=max_length_of(SensitiveCase, "nature"),
        widget=_textarea(),
    )
    # No default: « Oui » preselected was recorded unseen (issue 18).
    perpetrator_linked = forms.ChoiceField(
        choices=[("", "—"), *SensitiveCase.Linked.choices],
        label=_("Auteur présumé lié au projet"),
        error_messages={"required": _("Indiquez si l'auteur présumé est lié au projet : oui, non ou ne sait pas.")},
    )
    survivor_age_group = forms.ChoiceField(choices=AgeGroup.choices, label=_("Tranche d'âge"), initial=AgeGroup.UNKNOWN)
    survivor_sex = forms.ChoiceField(choices=Sex.choices, label=_("Sexe"), initial=Sex.UNKNOWN)
    referral_offered = forms.BooleanField(label=_("Orientation vers un prestataire proposée"), required=False)
    consent_to_refer = forms.BooleanField(label=_("Consentement à l'orientation"), required=False)
    consent_to_share_with_focal_point = forms.BooleanField(
        label=_("Consentement au partage avec le point focal E&S"), required=False
    )
    consent_to_notify_bank = forms.BooleanField(
        label=_("Consentement à l'information de la Banque mondiale"), required=False
    )

    def sensitive_details(self) -> SensitiveDetails:
        data = self.cleaned_data
        return SensitiveDetails(
            nature=data["nature"],
            perpetrator_linked=data["perpetrator_linked"],
            survivor_age_group=data["survivor_age_group"],
            survivor_sex=data["survivor_sex"],
            referral_offered=data["referral_offered"],
            consent_to_refer=data["consent_to_refer"],
            consent_to_share_with_focal_point=data["consent_to_share_with_focal_point"],
            consent_to_notify_bank=data["consent_to_notify_bank"],
        )


class FlagSensitiveForm(SensitiveDetailsMixin, StepForm):
    def perform(self):
        return wf.grievance_flag_sensitive(**self.common(), details=self.sensitive_details())


class OutcomeMixin(forms.Form):
    outcome = forms.ChoiceField(choices=Grievance.Outcome.choices, label=_("Résultat"), widget=forms.RadioSelect)
    unfounded_reason = forms.ModelChoiceField(
        queryset=UnfoundedReason.objects.filter(is_active=True),
        label=_("Motif (si non fondée)"),
        required=False,
    )


class AnalyseForm(OutcomeMixin, StepForm):
    analysis_conclusion = forms.CharField(
        label=_("Conclusion de l'analyse"),
        max_length=max_length_of(Grievance, "analysis_conclusion"),
        widget=_textarea(),
    )
    field_order = ["analysis_conclusion", "outcome", "unfounded_reason"]

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_analyse(
            **self.common(),
            conclusion=data["analysis_conclusion"],
            outcome=data["outcome"],
            unfounded_reason=data["unfounded_reason"],
        )


class RouteForm(CommentMixin, StepForm):
    assigned_unit = forms.ModelChoiceField(queryset=Unit.objects.filter(is_active=True), label=_("Service métier"))
    assignee = PersonChoiceField(queryset=None, label=_("Chargé de traitement (facultatif)"), required=False)

    def setup(self):
        # By name, and only the handlers who can take this case (issue 18).
        handlers = who_sees_every(colleagues_with_roles([roles.CASE_HANDLER]), [self.grievance])
        self.fields["assignee"].offer(handlers)

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_route_to_unit(
            **self.common(), unit=data["assigned_unit"], assignee=data["assignee"], comment=data["comment"]
        )


class GiveCommitmentForm(DeadlineGuardMixin, StepForm):
    promised_on = forms.DateField(label=_("Date de traitement promise"), widget=DateInput())
    note = forms.CharField(
        label=_("Observations (facultatif)"),
        required=False,
        max_length=max_length_of(Commitment, "note"),
        widget=_textarea(2),
    )

    def perform(self):
        data = self.cleaned_data
        return wf.commitment_give(
            **self.common(), promised_on=data["promised_on"], note=data["note"], beyond_due_reason=self.guard_reason()
        )


class HonourCommitmentForm(CommentMixin, StepForm):
    realised_at = forms.DateTimeField(label=_("Réalisé le"), widget=DateTimeInput())

    def setup(self):
        self.fields["realised_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def perform(self):
        data = self.cleaned_data
        return wf.commitment_honour(**self.common(), realised_at=data["realised_at"], comment=data["comment"])


class BreakCommitmentForm(StepForm):
    broken_reason = forms.CharField(
        label=_("Pourquoi l'engagement n'a pas été tenu"),
        max_length=max_length_of(Commitment, "broken_reason"),
        widget=_textarea(2),
    )

    def perform(self):
        return wf.commitment_break(**self.common(), reason=self.cleaned_data["broken_reason"])


class RenewCommitmentForm(DeadlineGuardMixin, StepForm):
    promised_on = forms.DateField(label=_("Nouvelle date promise"), widget=DateInput())
    renewal_reason = forms.CharField(
        label=_("Motif du nouvel engagement"),
        max_length=max_length_of(Commitment, "renewal_reason"),
        widget=_textarea(2),
    )

    def perform(self):
        data = self.cleaned_data
        return wf.commitment_renew(
            **self.common(),
            promised_on=data["promised_on"],
            reason=data["renewal_reason"],
            beyond_due_reason=self.guard_reason(),
        )


class TransmitToPartnerForm(CommentMixin, StepForm):
    def perform(self):
        return wf.grievance_transmit_to_partner(**self.common(), comment=self.cleaned_data["comment"])


class PartnerOutcomeForm(StepForm):
    partner_founded = forms.ChoiceField(choices=YES_NO, label=_("Réclamation fondée"), widget=forms.RadioSelect)
    partner_data_corrected = forms.BooleanField(label=_("Donnée corrigée (MASSAR)"), required=False)
    partner_note = forms.CharField(
        label=_("Retour du partenaire"), max_length=max_length_of(Grievance, "partner_note"), widget=_textarea()
    )
    unfounded_reason = forms.ModelChoiceField(
        queryset=UnfoundedReason.objects.filter(is_active=True), label=_("Motif (si non fondée)"), required=False
    )

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_record_partner_outcome(
            **self.common(),
            founded=data["partner_founded"] == "yes",
            data_corrected=data["partner_data_corrected"],
            note=data["partner_note"],
            unfounded_reason=data["unfounded_reason"],
        )


class RegulariseForm(StepForm):
    regularisation_note = forms.CharField(
        label=_("Régularisation effectuée"),
        max_length=max_length_of(Grievance, "regularisation_note"),
        widget=_textarea(),
    )

    def perform(self):
        return wf.grievance_regularise(**self.common(), note=self.cleaned_data["regularisation_note"])


class DraftAnswerForm(StepForm):
    answer_text = forms.CharField(
        label=_("Réponse au réclamant"),
        max_length=max_length_of(Grievance, "answer_text"),
        widget=_textarea(5),
        required=False,
    )
    outcome_explanation = forms.CharField(
        label=_("Explication au réclamant (obligatoire si non fondée)"),
        max_length=max_length_of(Grievance, "outcome_explanation"),
        widget=_textarea(3),
        required=False,
    )
    answer_channel_exception = forms.ChoiceField(
        choices=Grievance.AnswerChannelException.choices, label=_("Canal de réponse"), required=False
    )
    answer_channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(is_active=True), label=_("Canal utilisé en cas d'exception"), required=False
    )
    answer_channel_exception_reason = forms.CharField(
        label=_("Motif de l'exception"),
        max_length=max_length_of(Grievance, "answer_channel_exception_reason"),
        widget=_textarea(2),
        required=False,
    )

    def setup(self):
        from answers.forms import sms_counter_attrs
        from answers.picker import answer_picker

        for name in ("answer_text", "outcome_explanation"):
            self.fields[name].initial = getattr(self.grievance, name)
        self.fields["answer_text"].widget.attrs.update(sms_counter_attrs())
        # Answer templates (answers.picker): « Utiliser ce modèle » without JavaScript reloads
        # the page with the rendered text in the box, still editable.
        self.answer_picker = answer_picker(grievance=self.grievance, query=self.query)
        if self.answer_picker.use and not self.is_bound:
            self.fields["answer_text"].initial = self.answer_picker.rendered.text

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_draft_answer(
            **self.common(),
            text=data["answer_text"],
            explanation=data["outcome_explanation"],
            answer_channel=data["answer_channel"],
            exception=data["answer_channel_exception"] or "",
            exception_reason=data["answer_channel_exception_reason"],
        )


class ApproveAnswerForm(StepForm):
    answer_review_note = forms.CharField(
        label=_("Observations (facultatif)"),
        required=False,
        max_length=max_length_of(Grievance, "answer_review_note"),
        widget=_textarea(2),
    )

    def perform(self):
        return wf.grievance_approve_answer(**self.common(), note=self.cleaned_data["answer_review_note"])


class RejectAnswerForm(StepForm):
    answer_review_note = forms.CharField(
        label=_("Ce qu'il faut reprendre"),
        max_length=max_length_of(Grievance, "answer_review_note"),
        widget=_textarea(2),
    )

    def perform(self):
        return wf.grievance_reject_answer(**self.common(), note=self.cleaned_data["answer_review_note"])


class SendAnswerForm(CommentMixin, StepForm):
    answer_sent_at = forms.DateTimeField(label=_("Envoyée le"), widget=DateTimeInput())

    def setup(self):
        self.fields["answer_sent_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_send_answer(**self.common(), sent_at=data["answer_sent_at"], comment=data["comment"])


class CloseForm(StepForm):
    # The first closure writes `final_synthesis`, an appeal's closure `appeal_synthesis`: one limit.
    final_synthesis = forms.CharField(
        label=_("Synthèse finale du traitement"),
        max_length=min(max_length_of(Grievance, "final_synthesis"), max_length_of(Grievance, "appeal_synthesis")),
        widget=_textarea(4),
    )
    external_recourse_informed = forms.BooleanField(
        label=_("Le réclamant a été informé de son droit de saisir le Médiateur du Royaume ou la justice"),
        required=False,
    )

    def setup(self):
        if not self.grievance.appeal_count:
            del self.fields["external_recourse_informed"]
        self.confirmation = close_confirmation(self.grievance)

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_close(
            **self.common(),
            synthesis=data["final_synthesis"],
            external_recourse_informed=data.get("external_recourse_informed", False),
            confirmed=self.confirmed,
        )


class AppealForm(StepForm):
    appeal_reason = forms.CharField(
        label=_("Motif du recours"), max_length=max_length_of(Grievance, "appeal_reason"), widget=_textarea(3)
    )
    appealed_at = forms.DateTimeField(label=_("Recours reçu le"), widget=DateTimeInput())

    def setup(self):
        self.fields["appealed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_appeal(**self.common(), reason=data["appeal_reason"], received_at=data["appealed_at"])


class ReviewAppealForm(OutcomeMixin, StepForm):
    analysis_conclusion = forms.CharField(
        label=_("Conclusion du réexamen"),
        max_length=max_length_of(Grievance, "analysis_conclusion"),
        widget=_textarea(),
    )
    field_order = ["analysis_conclusion", "outcome", "unfounded_reason"]

    def perform(self):
        data = self.cleaned_data
        return wf.grievance_review_appeal(
            **self.common(),
            conclusion=data["analysis_conclusion"],
            outcome=data["outcome"],
            unfounded_reason=data["unfounded_reason"],
        )


STEP_FORMS: dict[str, type[StepForm]] = {
    "qualify": QualifyForm,
    "reclassify_as_request": ReclassifyForm,
    "flag_sensitive": FlagSensitiveForm,
    "analyse": AnalyseForm,
    "route_to_unit": RouteForm,
    "give_commitment": GiveCommitmentForm,
    "honour_commitment": HonourCommitmentForm,
    "break_commitment": BreakCommitmentForm,
    "renew_commitment": RenewCommitmentForm,
    "transmit_to_partner": TransmitToPartnerForm,
    "record_partner_outcome": PartnerOutcomeForm,
    "regularise": RegulariseForm,
    "draft_answer": DraftAnswerForm,
    "approve_answer": ApproveAnswerForm,
    "reject_answer": RejectAnswerForm,
    "send_answer": SendAnswerForm,
    "close": CloseForm,
    "appeal": AppealForm,
    "review_appeal": ReviewAppealForm,
}


# --- intake --------------------------------------------------------------------------------------------------


class IntakeForm(BootstrapMixin, SensitiveDetailsMixin, DuplicateAndCategoryMixin, IntakeOwnerMixin, forms.Form):
    """The agent's intake form (phone, walk-in, mail). The sensitive part replaces the identity."""

    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=_("Programme"))
    channel = forms.ModelChoiceField(queryset=Channel.objects.filter(is_active=True), label=_("Canal de réception"))
    received_at = forms.DateTimeField(
        label=_("Date de réception (courrier : date d'enregistrement par le CAN)"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Laisser vide pour un appel ou un accueil : la date de saisie fait foi (§6.3.1)."),
    )
    category = forms.ModelChoiceField(
        queryset=ComplaintCategory.objects.none(),
        label=_("Catégorie (si connue)"),
        required=False,
        widget=ProgrammeCategorySelect,
    )
    description = forms.CharField(
        label=_("Description de la réclamation"),
        max_length=max_length_of(Grievance, "description"),
        widget=_textarea(4),
        required=False,
    )
    sensitive = forms.BooleanField(
        label=_("Allégation de VBG, d'exploitation, d'abus ou de harcèlement sexuels (cas sensible)"),
        required=False,
        help_text=_("Le cas est transmis au seul référent VBG ; aucune identité n'est conservée."),
    )
    is_anonymous = forms.BooleanField(label=_("Réclamant anonyme"), required=False)
    cnie = forms.CharField(label=_("CNIE"), max_length=limits.TYPED_IDENTIFIER, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=limits.TYPED_IDENTIFIER, required=False)
    name = forms.CharField(
        label=_("Nom et prénom"), max_length=max_length_of(Grievance, "complainant_name"), required=False
    )
    # Not required: a sensitive intake hides (and does not send) the complainant's fields.
    sex = forms.ChoiceField(choices=Sex.choices, label=_("Sexe"), initial=Sex.UNKNOWN, required=False)
    age_group = forms.ChoiceField(
        choices=AgeGroup.choices, label=_("Tranche d'âge"), initial=AgeGroup.UNKNOWN, required=False
    )
    region = forms.ModelChoiceField(queryset=Region.objects.all(), label=_("Région"), required=False)
    residence = forms.ChoiceField(choices=[("", "—"), *Residence.choices], label=_("Milieu"), required=False)
    identity_verified = forms.BooleanField(label=_("Identité vérifiée (CNIE, téléphone)"), required=False)
    external_reference = forms.CharField(
        label=_("Référence externe (facultatif)"),
        max_length=max_length_of(Grievance, "external_reference"),
        required=False,
    )
    field_order = [
        "programme",
        "channel",
        "received_at",
        "category",
        "sensitive",
        "description",
        "is_anonymous",
        "cnie",
        "phone",
        "name",
        "sex",
        "age_group",
        "region",
        "residence",
        "identity_verified",
        "external_reference",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user.programme_scope()
        self.fields["programme"].queryset = Programme.objects.filter(scope.as_q("pk"), is_active=True)
        # Only the categories of the agent's programmes, grouped by programme (issue 18).
        categories = ComplaintCategory.objects.filter(
            scope.as_q("programme_id"), is_active=True, programme__is_active=True
        )
        self.fields["category"].queryset = categories
        use_grouped_categories(self.fields["category"], categories, empty_label="—")
        for name in SensitiveDetailsMixin.base_fields:
            self.fields[name].required = False
        self.setup_owner(user=user)
        self._style()

    def clean(self):
        data = super().clean()
        # A text refused already (too long) is not also missing.
        if data.get("sensitive"):
            if not (data.get("nature") or "").strip() and not self.has_error("nature"):
                self.add_error("nature", _("Décrivez la nature de l'allégation, dans les termes du plaignant."))
            if not data.get("perpetrator_linked") and not self.has_error("perpetrator_linked"):
                self.add_error("perpetrator_linked", self.fields["perpetrator_linked"].error_messages["required"])
        elif not (data.get("description") or "").strip() and not self.has_error("description"):
            self.add_error("description", _("Décrivez l'objet de la réclamation."))
        self.check_duplicate_and_category(data)
        return data


class SearchForm(BootstrapMixin, forms.Form):
    # The longest of what it searches is a name.
    q = forms.CharField(
        label=_("Référence, code de suivi, CNIE, téléphone ou nom"),
        max_length=max_length_of(Grievance, "complainant_name"),
        min_length=2,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
