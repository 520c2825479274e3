"""Reference data and people: the core every other app stands on.

Reference rows are looked up by a stable `code` (what seeds and imports key on) and shown
by their French `name` or, when the interface speaks Arabic, by `name_ar`.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pmpp.roles import PROJECT_WIDE_ROLES, role_codes_for


@dataclass(frozen=True)
class ProgrammeScope:
    """What a user's memberships grant: every programme, or a set of them."""

    all_programmes: bool
    programme_ids: frozenset[int]
    organisation_ids: frozenset[int]

    def covers(self, programme_id: int) -> bool:
        return self.all_programmes or programme_id in self.programme_ids

    def as_q(self, field: str = "programme") -> models.Q:
        if self.all_programmes:
            return models.Q()
        return models.Q(**{f"{field}__in": self.programme_ids})


class LabelledReference(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom (français)"), max_length=200)
    name_ar = models.CharField(_("nom (arabe)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_ar and (get_language() or "").startswith("ar"):
            return self.name_ar
        return self.name


class Organisation(LabelledReference):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministère")
        OPERATOR = "operator", _("Organisme gestionnaire")
        INTERNATIONAL = "international", _("Organisation internationale")
        NGO = "ngo", _("Association / ONG")
        PAYMENT = "payment", _("Établissement de paiement")
        MEDIA = "media", _("Média")
        OTHER = "other", _("Autre")

    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class Programme(LabelledReference):
    """A programme of the project (§2.1, §5.2) with who supervises and who manages it."""

    reference_prefix = models.CharField(
        _("préfixe des références"),
        max_length=5,
        unique=True,
        help_text=_("Début des références de plainte, par exemple TAY pour TAY-2023-004588."),
    )
    component = models.PositiveSmallIntegerField(_("composante"))
    supervising_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="supervised_programmes",
        verbose_name=_("organisme de supervision"),
    )
    managing_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="managed_programmes",
        verbose_name=_("organisme gestionnaire"),
    )
    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        ordering = ["component", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(component__gte=1, component__lte=4),
                name="programme_component_1_to_4",
            )
        ]


class Region(LabelledReference):
    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        ordering = ["code"]
        verbose_name = _("région")
        verbose_name_plural = _("régions")


class Province(LabelledReference):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Préfecture")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("région"))
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        verbose_name = _("province / préfecture")
        verbose_name_plural = _("provinces et préfectures")


class Channel(LabelledReference):
    """An intake channel (§4.1, §6.2, §6.3). Its kind decides the reception-date rule (§6.3.1)."""

    class Kind(models.TextChoices):
        WALK_IN = "walk_in", _("Accueil physique")
        WEB = "web", _("Web / digital")
        POSTAL = "postal", _("Courrier")
        PHONE = "phone", _("Téléphone")
        PLATFORM = "platform", _("Plateforme d'échange (chikaya.ma)")
        MEDIATEUR = "mediateur", _("Médiateur du Royaume")
        OTHER = "other", _("Autre")

    kind = models.CharField(_("type de canal"), max_length=20, choices=Kind.choices)
    is_web = models.BooleanField(
        _("canal web"),
        default=False,
        help_text=_("Compté dans les réclamations « web » des rapports (§6.2.6)."),
    )
    reception_date_rule = models.CharField(_("règle de date de réception"), max_length=300)
    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        verbose_name = _("canal de réception")
        verbose_name_plural = _("canaux de réception")


