"""REST API for integrations (issue 7): integration accounts, idempotency keys."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class IntegrationAccount(models.Model):
    """An external system speaking for one channel (chikaya.ma, the Médiateur, a call centre).

    It acts as its `user`, so roles, memberships, visibility and the four-eyes rules apply
    unchanged. Only a SHA-256 hash of the token is stored; the token is shown once, when the
    account is created (`manage.py create_integration_account`). Deactivate to revoke.
    """

    name = models.CharField(_("nom"), max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="integration_account",
        verbose_name=_("utilisateur"),
    )
    channel = models.ForeignKey(
        "pmpp.Channel", on_delete=models.PROTECT, related_name="integration_accounts", verbose_name=_("canal")
    )
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("compte d'intégration")
        verbose_name_plural = _("comptes d'intégration")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_token() -> tuple[str, str]:
        """(token shown once, hash stored)."""
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)


class IntakeRequest(models.Model):
    """One grievance created through the API, with the hash of the request that created it.

    With an `Idempotency-Key` header, (account, key) is unique: the row is inserted in the same
    transaction as the grievance, so a replay, even a concurrent one, finds the original.
    The body hash also tells a faithful replay from a different request reusing the key or
    the channel's external reference.
    """

    account = models.ForeignKey(
        IntegrationAccount, on_delete=models.PROTECT, related_name="intake_requests", verbose_name=_("compte")
    )
    key = models.CharField(_("clé d'idempotence"), max_length=255, blank=True)
    request_hash = models.CharField(_("empreinte de la requête"), max_length=64)
    grievance = models.OneToOneField(
        "grievances.Grievance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_intake",
        verbose_name=_("réclamation"),
    )
    sensitive_case = models.OneToOneField(
        "grievances.SensitiveCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_intake",
        verbose_name=_("cas sensible"),
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("requête d'enregistrement par l'API")
        verbose_name_plural = _("requêtes d'enregistrement par l'API")
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], condition=~Q(key=""), name="api_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key or str(self.pk)
