"""The grievance mechanism (PMPP §6): grievances, their commitments, sensitive cases.

The workflow is a state machine on `Grievance.status` (django-fsm-2, protected): the only
way to change a state is a transition method of `grievance.py`, and the only caller of those methods
is `grievances.services.workflow`, which locks the row, checks the permission, validates
the step's data and writes the reason into history. Transition methods set state-local
fields only and do no I/O.

The package holds one module per concept; everything is imported from `grievances.models`.
"""

from grievances.models.attachment import Attachment, attachment_path
from grievances.models.base import AgeGroup, ContactPreference, ReferenceCounter, Residence, Sex, TransitionHistory
from grievances.models.bulk import BulkRun
from grievances.models.commitment import Commitment
from grievances.models.grievance import HISTORY_UNINDEXED_GRIEVANCE_FIELDS, Grievance, GrievanceQuerySet
from grievances.models.note import InternalNote, NoteMention
from grievances.models.sensitive import SensitiveCase, SensitiveCaseQuerySet

__all__ = [
    "HISTORY_UNINDEXED_GRIEVANCE_FIELDS", "AgeGroup", "Attachment", "BulkRun", "Commitment", "ContactPreference",
    "Grievance", "GrievanceQuerySet", "InternalNote", "NoteMention", "ReferenceCounter", "Residence", "SensitiveCase",
    "SensitiveCaseQuerySet", "Sex", "TransitionHistory", "attachment_path",
]  # fmt: skip
