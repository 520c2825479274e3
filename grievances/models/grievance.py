"""The grievance and its workflow (PMPP §6.3.6): the state machine on `Grievance.status`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin
from simple_history.models import HistoricalRecords

from grievances.models.base import AgeGroup, ContactPreference, Residence, Sex, TransitionHistory
from grievances.models.workflow import AppealDecision, GrievanceWorkflow, Outcome, RequestKind, Status
from pmpp import limits
from pmpp.limits import limited_text
from pmpp.models import (
    Channel,
    ComplaintCategory,
    NotComplaintKind,
    Organisation,
    Programme,
    Region,
    UnfoundedReason,
    Unit,
)

HISTORY_UNINDEXED_GRIEVANCE_FIELDS = [
    "reference", "tracking_code", "programme", "channel", "created_by", "region", "not_complaint_kind", "category",
    "qualified_by", "duplicate_of", "similar_to", "unfounded_reason", "assigned_to", "assigned_unit",
    "partner_organisation", "answer_author", "answer_channel", "answer_approved_by", "closed_by",
    "appeal_reviewed_by", "appeal_closed_by",
]  # fmt: skip


class GrievanceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GrievanceQuerySet":
        from grievances.access import grievance_scope_q

        return self.filter(grievance_scope_q(user))

    def counted_by(self, user) -> "GrievanceQuerySet":
        """What the user's dashboards and statistics count (more than they read: ministry staff)."""
        from grievances.access import counted_scope_q

        return self.filter(counted_scope_q(user))

    def open(self) -> "GrievanceQuerySet":
        return self.exclude(status__in=Grievance.TERMINAL_STATES)


