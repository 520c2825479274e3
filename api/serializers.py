"""What the API reads and writes. Reference data travel by code ("tayssir", "chikaya"), never by id."""

import copy
import functools

from django.db import router
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grievances.models import AgeGroup, Commitment, ContactPreference, Grievance, Residence, SensitiveCase, Sex
from grievances.services.intake import SensitiveDetails
from pmpp import limits
from pmpp.compiled_sql import JoinedRead, joined_read, quoted
from pmpp.limits import max_length_of
from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Programme, Region, UnfoundedReason, Unit
from stakeholders.models import EngagementActivity, Stakeholder, StakeholderGroup


class Text(serializers.CharField):
    """A CharField that refuses what the database cannot store (lone surrogates, NUL)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise serializers.ValidationError(_("Caractères invalides.")) from None
        return value


def optional_text(*, max_length: int, **kwargs) -> Text:
    return Text(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


class Choice(serializers.ChoiceField):
    """A choice whose error does not repeat the value (DRF's does): it may be personal data."""

    default_error_messages = {"invalid_choice": _("Valeur non reconnue : voir les valeurs admises dans le schéma.")}


class Code(serializers.SlugRelatedField):
    """A reference row named by its code, among the active ones."""

    default_error_messages = {
        # The value is not repeated: a client that shifted its columns sends a CNIE or a phone here.
        "does_not_exist": _("Code inconnu ou inactif."),
        "invalid": _("Code invalide."),
    }

    def __init__(self, model, **kwargs):
        # The manager, not a filtered queryset: DRF builds every field of a serializer anew for
        # each request, and a field only looks its code up when the request names one.
        super().__init__(slug_field="code", queryset=model.objects, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if any(f.name == "is_active" for f in queryset.model._meta.fields):
            queryset = queryset.filter(is_active=True)
        return queryset

    def to_internal_value(self, data):
        # A NUL byte cannot be stored in, nor compared with, a PostgreSQL text column.
        if not isinstance(data, str) or len(data) > 40 or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class ScopedCategory(Text):
    """A complaint category code; the category is found within the programme at hand."""

    def __init__(self, **kwargs):
        super().__init__(max_length=max_length_of(ComplaintCategory, "code"), **kwargs)


class IntakeProgramme(Code):
    """The programme of an intake by its code, read with the intake's category in one query.

    Both name active reference rows, and a valid intake names both: one query reads the
    category with its programme, and `validate` takes the category from it. When it finds
    nothing (no category, an unknown code, an inactive row), each field looks its own code up
    as before and reports its own error.
    """

    def __init__(self, **kwargs):
        super().__init__(Programme, **kwargs)

    def to_internal_value(self, data):
        intake = self.parent
        intake.category_with_programme = None
        code = self._category_code(intake)
        if isinstance(data, str) and len(data) <= 40 and "\x00" not in data and code:
            # A code is unique within its programme: one row or none.
            using = router.db_for_read(ComplaintCategory)
            found = _category_with_programme(using).first(using, [code, data])
            if found is not None:
                (category,) = found
                intake.category_with_programme = category
                return category.programme
        return super().to_internal_value(data)

    @staticmethod
    def _category_code(intake) -> str:
        """The category code as its own field will read it; "" when absent or invalid."""
        raw = intake.initial_data.get("category", "") if hasattr(intake.initial_data, "get") else ""
        try:
            return intake.fields["category"].run_validation(raw)
        except serializers.ValidationError:
            return ""


@functools.cache
def _category_with_programme(using: str) -> JoinedRead:
    """The active category of this code (first parameter) in the active programme of this code
    (second), with its programme: compiled once, as every intake reads it."""
    return joined_read(
        using,
        ComplaintCategory,
        related=("programme",),
        where=" AND ".join(
            [
                f"{quoted(using, ComplaintCategory, 'code')} = %s",
                quoted(using, ComplaintCategory, "is_active"),
                f"{quoted(using, Programme, 'code')} = %s",
                quoted(using, Programme, "is_active"),
            ]
        ),
    )


def resolve_category(code: str, *, programme_id: int) -> ComplaintCategory | None:
    if not code:
        return None
    category = ComplaintCategory.objects.filter(programme_id=programme_id, code=code, is_active=True).first()
    if category is None:
        raise serializers.ValidationError({"category": [_("Catégorie inconnue pour ce programme.")]})
    return category


# --- intake -------------------------------------------------------------------------------------------------


class SensitiveIntakeSerializer(serializers.Serializer):
    nature = Text(
        max_length=max_length_of(SensitiveCase, "nature"),
        help_text=_("Nature de l'allégation, dans les termes du plaignant."),
    )
    perpetrator_linked = Choice(choices=SensitiveCase.Linked.choices, default=SensitiveCase.Linked.UNKNOWN)
    survivor_age_group = Choice(choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    survivor_sex = Choice(choices=Sex.choices, default=Sex.UNKNOWN)
    referral_offered = serializers.BooleanField(default=False)
    consent_to_refer = serializers.BooleanField(default=False)
    consent_to_share_with_focal_point = serializers.BooleanField(default=False)
    consent_to_notify_bank = serializers.BooleanField(default=False)


class FieldsCopiedOnce:
    """Declared fields copied, not rebuilt, for each serializer instance.

    DRF deep-copies every declared field per instance, which builds each field anew from its
    arguments: 0.24 ms for the intake's 20 fields, on every intake. A shallow copy is enough
    for a plain field: `bind()` gives the copy its own name and parent, and what it shares
    with the declared field (validators, choices, error messages) is only read. A nested
    serializer keeps the deep copy: it holds fields of its own.
    """

    def get_fields(self):
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in self._declared_fields.items()
        }


class GrievanceIntakeSerializer(FieldsCopiedOnce, serializers.Serializer):
    """Every intake field of `grievance_register`. A `sensitive` block files a GBV/SEA/SH case instead."""

    programme = IntakeProgramme(help_text=_("Code du programme, ex. « tayssir »."))
    channel = Code(
        Channel, required=False, help_text=_("Code du canal ; par défaut, le canal du compte d'intégration.")
    )
    description = optional_text(max_length=max_length_of(Grievance, "description"))
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    is_anonymous = serializers.BooleanField(default=False)
    cnie = optional_text(max_length=limits.TYPED_IDENTIFIER)
    phone = optional_text(max_length=limits.TYPED_IDENTIFIER)
    name = optional_text(max_length=max_length_of(Grievance, "complainant_name"))
    email = optional_text(max_length=max_length_of(Grievance, "complainant_email"))
    preferred_contact = Choice(
        choices=[("", "—"), *ContactPreference.choices], required=False, allow_blank=True, default=""
    )
    sex = Choice(choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = Choice(choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    region = Code(Region, required=False, allow_null=True, default=None)
    residence = Choice(choices=[("", "—"), *Residence.choices], required=False, allow_blank=True, default="")
    identity_verified = serializers.BooleanField(default=False)
    category = ScopedCategory(required=False, allow_blank=True, default="", help_text=_("Code de la catégorie."))
    external_reference = optional_text(
        max_length=max_length_of(Grievance, "external_reference"),
        help_text=_("Référence du dossier dans le système du canal."),
    )
    duplicate_override_reason = optional_text(max_length=max_length_of(Grievance, "duplicate_override_reason"))
    sensitive = SensitiveIntakeSerializer(required=False, allow_null=True, default=None)

    category_with_programme: ComplaintCategory | None = None  # read with the programme (IntakeProgramme)

    def validate(self, attrs):
        account = self.context["account"]
        channel = attrs.get("channel") or account.channel
        if channel.pk != account.channel_id:
            raise serializers.ValidationError(
                {"channel": [_("Ce compte d'intégration enregistre pour le canal « %s » seulement.") % account.channel]}
            )
        attrs["channel"] = channel
        if not account.user.programme_scope().covers(attrs["programme"].pk):
            # An account files for the programmes of its memberships only, as an agent's intake form offers.
            raise serializers.ValidationError(
                {"programme": [_("Ce compte d'intégration n'enregistre pas de réclamation pour ce programme.")]}
            )
        found = self.category_with_programme
        if found is not None and found.code == attrs["category"] and found.programme_id == attrs["programme"].pk:
            attrs["category"] = found
        else:
            attrs["category"] = resolve_category(attrs["category"], programme_id=attrs["programme"].pk)
        if attrs["sensitive"] is not None:
            attrs["sensitive"] = SensitiveDetails(**attrs["sensitive"])
        return attrs


# --- grievances ---------------------------------------------------------------------------------------------


class GrievanceSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Grievance
        fields = [
            "reference",
            "tracking_code",
            "status",
            "status_label",
            "programme",
            "channel",
            "category",
            "region",
            "external_reference",
            "received_at",
            "created_at",
            "due_on",
            "acknowledgement_due_on",
            "is_anonymous",
            "request_kind",
            "subject",
            "nature",
            "outcome",
            "duplicate_of",
            "answer_sent_at",
            "closure_validated_at",
            "effective_closed_at",
            "appeal_count",
            "appealed_at",
            "appeal_due_on",
            "appeal_reviewed_at",
            "appeal_decision",
            "appeal_closed_at",
            "current_due_on",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        if instance.status == Grievance.Status.SENSITIVE:
            # The husk of a case moved to the GBV referent says nothing more than that.
            return {"reference": instance.reference, "status": instance.status}
        return super().to_representation(instance)


class GrievanceDetailSerializer(GrievanceSerializer):
    class Meta(GrievanceSerializer.Meta):
        fields = [
            *GrievanceSerializer.Meta.fields,
            "description",
            "complainant_cnie",
            "complainant_phone",
            "complainant_name",
            "complainant_email",
            "preferred_contact",
            "complainant_sex",
            "complainant_age_group",
            "residence",
            "identity_verified",
            "analysis_conclusion",
            "answer_text",
            "outcome_explanation",
            "final_synthesis",
        ]
        read_only_fields = fields


class IntakeResponseSerializer(serializers.Serializer):
    """What an intake returns: the grievance, and its PIN once when anonymous."""

    reference = serializers.CharField()
    tracking_code = serializers.CharField(required=False)
    status = serializers.CharField()
    status_label = serializers.CharField(required=False)
    due_on = serializers.DateField(required=False)
    acknowledgement_due_on = serializers.DateField(required=False)
    duplicate_of = serializers.CharField(required=False, allow_null=True)
    pin = serializers.CharField(required=False, help_text=_("Code PIN d'un réclamant anonyme, donné une seule fois."))
    replayed = serializers.BooleanField(help_text=_("Vrai si la requête a déjà été enregistrée."))


class GrievanceFilterSerializer(serializers.Serializer):
    programme = Code(Programme, required=False)
    channel = Code(Channel, required=False)
    status = Choice(choices=Grievance.Status.choices, required=False)
    received_after = serializers.DateTimeField(required=False)
    received_before = serializers.DateTimeField(required=False)
    updated_since = serializers.DateTimeField(required=False)


class CommitmentSerializer(serializers.ModelSerializer):
    grievance = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    renews = serializers.SlugRelatedField(slug_field="sequence", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "grievance",
            "sequence",
            "status",
            "status_label",
            "promised_on",
            "given_at",
            "note",
            "renews",
            "renewal_reason",
            "notified_at",
            "realised_at",
            "broken_reason",
        ]
        read_only_fields = fields


class CommitmentFilterSerializer(serializers.Serializer):
    grievance = Text(
        max_length=max_length_of(Grievance, "reference"), required=False, help_text=_("Référence de la réclamation.")
    )


# --- workflow steps -----------------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    expected_status = Choice(
        choices=Grievance.Status.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("État attendu : si la réclamation a changé entre-temps, rien n'est fait (409)."),
    )

    @property
    def grievance(self) -> Grievance:
        return self.context["grievance"]


class QualifySerializer(StepSerializer):
    category = ScopedCategory()
    subject = optional_text(max_length=max_length_of(Grievance, "subject"))
    nature = Choice(choices=Grievance.Nature.choices)
    identity_verified = serializers.BooleanField(default=False)
    comment = optional_text(max_length=limits.NOTE)

    def validate(self, attrs):
        attrs["category"] = resolve_category(attrs["category"], programme_id=self.grievance.programme_id)
        return attrs


class ReclassifySerializer(StepSerializer):
    not_complaint_kind = Code(NotComplaintKind)
    answer_text = optional_text(max_length=max_length_of(Grievance, "answer_text"))
    comment = optional_text(max_length=limits.NOTE)


class AnalyseSerializer(StepSerializer):
    conclusion = optional_text(max_length=max_length_of(Grievance, "analysis_conclusion"))
    outcome = Choice(choices=Grievance.Outcome.choices)
    unfounded_reason = Code(UnfoundedReason, required=False, allow_null=True, default=None)
    comment = optional_text(max_length=limits.NOTE)


class RouteSerializer(StepSerializer):
    unit = Code(Unit)
    comment = optional_text(max_length=limits.NOTE)


class GiveCommitmentSerializer(StepSerializer):
    promised_on = serializers.DateField()
    note = optional_text(max_length=max_length_of(Commitment, "note"))
    # Required by the service when `promised_on` is after the grievance's due date.
    beyond_due_reason = optional_text(max_length=max_length_of(Commitment, "beyond_due_reason"))


class HonourCommitmentSerializer(StepSerializer):
    realised_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    comment = optional_text(max_length=limits.NOTE)


class BreakCommitmentSerializer(StepSerializer):
    reason = optional_text(max_length=max_length_of(Commitment, "broken_reason"))


class RenewCommitmentSerializer(StepSerializer):
    promised_on = serializers.DateField()
    reason = optional_text(max_length=max_length_of(Commitment, "renewal_reason"))
    beyond_due_reason = optional_text(max_length=max_length_of(Commitment, "beyond_due_reason"))


class CommentSerializer(StepSerializer):
    comment = optional_text(max_length=limits.NOTE)


class PartnerOutcomeSerializer(StepSerializer):
    founded = serializers.BooleanField()
    data_corrected = serializers.BooleanField()
    note = optional_text(max_length=max_length_of(Grievance, "partner_note"))
    unfounded_reason = Code(UnfoundedReason, required=False, allow_null=True, default=None)


class NoteSerializer(StepSerializer):
    """The note of a regularisation or of an answer's review: both fields share one limit."""

    note = optional_text(
        max_length=min(max_length_of(Grievance, "regularisation_note"), max_length_of(Grievance, "answer_review_note"))
    )


class DraftAnswerSerializer(StepSerializer):
    text = optional_text(max_length=max_length_of(Grievance, "answer_text"))
    explanation = optional_text(max_length=max_length_of(Grievance, "outcome_explanation"))
    answer_channel = Code(Channel, required=False, allow_null=True, default=None)
    exception = Choice(choices=Grievance.AnswerChannelException.choices, required=False, allow_blank=True, default="")
    exception_reason = optional_text(max_length=max_length_of(Grievance, "answer_channel_exception_reason"))
    comment = optional_text(max_length=limits.NOTE)


class SendAnswerSerializer(StepSerializer):
    sent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    comment = optional_text(max_length=limits.NOTE)


class CloseSerializer(StepSerializer):
    # The first closure writes `final_synthesis`, an appeal's closure `appeal_synthesis`.
    synthesis = optional_text(
        max_length=min(max_length_of(Grievance, "final_synthesis"), max_length_of(Grievance, "appeal_synthesis"))
    )
    external_recourse_informed = serializers.BooleanField(default=False)


class AppealSerializer(StepSerializer):
    reason = optional_text(max_length=max_length_of(Grievance, "appeal_reason"))
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReviewAppealSerializer(StepSerializer):
    conclusion = optional_text(max_length=max_length_of(Grievance, "analysis_conclusion"))
    outcome = Choice(choices=Grievance.Outcome.choices)
    unfounded_reason = Code(UnfoundedReason, required=False, allow_null=True, default=None)


# --- stakeholder registry -----------------------------------------------------------------------------------


class StakeholderGroupSerializer(serializers.ModelSerializer):
    programmes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = StakeholderGroup
        fields = ["id", "name", "name_ar", "category", "characteristics", "needs", "programmes"]
        read_only_fields = fields


class StakeholderSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    programmes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Stakeholder
        fields = ["id", "kind", "name", "organisation", "groups", "programmes", "region", "influence", "interest"]
        read_only_fields = fields


class EngagementActivitySerializer(serializers.ModelSerializer):
    organiser = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programmes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = EngagementActivity
        fields = [
            "id",
            "type",
            "title",
            "start_date",
            "end_date",
            "place",
            "online",
            "organiser",
            "programmes",
            "participants_women",
            "participants_men",
            "participants_unspecified",
            "vulnerable_participants",
            "topics",
        ]
        read_only_fields = fields


# --- statistics ---------------------------------------------------------------------------------------------


class StatisticsQuerySerializer(serializers.Serializer):
    period = Choice(choices=[("quarter", _("trimestre")), ("semester", _("semestre"))])
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    number = serializers.IntegerField(min_value=1, max_value=4)
    group_by = Choice(
        choices=[
            "programme",
            "channel",
            "channel_group",
            "category",
            "region",
            "sex",
            "month",
            "not_complaint_kind",
            "unfounded_reason",
        ],
        required=False,
    )
    programme = Code(Programme, required=False)
    channel = Code(Channel, required=False)
    region = Code(Region, required=False)

    def validate(self, attrs):
        if attrs["period"] == "semester" and attrs["number"] > 2:
            raise serializers.ValidationError({"number": [_("Un semestre est numéroté 1 ou 2.")]})
        return attrs
