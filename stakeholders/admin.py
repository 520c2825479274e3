from django.contrib import admin

from pmpp.admin import ReadOnlyAdmin
from stakeholders import models

for model in (
    models.StakeholderGroup,
    models.Stakeholder,
    models.Representative,
    models.MandateVerification,
    models.EngagementActivity,
    models.Concern,
    models.Minutes,
    models.Campaign,
    models.BudgetLine,
    models.DisclosedDocument,
    models.CorrectiveAction,
    models.ProgressNote,
    models.Risk,
):
    admin.site.register(model, ReadOnlyAdmin)