class Grievance(GrievanceWorkflow, FSMModelMixin, models.Model):
    # The state machine's choices (grievances.models.workflow), under the model's name.
    Status, RequestKind, Outcome, AppealDecision = Status, RequestKind, Outcome, AppealDecision

    class Nature(models.TextChoices):
        INDIVIDUAL = "individual", _("Individuelle")
        COLLECTIVE = "collective", _("Collective")
        REPRESENTATIVE = "representative", _("Par un représentant ou mandataire")

    class AnswerChannelException(models.TextChoices):
        NONE = "", _("Aucune : réponse par le canal de réception")
        NO_ANSWER_NEEDED = "no_answer_needed", _("La réclamation ne nécessite aucune réponse")
        ALREADY_ANSWERED = "already_answered", _("Déjà répondue : rappel téléphonique")

    TERMINAL_STATES = (Status.CLOSED, Status.DUPLICATE, Status.SENSITIVE)
    # What identifies the complainant: blanked when a case moves to the GBV referent and when
    # a grievance is anonymised under Law 09-08 (privacy.anonymisation).
    IDENTITY_FIELDS = ("complainant_cnie", "complainant_phone", "complainant_name", "complainant_email", "search_name")

    # Identification
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    tracking_code = models.CharField(_("code de suivi"), max_length=16, unique=True)
    pin_hash = models.CharField(_("code PIN (empreinte)"), max_length=128, blank=True)
    # Once the case moved to the GBV referent, the receipt still opens it with the CNIE or the
    # phone given at filing: only keyed digests of them stay, bound to this tracking code
    # (grievances.services.references.tracking_identity_digest), never the clear values.
    tracking_cnie_digest = models.CharField(
        _("empreinte de la CNIE (suivi)"), max_length=64, blank=True, editable=False
    )
    tracking_phone_digest = models.CharField(
        _("empreinte du téléphone (suivi)"), max_length=64, blank=True, editable=False
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="grievances", db_index=False, verbose_name=_("programme")
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="grievances", verbose_name=_("canal"))
    received_at = models.DateTimeField(_("date de réception"))
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    external_reference = models.CharField(
        _("référence externe"),
        max_length=64,
        blank=True,
        help_text=_("chikaya.ma, Médiateur, ticket du centre d'appel…"),
    )

    # Complainant (all blank when anonymous)
    is_anonymous = models.BooleanField(_("anonyme"), default=False)
    complainant_cnie = models.CharField(_("CNIE"), max_length=12, blank=True)
    complainant_phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    complainant_name = models.CharField(_("nom et prénom"), max_length=150, blank=True)
    complainant_email = models.EmailField(_("courrier électronique"), max_length=254, blank=True)
    preferred_contact = models.CharField(
        _("canal de contact préféré"),
        max_length=10,
        choices=ContactPreference.choices,
        blank=True,
        help_text=_("Vide : le canal de réception de la réclamation."),
    )
    # The name without accents, in lower case, its words in alphabetical order
    # (grievances.services.intake.name_key): « Zahra » finds « ZAHRÂ » on any database, and
    # « Benali Zahra » is the same name as « Zahra Benali ».
    search_name = models.CharField(max_length=150, blank=True, editable=False)
    complainant_sex = models.CharField(_("sexe"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    complainant_age_group = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="grievances", verbose_name=_("région")
    )
    residence = models.CharField(_("milieu"), max_length=5, choices=Residence.choices, blank=True)
    identity_verified = models.BooleanField(_("identité vérifiée"), default=False)
    description = limited_text(_("description"), max_length=limits.LONG_TEXT)

    # Operation 1: qualification
    request_kind = models.CharField(
        _("catégorie de la requête"), max_length=10, choices=RequestKind.choices, default=RequestKind.COMPLAINT
    )
    not_complaint_kind = models.ForeignKey(
        NotComplaintKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("type de requête"),
    )
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices, blank=True)
    category = models.ForeignKey(
        ComplaintCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("catégorie"),
    )
    qualified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("qualifiée par"),
    )
    qualified_at = models.DateTimeField(_("qualifiée le"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name=_("doublon de")
    )
    # A case the agent kept separate from an open one of the same person and subject: linked
    # for the reader, never counted or shown as a duplicate (issue 18).
    similar_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("similaire à"),
    )
    duplicate_override_reason = limited_text(
        _("motif d'ouverture malgré un doublon"), max_length=limits.NOTE, blank=True
    )

    # Operation 2: analysis
    analysis_conclusion = limited_text(_("conclusion de l'analyse"), max_length=limits.LONG_TEXT, blank=True)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome.choices, blank=True)
    unfounded_reason = models.ForeignKey(
        UnfoundedReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("motif de non-fondement"),
    )

    # Operation 3: routing, partner path, answer
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_grievances",
        db_index=False,
        verbose_name=_("attribuée à"),
    )
    assigned_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("service métier"),
    )
    partner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_grievances",
        verbose_name=_("organisme partenaire"),
    )
    partner_founded = models.BooleanField(_("fondée selon le partenaire"), null=True, blank=True)
    partner_data_corrected = models.BooleanField(_("donnée corrigée par le partenaire"), null=True, blank=True)
    partner_note = limited_text(_("retour du partenaire"), max_length=limits.LONG_TEXT, blank=True)
    regularisation_note = limited_text(_("régularisation"), max_length=limits.LONG_TEXT, blank=True)
    answer_text = limited_text(_("réponse"), max_length=limits.LONG_TEXT, blank=True)
    outcome_explanation = limited_text(
        _("explication au réclamant"),
        max_length=limits.LONG_TEXT,
        blank=True,
        help_text=_("Obligatoire si la réclamation est non fondée ; visible lors du suivi (§6.1)."),
    )
    answer_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("rédigée par"),
    )
    answer_channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("canal de réponse"),
    )
    answer_channel_exception = models.CharField(
        _("exception au canal de réponse"), max_length=20, choices=AnswerChannelException.choices, blank=True
    )
    answer_channel_exception_reason = limited_text(_("motif de l'exception"), max_length=limits.NOTE, blank=True)
    answer_review_note = limited_text(_("observations sur la réponse"), max_length=limits.LONG_TEXT, blank=True)
    answer_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("approuvée par"),
    )
    answer_approved_at = models.DateTimeField(_("approuvée le"), null=True, blank=True)
    answer_sent_at = models.DateTimeField(_("réponse envoyée le"), null=True, blank=True)

    # Operation 4: closure, and appeal
    final_synthesis = limited_text(_("synthèse finale"), max_length=limits.LONG_TEXT, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("clôturée par"),
    )
    closure_validated_at = models.DateTimeField(_("clôture validée le"), null=True, blank=True)
    effective_closed_at = models.DateTimeField(
        _("date de clôture retenue"),
        null=True,
        blank=True,
        help_text=_("Date de clôture pour le calcul des délais (§6.3.2)."),
    )
    # The appeal (recours, §6.1) runs on its own clock: it is a further step after the first
    # answer, not a replacement of it, so it never touches `due_on`, `closure_validated_at`
    # or `effective_closed_at`, which keep what the first instance decided (docs/metrics.md).
    appeal_count = models.PositiveSmallIntegerField(_("nombre de recours"), default=0)
    appeal_reason = limited_text(_("motif du recours"), max_length=limits.LONG_TEXT, blank=True)
    appealed_at = models.DateTimeField(_("recours reçu le"), null=True, blank=True)
    appeal_due_on = models.DateField(_("échéance du recours"), null=True, blank=True)
    appeal_reviewed_at = models.DateTimeField(_("recours réexaminé le"), null=True, blank=True)
    appeal_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("recours réexaminé par"),
    )
    # These two texts are nullable, against the house rule, for the audit chain: a column added
    # to a history table counts for nothing in the digest of older rows only when they hold
    # NULL there (pmpp.audit_chain), so an empty-string default would re-seal all of history.
    appeal_decision = models.CharField(
        _("décision sur le recours"), max_length=10, choices=AppealDecision.choices, null=True, blank=True
    )
    appeal_closed_at = models.DateTimeField(_("recours clôturé le"), null=True, blank=True)
    appeal_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("recours clôturé par"),
    )
    appeal_synthesis = limited_text(_("synthèse du recours"), max_length=limits.LONG_TEXT, null=True, blank=True)
    external_recourse_informed_at = models.DateTimeField(
        _("informé du recours au Médiateur et aux tribunaux le"), null=True, blank=True
    )
    # The complainant's rating of the treatment, given once from the tracking page after closure.
    satisfaction_rating = models.PositiveSmallIntegerField(_("satisfaction (1 à 5)"), null=True, blank=True)
    satisfaction_rated_at = models.DateTimeField(_("satisfaction exprimée le"), null=True, blank=True)
    # Law 09-08 retention: set by `privacy.anonymisation` once the identity and free texts of a
    # long-closed grievance, its history and its related rows are erased. Statistics stay.
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, editable=False)

    # Deadlines (recomputed by the services). `due_on` is the first instance's (§6.3.3); the
    # queues and the file's warnings follow the clock that runs now, the appeal's once there
    # is one, computed by the database so that no writer can let the two disagree.
    due_on = models.DateField(_("échéance de traitement"))
    acknowledgement_due_on = models.DateField(_("échéance d'accusé de réception"))
    current_due_on = models.GeneratedField(
        expression=Coalesce("appeal_due_on", "due_on"),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("échéance en cours"),
    )

    # The pending commitment was promised after the running due date (the deadline guard):
    # the file and the queues say « hors délai prévisible ». Kept here, set by the commitment
    # transitions, so that a queue row reads it from the grievance's own row; the commitment
    # keeps the due date it overruns and the reason, with their history.
    commitment_beyond_due = models.BooleanField(_("engagement au-delà de l'échéance"), default=False)

    status = FSMField(_("état"), max_length=20, choices=Status.choices, default=Status.RECEIVED, protected=True)

    history = HistoricalRecords(
        bases=[TransitionHistory],
        # The running deadline is computed from two recorded fields: history keeps those.
        # The PIN's hash and the tracking digests are secrets, not facts to keep for the record.
        # The commitment flag repeats what the commitment's own history records.
        excluded_fields=[
            "pin_hash",
            "current_due_on",
            "tracking_cnie_digest",
            "tracking_phone_digest",
            "commitment_beyond_due",
        ],
        no_db_index=HISTORY_UNINDEXED_GRIEVANCE_FIELDS,
    )
    objects = GrievanceQuerySet.as_manager()

    class Meta:
        ordering = ["current_due_on", "id"]
        verbose_name = _("réclamation")
        verbose_name_plural = _("réclamations")
        permissions = [
            ("register_grievance", _("Enregistrer une réclamation")),
            ("qualify_grievance", _("Qualifier une réclamation (opération 1)")),
            ("analyse_grievance", _("Analyser une réclamation (opération 2)")),
            ("route_grievance", _("Transmettre au service métier ou au partenaire")),
            ("commit_grievance", _("Donner et suivre un engagement de traitement")),
            ("notify_commitment", _("Informer le réclamant d'un engagement")),
            ("record_partner_outcome", _("Notifier le retour de l'organisme partenaire")),
            ("regularise_grievance", _("Régulariser après le retour du partenaire")),
            ("draft_answer", _("Rédiger la réponse")),
            ("approve_answer", _("Approuver la réponse")),
            ("send_answer", _("Envoyer la réponse")),
            ("close_grievance", _("Clôturer une réclamation (opération 4)")),
            ("record_appeal", _("Enregistrer un recours")),
            ("review_appeal", _("Réexaminer un recours")),
            ("assign_grievance", _("Attribuer une réclamation à un agent ou un service")),
        ]
        indexes = [
            # A queue of a programme in its order (due date, then id): the first page reads
            # its 25 rows from the index, even when hundreds share the earliest due date.
            models.Index(fields=["programme", "status", "current_due_on", "id"], name="grievance_queue_idx"),
            models.Index(fields=["complainant_cnie"], name="grievance_cnie_idx"),
            models.Index(fields=["complainant_phone"], name="grievance_phone_idx"),
            # A full name, newest first (the search's first tier): a name thousands share
            # reads only the page it shows.
            models.Index(fields=["search_name", "received_at", "id"], name="grievance_name_received_idx"),
            models.Index(fields=["assigned_to", "status"], name="grievance_assignee_idx"),
            models.Index(fields=["received_at"], name="grievance_received_idx"),
            # The queues' order (Meta.ordering): a page deep in a long queue walks this index
            # instead of sorting every grievance the user may see.
            models.Index(fields=["current_due_on", "id"], name="grievance_queue_order_idx"),
            # Open grievances by due date: the deadline queues (« en retard », « échéance
            # proche », « aujourd'hui ») and their counts on every page, without stepping
            # over the closed ones, which are most of the table and all share old dates.
            # The programme next: a programme's « échéance aujourd'hui » is read from the
            # index alone, not from the rows of every programme due that day.
            models.Index(
                fields=["current_due_on", "programme", "id"],
                condition=~Q(status__in=["closed", "duplicate", "sensitive"]),
                name="grievance_open_due_prog_idx",
            ),
            # An open state's grievances by due date, whatever their programme: the state queues
            # of an account on several programmes, a whole organisation or all of them read
            # their page from one range here (one per state, see queues.page_branches), where
            # `grievance_queue_idx` serves one programme (issue 19).
            models.Index(
                fields=["status", "current_due_on", "id"],
                condition=~Q(status__in=["closed", "duplicate", "sensitive"]),
                name="grievance_open_state_due_idx",
            ),
            # A partner liaison's queues (« toutes », « chez le partenaire ») by due date: the
            # grievances transmitted to their organisation, a few percent of the table.
            models.Index(
                fields=["partner_organisation", "current_due_on", "id"],
                condition=Q(partner_organisation__isnull=False),
                name="grievance_partner_due_idx",
            ),
            # … and a state of theirs (« chez le partenaire »): PostgreSQL cannot tell that most of
            # a partner's grievances are at the partner, and sorted them all without this one.
            models.Index(
                fields=["partner_organisation", "status", "current_due_on", "id"],
                condition=Q(partner_organisation__isnull=False),
                name="grievance_partner_state_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference=""),
                name="grievance_external_reference_per_channel",
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False)
                | Q(complainant_cnie="", complainant_phone="", complainant_name="", complainant_email=""),
                name="grievance_anonymous_has_no_identity",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | Q(closure_validated_at__isnull=False, effective_closed_at__isnull=False),
                name="grievance_closed_has_closure_dates",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="unfounded") | Q(unfounded_reason__isnull=False),
                name="grievance_unfounded_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(request_kind="complaint") | Q(not_complaint_kind__isnull=False),
                name="grievance_request_has_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="grievance_duplicate_links_original",
            ),
            # Only a case linked as a duplicate names one: a case kept separate names the open
            # case it resembles in `similar_to` (issue 18).
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(status="duplicate"),
                name="grievance_only_a_duplicate_names_its_original",
            ),
            models.CheckConstraint(condition=Q(appeal_count__lte=1), name="grievance_one_appeal"),
            models.CheckConstraint(
                condition=Q(appeal_count=0, appealed_at__isnull=True, appeal_due_on__isnull=True)
                | Q(appeal_count=1, appealed_at__isnull=False, appeal_due_on__isnull=False),
                name="grievance_appeal_has_its_clock",
            ),
            models.CheckConstraint(
                condition=Q(appeal_decision__isnull=True, appeal_reviewed_at__isnull=True)
                | Q(appeal_decision__in=["upheld", "reversed"], appeal_count=1, appeal_reviewed_at__isnull=False),
                name="grievance_appeal_decision_when_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(appeal_closed_at__isnull=True) | Q(appeal_reviewed_at__isnull=False),
                name="grievance_appeal_closed_after_review",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | Q(complainant_cnie="", complainant_phone="", complainant_name="", complainant_email=""),
                name="grievance_anonymised_has_no_identity",
            ),
            models.CheckConstraint(
                condition=Q(tracking_cnie_digest="", tracking_phone_digest="")
                | Q(status="sensitive", anonymised_at__isnull=True),
                name="grievance_tracking_digests_only_on_a_husk",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_rating__isnull=True)
                | Q(satisfaction_rating__gte=1, satisfaction_rating__lte=5, satisfaction_rated_at__isnull=False),
                name="grievance_satisfaction_one_to_five",
            ),
            # The texts that come from outside (the public, the API, imports) keep their
            # maximum whatever writes them, even code that skips every form and serializer.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), limits.LONG_TEXT), name="grievance_description_length"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("appeal_reason"), limits.LONG_TEXT),
                name="grievance_appeal_reason_length",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_status_display(self) -> str:
        """The state's label in the active language.

        Django's own rebuilds a dict of every state's translated label on each call, some thirty
        translations per row of a queue page (issue 19); one enum lookup does the same.
        """
        try:
            return str(Status(self.status).label)
        except ValueError:
            return self.status

    @property
    def in_appeal(self) -> bool:
        """Appealed and not closed again: the appeal's clock is the one running."""
        return self.appeal_count > 0 and self.appeal_closed_at is None

    @property
    def running_due_on(self):
        """The deadline of the step in progress: the appeal's once appealed, else the first instance's.

        The same value as the database's `current_due_on`, read from the fields themselves so
        that it holds before the row is saved again.
        """
        return self.appeal_due_on or self.due_on

    def sla_status(self, *, today=None):
        """On track, due soon or overdue against the running clock (SPEC §5.3); None once the
        grievance left the flow. « Hors délai prévisible » before the due date when the pending
        commitment was promised after it (the deadline guard)."""
        from grievances.deadlines import SlaStatus, sla_status

        if self.status in self.TERMINAL_STATES:
            return None
        status = sla_status(
            due_on=self.running_due_on,
            today=today or timezone.localdate(),
            due_soon_days=settings.PMPP_DUE_SOON_DAYS,
        )
        if self.commitment_beyond_due and status != SlaStatus.OVERDUE:
            return SlaStatus.BEYOND_DUE
        return status

    def due_countdown(self, *, today=None) -> int | None:
        """Days left to the running due date (negative once past it); None once out of the flow."""
        if self.status in self.TERMINAL_STATES:
            return None
        return (self.running_due_on - (today or timezone.localdate())).days

    def treatment_delay(self):
        """Reception to the effective closure date (§6.3.2), in days and hours; None while open.
        The first instance's, whatever an appeal did after (docs/metrics.md)."""
        from grievances.deadlines import treatment_delay

        if self.effective_closed_at is None:
            return None
        return treatment_delay(received_at=self.received_at, closed_at=max(self.effective_closed_at, self.received_at))

    def treated_within_deadline(self) -> bool | None:
        """Whether the first instance closed on or before its due date (local dates); None while open."""
        from grievances.deadlines import local_date

        if self.effective_closed_at is None:
            return None
        return local_date(max(self.effective_closed_at, self.received_at)) <= self.due_on

    def appeal_delay_days(self) -> int | None:
        """Days from the appeal to the review's decision (local dates); None before the decision."""
        from grievances.deadlines import local_date

        if self.appealed_at is None or self.appeal_reviewed_at is None:
            return None
        return (local_date(self.appeal_reviewed_at) - local_date(self.appealed_at)).days

    def appeal_reviewed_within_deadline(self) -> bool | None:
        from grievances.deadlines import local_date

        if self.appeal_reviewed_at is None or self.appeal_due_on is None:
            return None
        return local_date(self.appeal_reviewed_at) <= self.appeal_due_on
