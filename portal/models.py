"""Public pages for complainants (issue 7): filing, tracking, satisfaction, appeal."""

from django.db import models
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
