# The grievance personas and the `walk` helper serve the reporting tests too.
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pmpp.models import Organisation
from stakeholders.models import BudgetLine, Campaign, Concern, CorrectiveAction, EngagementActivity, ProgressNote
from tests.grievances.conftest import *  # noqa: F403

# --- the arrangement of the semester report's tests ------------------------------------------------------


@pytest.fixture
def semester():
    """(year, semester) of today: the walk registers grievances received now."""
    today = timezone.localdate()
    return today.year, 1 if today.month <= 6 else 2


@pytest.fixture
def mef(db):
    return Organisation.objects.get(code="mef-db")


def _saved(obj, *, actor, reason: str):
    obj._change_reason = reason
    obj._history_user = actor
    obj.save()
    return obj


@pytest.fixture
def workshop(leila, mef, tayssir):
    """A consultation held today: 12 women, 6 men, 2 unspecified, 4 from vulnerable groups."""
    activity = _saved(
        EngagementActivity(
            type=EngagementActivity.Type.WORKSHOP,
            title="Atelier Tayssir — associations de parents, Taroudant",
            start_date=timezone.localdate(),
            organiser=mef,
            participants_women=12,
            participants_men=6,
            participants_unspecified=2,
            vulnerable_participants=4,
            created_by=leila,
        ),
        actor=leila,
        reason="Création",
    )
    activity.programmes.add(tayssir)
    _saved(
        Concern(
            activity=activity,
            theme="Montant de la bourse",
            description="Les mères ne comprennent pas la baisse du montant.",
            answer="Explication du barème par niveau scolaire.",
        ),
        actor=leila,
        reason="Création",
    )
    return activity


@pytest.fixture
def campaign(leila, mef, tayssir):
    campaign = _saved(
        Campaign(
            programme=tayssir,
            title="Campagne radio Tayssir",
            responsible=mef,
            start_date=timezone.localdate() - timedelta(days=400),
        ),
        actor=leila,
        reason="Création",
    )
    _saved(
        BudgetLine(
            campaign=campaign, label="Spots radio", planned_amount=Decimal("1000.00"), actual_amount=Decimal("250.50")
        ),
        actor=leila,
        reason="Création",
    )
    return campaign


@pytest.fixture
def late_action(leila, mef, tayssir):
    action = _saved(
        CorrectiveAction(
            title="Publier le barème des bourses",
            source=CorrectiveAction.Source.CONSULTATION,
            programme=tayssir,
            owner_organisation=mef,
            due_on=timezone.localdate() - timedelta(days=3),
        ),
        actor=leila,
        reason="Création",
    )
    _saved(ProgressNote(action=action, text="Maquette validée, impression en cours.", percent_done=60, author=leila),
           actor=leila, reason="Création")  # fmt: skip
    return action
