"""Screens of the stakeholder registry and the engagement evidence (SPEC §3, §4).

Every view has one shape: check the permission (403 without it) → fetch → parse the form
→ one service → render or redirect. Registry objects are saved by `registry_save`, which
checks the add/change permission again and records who and why; evidence and steps go
through their own services. Views never assign a status.

The screens live in one module per seam: common (what they share), registry (home, lists,
exports, forms), details, evidence (mandates, concerns, minutes) and steps (budget lines,
actions, risks); stakeholders/urls.py reaches them through this package.
"""

from stakeholders.views.details import (
    action_detail,
    activity_detail,
    campaign_detail,
    document_detail,
    group_detail,
    representative_detail,
    risk_detail,
    stakeholder_detail,
)
from stakeholders.views.evidence import (
    concern_add,
    concern_edit,
    mandate_verify,
    minutes_attachment_add,
    minutes_attachment_download,
    minutes_correct,
    minutes_validate,
    minutes_write,
)
from stakeholders.views.registry import (
    home,
    influence_interest,
    mandates_due,
    registry_create,
    registry_edit,
    registry_export,
    registry_list,
)
from stakeholders.views.steps import (
    action_step,
    budget_line_create,
    budget_line_edit,
    progress_note_add,
    risk_status,
)

__all__ = [
    "action_detail",
    "action_step",
    "activity_detail",
    "budget_line_create",
    "budget_line_edit",
    "campaign_detail",
    "concern_add",
    "concern_edit",
    "document_detail",
    "group_detail",
    "home",
    "influence_interest",
    "mandate_verify",
    "mandates_due",
    "minutes_attachment_add",
    "minutes_attachment_download",
    "minutes_correct",
    "minutes_validate",
    "minutes_write",
    "progress_note_add",
    "registry_create",
    "registry_edit",
    "registry_export",
    "registry_list",
    "representative_detail",
    "risk_detail",
    "risk_status",
    "stakeholder_detail",
]
