"""Internal notes on a grievance file, and the colleagues they mention (issue 18, item 5).

A note is written by staff for staff: it is never sent to the complainant and never shown on
the public pages, the receipt or the API. It is immutable once written (a correction is a new
note), kept in history like every record of the file, and erased with the file's other free
texts when the case moves to the GBV referent or when the grievance is anonymised.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grievances.models.base import TransitionHistory
from grievances.models.grievance import Grievance
from pmpp import limits
from pmpp.limits import limited_text


class InternalNote(models.Model):
    grievance = models.ForeignKey(
        Grievance, on_delete=models.PROTECT, related_name="internal_notes", verbose_name=_("réclamation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    body = limited_text(_("note"), max_length=limits.NOTE)
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)
    # Read per grievance (the timeline), like the commitments' history.
    history = HistoricalRecords(bases=[TransitionHistory], no_db_index=["author"])

    class Meta:
        ordering = ["grievance", "created_at", "id"]
        verbose_name = _("note interne")
        verbose_name_plural = _("notes internes")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), limits.NOTE), name="internal_note_body_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grievance_id} · {self.created_at:%d/%m/%Y %H:%M}"


class NoteMention(models.Model):
    """A colleague named in a note, until they open the file (the « Mentions » queue).

    `grievance` repeats the note's so that the queue reads one index: the user's mentions not
    yet seen, by grievance. Bookkeeping, not content: no history (the note has one).
    """

    note = models.ForeignKey(InternalNote, on_delete=models.PROTECT, related_name="mentions", verbose_name=_("note"))
    grievance = models.ForeignKey(
        Grievance, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("réclamation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="note_mentions",
        db_index=False,
        verbose_name=_("collègue mentionné"),
    )
    seen_at = models.DateTimeField(_("vue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="note_mention_unique")]
        indexes = [
            # The « Mentions » queue and its count on every page: this user's unseen mentions.
            models.Index(
                fields=["user", "grievance"], condition=Q(seen_at__isnull=True), name="note_mention_unseen_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.note_id} → {self.user_id}"