class ComplaintCategory(models.Model):
    """A complaint category of one programme (§6.2.1), e.g. Tayssir type 2 « Paiement non reçu »."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="categories", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("nom (français)"), max_length=200)
    name_ar = models.CharField(_("nom (arabe)"), max_length=200, blank=True)
    type_number = models.PositiveSmallIntegerField(
        _("type"), null=True, blank=True, help_text=_("Type 1, 2 ou 3 des réclamations Tayssir.")
    )
    needs_partner = models.BooleanField(
        _("nécessite un organisme partenaire"),
        default=False,
        help_text=_("Traitement conditionné par la vérification auprès du partenaire (MASSAR → MENPS)."),
    )
    partner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_categories",
        verbose_name=_("organisme partenaire"),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "name"]
        verbose_name = _("catégorie de réclamation")
        verbose_name_plural = _("catégories de réclamation")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="category_code_per_programme"),
            models.CheckConstraint(
                condition=models.Q(needs_partner=False) | models.Q(partner_organisation__isnull=False),
                name="category_partner_named_when_needed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.reference_prefix} · {self.label}"

    label = LabelledReference.label


class UnfoundedReason(LabelledReference):
    """Why a complaint is unfounded (§6.2.3, §6.3.4)."""

    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        verbose_name = _("motif de non-fondement")
        verbose_name_plural = _("motifs de non-fondement")


class NotComplaintKind(LabelledReference):
    """A request recorded as a *requête* that does not count as a *réclamation* (§6.2.3)."""

    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        verbose_name = _("type de requête (hors réclamation)")
        verbose_name_plural = _("types de requête (hors réclamation)")


class DeadlinePolicy(models.Model):
    """Treatment deadline of a programme (§6.2.2, §6.3.3): 10 days, 60 for the Médiateur.

    A row without a channel is the programme's default; a row with a channel overrides it
    for complaints received through that channel.
    """

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", _("Jours calendaires")
        WORKING = "working", _("Jours ouvrés")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="deadline_policies", verbose_name=_("programme")
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_policies",
        verbose_name=_("canal"),
        help_text=_("Laisser vide pour le délai par défaut du programme."),
    )
    treatment_days = models.PositiveSmallIntegerField(_("délai de traitement (jours)"))
    day_kind = models.CharField(_("type de jours"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    acknowledgement_days = models.PositiveSmallIntegerField(_("délai d'accusé de réception (jours)"), default=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "channel"]
        verbose_name = _("politique de délai")
        verbose_name_plural = _("politiques de délai")
        constraints = [
            models.UniqueConstraint(fields=["programme", "channel"], name="deadline_policy_per_programme_channel"),
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(channel__isnull=True),
                name="one_default_deadline_policy_per_programme",
            ),
            models.CheckConstraint(condition=models.Q(treatment_days__gte=1), name="deadline_policy_days_positive"),
        ]

    def __str__(self) -> str:
        channel = self.channel.label if self.channel_id else _("tous canaux")
        return f"{self.programme.reference_prefix} · {channel} · {self.treatment_days} j"


class Unit(LabelledReference):
    """A business unit of an organisation to which grievances are routed (operation 3)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    history = HistoricalRecords()

    class Meta(LabelledReference.Meta):
        verbose_name = _("service métier")
        verbose_name_plural = _("services métier")


