"""The personal-data access log (Moroccan Law 09-08, art. 23-24; SPEC §5.5 for GBV cases).

One row per read: who, when, through which path, and the ids of every grievance and
sensitive case the response showed, and of every stakeholder and representative whose contact
details (a person's name, phone, e-mail, address) it showed. No name, CNIE or phone is stored
here, so the log itself needs no anonymisation and may outlive the data it points to.
"""

from django.conf import settings
from django.db import models
from django.db.models import Lookup
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    SEARCH = "search", _("Recherche")
    DOWNLOAD = "download", _("Téléchargement")


class IdListField(models.JSONField):
    """A JSON array of primary keys, searchable with `__has_id=<pk>` on both databases."""


@IdListField.register_lookup
class HasId(Lookup):
    """`ids__has_id=42`: the array holds 42.

    PostgreSQL answers with jsonb containment, which the GIN index of migration 0002 serves;
    SQLite, which has no containment operator, walks the array with json_each.
    """

    lookup_name = "has_id"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [int(value)])

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> jsonb_build_array(%s::bigint)", [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _rhs, rhs_params = self.process_rhs(compiler, connection)
        # lhs is the column Django compiled, never user input; the id is a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, [*lhs_params, *rhs_params]


class PersonalDataAccessQuerySet(models.QuerySet):
    def of_grievance(self, pk: int) -> "PersonalDataAccessQuerySet":
        return self.filter(grievance_ids__has_id=pk)

    def of_sensitive_case(self, pk: int) -> "PersonalDataAccessQuerySet":
        return self.filter(sensitive_case_ids__has_id=pk)

    def of_stakeholder(self, pk: int) -> "PersonalDataAccessQuerySet":
        return self.filter(stakeholder_ids__has_id=pk)

    def of_representative(self, pk: int) -> "PersonalDataAccessQuerySet":
        return self.filter(representative_ids__has_id=pk)


class PersonalDataAccess(models.Model):
    """One read of personal data by a signed-in user. Append-only (see privacy.apps).

    Written by `privacy.access.record_views()` and by nothing else.
    """

    at = models.DateTimeField(_("consulté le"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("utilisateur")
    )
    channel = models.CharField(_("voie d'accès"), max_length=10, choices=AccessChannel.choices)
    # The URL name or the export's name: never the URL, whose query string may hold a CNIE.
    where = models.CharField(_("écran ou service"), max_length=100, blank=True)
    grievance_ids = IdListField(_("réclamations consultées"), default=list, blank=True)
    sensitive_case_ids = IdListField(_("cas sensibles consultés"), default=list, blank=True)
    object_count = models.PositiveIntegerField(_("nombre de dossiers"))
    sensitive = models.BooleanField(_("cas sensible VBG/EAS/HS"), default=False)
    # The contacts of the stakeholder registry (issue 17). NULL when the read showed none:
    # nullable, unlike the two lists above, because a column added to a chained table leaves
    # the digest of the rows written before it alone only when they hold NULL there
    # (pmpp.audit_chain).
    stakeholder_ids = IdListField(_("contacts de parties prenantes consultés"), null=True, blank=True)
    representative_ids = IdListField(_("contacts de représentants consultés"), null=True, blank=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consultation de données personnelles")
        verbose_name_plural = _("consultations de données personnelles")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["user", "-at"], name="privacy_access_user_at_idx"),
            models.Index(fields=["-at"], name="privacy_access_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(object_count__gt=0), name="privacy_access_names_something"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {self.at:%Y-%m-%d %H:%M}"
