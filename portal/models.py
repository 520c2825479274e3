"""Public pages for complainants (issue 7): filing, tracking, satisfaction, appeal."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrackingThrottle(models.Model):
    """Failed tracking attempts in the current window, per client address or per tracking code.

    Kept in the database, not in a process's memory, so that the limit holds across every
    gunicorn worker and machine. The key is a keyed hash (HMAC with SECRET_KEY) of the
    address or code: neither a visitor's address nor a tracking code is stored in clear.
    Rows whose window has passed are deleted as new attempts come in.
    """

    class Scope(models.TextChoices):
        ADDRESS = "address", _("adresse du client")
        CODE = "code", _("code de suivi")

    scope = models.CharField(_("portée"), max_length=7, choices=Scope.choices)
    key = models.CharField(_("empreinte"), max_length=64)
    window_started_at = models.DateTimeField(_("début de la fenêtre"))
    failures = models.PositiveIntegerField(_("échecs"), default=0)

    class Meta:
        verbose_name = _("limitation du suivi en ligne")
        verbose_name_plural = _("limitations du suivi en ligne")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="tracking_throttle_unique")]
        indexes = [models.Index(fields=["window_started_at"], name="tracking_throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.scope} · {self.failures}"


class FilingReceipt(models.Model):
    """The receipt of a complaint filed on the public form, to answer the same form sent again.

    A complainant whose answer never arrived (the connection lost, the database gone between
    the commit and the receipt page, a double click) sends the form again. The form carries
    a one-time token; the token and the content identify the first filing, whose receipt is
    shown again instead of a second grievance being recorded (portal/filing.py). Nothing here
    opens a grievance without the form: `key` is a keyed hash (HMAC under the token) of the
    form's content, and the PIN of an anonymous complaint is sealed with a key drawn from the
    token, which is never stored. Rows are deleted once a resubmission is no longer plausible.
    """

    key = models.CharField(_("empreinte de l'envoi"), max_length=64, unique=True)
    # CASCADE: a convenience for resubmissions, gone with the grievance if it ever goes.
    grievance = models.OneToOneField(
        "grievances.Grievance",
        on_delete=models.CASCADE,
        related_name="portal_receipt",
        verbose_name=_("réclamation"),
    )
    sealed_pin = models.CharField(_("code PIN scellé"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now)

    class Meta:
        verbose_name = _("reçu de dépôt en ligne")
        verbose_name_plural = _("reçus de dépôt en ligne")
        indexes = [models.Index(fields=["created_at"], name="filing_receipt_created_idx")]

    def __str__(self) -> str:
        return self.key[:12]
