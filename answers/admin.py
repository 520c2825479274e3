from django.contrib import admin

from answers.models import AnswerTemplate
from pmpp.admin import ReadOnlyAdmin


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(ReadOnlyAdmin):
    """Read only: templates are managed in the back office (answers:list), through the services."""

    list_display = ["name", "programme", "category", "outcome", "is_active"]
    list_filter = ["is_active", "programme"]
