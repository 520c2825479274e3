"""The complainant's satisfaction with the treatment, given once after closure (issue 7).

Not a workflow step: the state does not change, so it does not go through `run_step`,
but it is written the same way — row locked, rules checked, reason in history.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from grievances.models import Grievance

SATISFACTION_REASON = gettext_noop("Satisfaction exprimée par le réclamant")


@transaction.atomic
def grievance_rate_satisfaction(*, grievance: Grievance, rating: int, when: datetime) -> Grievance:
    """Record the complainant's rating (1 to 5) of a closed grievance, once.

    The complainant rates the treatment they received (§6.1: the answer and its closure),
    so a grievance still in treatment cannot be rated, and a rating once given is kept as
    it was: a second one is refused rather than overwriting the first. The author in
    history is nobody on the staff: the complainant proved their identity on the public
    tracking page.
    """
    locked = Grievance.objects.select_for_update(of=("self",)).get(pk=grievance.pk)
    if locked.status != Grievance.Status.CLOSED:
        raise ValidationError(
            {"rating": "La satisfaction peut être exprimée une fois la réclamation clôturée, pas avant."}
        )
    if locked.satisfaction_rating is not None:
        raise ValidationError({"rating": "La satisfaction a déjà été exprimée pour cette réclamation."})
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Choisissez une note de 1 à 5."})
    locked.satisfaction_rating = rating
    locked.satisfaction_rated_at = when
    locked._change_reason = SATISFACTION_REASON
    locked._history_transition = "rate_satisfaction"
    locked._history_user = None
    locked.save(update_fields=["satisfaction_rating", "satisfaction_rated_at"])
    return locked
