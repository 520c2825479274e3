"""Stakeholder registry and engagement evidence (PMPP §3–§5, §7; SPEC §3, §4).

What the E&S focal point keeps: who the stakeholders are (groups, organisations, persons,
representatives and the verification of their mandate), what was done with them
(engagement activities, concerns raised and the answers given, minutes as evidence),
communication campaigns and their budget, corrective actions and the risk register.

One module per seam: registry (who), engagement (what was done with them) and plans (what
follows); every model is importable from here, as Django and the migrations expect.
"""

from stakeholders.models.engagement import (
    Concern,
    EngagementActivity,
    Minutes,
    MinutesAttachment,
    minutes_attachment_path,
)
from stakeholders.models.plans import (
    BudgetLine,
    Campaign,
    CorrectiveAction,
    DisclosedDocument,
    ProgressNote,
    Risk,
)
from stakeholders.models.registry import (
    ChoicesListValidator,
    Language,
    Level,
    MandateVerification,
    NotificationMeans,
    Representative,
    Stakeholder,
    StakeholderGroup,
    _choices_validator,
)

__all__ = [
    "BudgetLine",
    "Campaign",
    "ChoicesListValidator",
    "Concern",
    "CorrectiveAction",
    "DisclosedDocument",
    "EngagementActivity",
    "Language",
    "Level",
    "MandateVerification",
    "Minutes",
    "MinutesAttachment",
    "NotificationMeans",
    "ProgressNote",
    "Representative",
    "Risk",
    "Stakeholder",
    "StakeholderGroup",
    "_choices_validator",
    "minutes_attachment_path",
]
