"""Workflow services: every state change of a grievance goes through `run_step` (§6.3.6).

Each service is a verb with keyword-only arguments and an explicit `actor`. It locks the
grievance row, checks that the step is possible from the current state, that the actor
holds its permission (including the four-eyes rules), validates the data the step needs
(a ValidationError naming the field), applies the model's transition and saves it with
the reason in history — all in one transaction, so a failed step saves nothing.

One module per operation of §6.3.6 (`steps` holds what they share); every service is
imported here, so callers write `from grievances.services import workflow as wf` and
`wf.grievance_close(...)`.
"""

from grievances.services.workflow.answer import (
    grievance_approve_answer,
    grievance_draft_answer,
    grievance_reject_answer,
    grievance_send_answer,
)
from grievances.services.workflow.assignment import grievance_assign
from grievances.services.workflow.closure import grievance_appeal, grievance_close, grievance_review_appeal
from grievances.services.workflow.commitments import (
    commitment_break,
    commitment_give,
    commitment_honour,
    commitment_record_notification,
    commitment_renew,
    commitment_send_notification,
    grievance_route_to_unit,
)
from grievances.services.workflow.partner import (
    grievance_record_partner_outcome,
    grievance_regularise,
    grievance_transmit_to_partner,
)
from grievances.services.workflow.qualification import (
    grievance_analyse,
    grievance_flag_sensitive,
    grievance_qualify,
    grievance_reclassify_as_request,
)
from grievances.services.workflow.steps import StaleGrievance

__all__ = [
    "StaleGrievance",
    "commitment_break",
    "commitment_give",
    "commitment_honour",
    "commitment_record_notification",
    "commitment_renew",
    "commitment_send_notification",
    "grievance_analyse",
    "grievance_appeal",
    "grievance_approve_answer",
    "grievance_assign",
    "grievance_close",
    "grievance_draft_answer",
    "grievance_flag_sensitive",
    "grievance_qualify",
    "grievance_reclassify_as_request",
    "grievance_record_partner_outcome",
    "grievance_regularise",
    "grievance_reject_answer",
    "grievance_review_appeal",
    "grievance_route_to_unit",
    "grievance_send_answer",
    "grievance_transmit_to_partner",
]