class PublicHoliday(models.Model):
    """A Moroccan public holiday, a non-working day for deadlines counted in working days.

    Seeded from the `holidays` package; Islamic holidays follow the lunar calendar and are
    estimates until announced, so an administrator corrects their dates here.
    """

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("nom"), max_length=200)
    is_estimate = models.BooleanField(_("date estimée"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("jour férié")
        verbose_name_plural = _("jours fériés")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.name}"


class User(AbstractUser):
    """A back-office user. Roles are groups (pmpp.roles); scope comes from memberships."""

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def role_codes(self) -> set[str]:
        return role_codes_for(self)

    def programme_scope(self) -> "ProgrammeScope":
        """Programmes this user works on, from memberships (cached for the request).

        A membership names its programme. « Tous les programmes » is ticked explicitly and
        counts only for a project-wide role (`roles.PROJECT_WIDE_ROLES`); a membership with
        neither grants the organisation (a partner liaison's) but no programme.
        """
        cached = getattr(self, "_programme_scope", None)
        if cached is None:
            rows = list(self.memberships.values_list("organisation_id", "programme_id", "all_programmes"))
            cached = self.scope_from_memberships(rows)
            self._programme_scope = cached
        return cached

    def scope_from_memberships(self, rows: list[tuple[int, int | None, bool]]) -> "ProgrammeScope":
        """The scope of these (organisation, programme, all programmes) rows: for a caller that
        read the memberships of many users at once (the assignment pickers)."""
        # The roles are read only when a membership ticks « tous les programmes ».
        ticked = any(every for _org, _programme, every in rows)
        return ProgrammeScope(
            all_programmes=ticked and (self.is_superuser or bool(role_codes_for(self) & PROJECT_WIDE_ROLES)),
            programme_ids=frozenset(programme for _org, programme, _every in rows if programme is not None),
            organisation_ids=frozenset(org_id for org_id, _programme, _every in rows),
        )


class Membership(models.Model):
    """A user works for an organisation, on one programme, or (project-wide roles only) on all.

    Later apps scope what a user sees by these rows (SPEC §1: an agent of CNRA on Tayssir
    and DAAM does not see AMO TADAMON cases handled by CNSS). « Tous les programmes » is a
    choice made explicitly, for roles that are project-wide by nature (`roles.PROJECT_WIDE_ROLES`);
    `manage.py check` warns about any other membership without a programme (pmpp.checks).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("programme"),
        help_text=_("Le programme sur lequel la personne travaille : une affectation par programme."),
    )
    all_programmes = models.BooleanField(
        _("tous les programmes"),
        default=False,
        help_text=_(
            "Uniquement pour un rôle de portée nationale (point focal E&S, personnel du ministère, "
            "administrateur des référentiels, comptes de service)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "programme"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(programme__isnull=True),
                name="membership_all_programmes_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(all_programmes=False) | models.Q(programme__isnull=True),
                name="membership_all_programmes_names_no_programme",
                violation_error_message=_("« Tous les programmes » exclut de choisir un programme."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.scope_label()}"

    def scope_label(self) -> str:
        """« CNRA · TAY », « MEF-DB · tous programmes » or « MENPS · aucun programme »."""
        if self.programme_id:
            programme = self.programme.reference_prefix
        elif self.all_programmes:
            programme = _("tous programmes")
        else:
            programme = _("aucun programme")
        return f"{self.organisation.acronym or self.organisation.name} · {programme}"

    def clean(self) -> None:
        super().clean()
        if self.all_programmes and self.programme_id:
            raise ValidationError({"programme": _("« Tous les programmes » exclut de choisir un programme.")})
        project_wide = self.user_id and (self.user.is_superuser or role_codes_for(self.user) & PROJECT_WIDE_ROLES)
        if self.all_programmes and self.user_id and not project_wide:
            raise ValidationError(
                {
                    "all_programmes": _(
                        "« Tous les programmes » est réservé aux rôles de portée nationale : "
                        "choisissez les programmes de cette personne."
                    )
                }
            )


class AuditLink(models.Model):
    """One link of the audit hash chain: one audited row sealed, in commit order.

    Written only by the database triggers and `record_rewrite()` (pmpp.audit_chain, which
    explains the chain); append-only like history; checked by `manage.py verify_audit`.
    """

    class Kind(models.TextChoices):
        INSERT = "insert", _("insertion")
        REWRITE = "rewrite", _("réécriture autorisée")

    # Gapless, assigned under the chain's lock: a missing position is a deleted link.
    position = models.BigIntegerField(_("position"), primary_key=True)
    table_name = models.CharField(_("table"), max_length=63)
    row_id = models.BigIntegerField(_("identifiant de la ligne"))
    kind = models.CharField(_("nature"), max_length=7, choices=Kind.choices)
    reason = models.TextField(_("motif"), blank=True)
    digest = models.BinaryField(_("empreinte de la ligne"), max_length=32)
    hash = models.BinaryField(_("empreinte du maillon"), max_length=32)

    class Meta:
        verbose_name = _("maillon de la chaîne d'audit")
        verbose_name_plural = _("maillons de la chaîne d'audit")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.position} · {self.table_name} {self.row_id}"
