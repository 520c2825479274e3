"""Filters of the registry lists.

Like the grievance queues, the query string carries reference data and titles only: the
names and contacts of persons (stakeholders, representatives) are never searched through
a URL, so that they stay out of browser history and server logs.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmpp.dates import use_local_dates
from pmpp.limits import max_length_of
from pmpp.models import Organisation, Programme, Region
from stakeholders.models import (
    Campaign,
    CorrectiveAction,
    DisclosedDocument,
    EngagementActivity,
    Level,
    Representative,
    Risk,
    Stakeholder,
    StakeholderGroup,
)

YES_NO = [("true", _("Oui")), ("false", _("Non"))]


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on every filter field, the shared date widget for dates."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            use_local_dates(form.fields.values())
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.Select):
                    widget.attrs["class"] = "form-select"
                else:
                    widget.attrs["class"] = "form-control"
            form._styled = True
        return form


def _title_search(model):
    # No title is longer than its column: a longer search could match nothing.
    return django_filters.CharFilter(
        field_name="title",
        lookup_expr="icontains",
        label=_("Intitulé contient"),
        max_length=max_length_of(model, "title"),
    )


class GroupFilter(StyledFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        label=_("Nom contient"),
        max_length=max_length_of(StakeholderGroup, "name"),
    )
    category = django_filters.ChoiceFilter(choices=StakeholderGroup.Category.choices, label=_("Catégorie"))
    programme = django_filters.ModelChoiceFilter(
        field_name="programmes", queryset=Programme.objects.all(), label=_("Programme")
    )

    class Meta:
        model = StakeholderGroup
        fields = ["q", "category", "programme"]


class StakeholderFilter(StyledFilterSet):
    kind = django_filters.ChoiceFilter(choices=Stakeholder.Kind.choices, label=_("Type"))
    group = django_filters.ModelChoiceFilter(
        field_name="groups", queryset=StakeholderGroup.objects.all(), label=_("Groupe")
    )
    programme = django_filters.ModelChoiceFilter(
        field_name="programmes", queryset=Programme.objects.all(), label=_("Programme")
    )
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all(), label=_("Région"))
    influence = django_filters.ChoiceFilter(choices=Level.choices, label=_("Influence"))
    interest = django_filters.ChoiceFilter(choices=Level.choices, label=_("Intérêt"))
    is_active = django_filters.ChoiceFilter(choices=YES_NO, label=_("Actif"), method="filter_boolean")

    class Meta:
        model = Stakeholder
        fields = ["kind", "group", "programme", "region", "influence", "interest", "is_active"]

    def filter_boolean(self, queryset, name, value):
        return queryset.filter(**{name: value == "true"})


class RepresentativeFilter(StyledFilterSet):
    group = django_filters.ModelChoiceFilter(queryset=StakeholderGroup.objects.all(), label=_("Groupe représenté"))
    is_active = django_filters.ChoiceFilter(choices=YES_NO, label=_("Actif"), method="filter_boolean")

    class Meta:
        model = Representative
        fields = ["group", "is_active"]

    def filter_boolean(self, queryset, name, value):
        return queryset.filter(**{name: value == "true"})


class ActivityFilter(StyledFilterSet):
    q = _title_search(EngagementActivity)
    type = django_filters.ChoiceFilter(choices=EngagementActivity.Type.choices, label=_("Type"))
    programme = django_filters.ModelChoiceFilter(
        field_name="programmes", queryset=Programme.objects.all(), label=_("Programme")
    )
    organiser = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label=_("Organisateur"))
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("À partir du"))
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("Jusqu'au"))

    class Meta:
        model = EngagementActivity
        fields = ["q", "type", "programme", "organiser"]


class CampaignFilter(StyledFilterSet):
    q = _title_search(Campaign)
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all(), label=_("Programme"))
    responsible = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Organisme responsable")
    )

    class Meta:
        model = Campaign
        fields = ["q", "programme", "responsible"]


class CorrectiveActionFilter(StyledFilterSet):
    q = _title_search(CorrectiveAction)
    status = django_filters.ChoiceFilter(choices=CorrectiveAction.Status.choices, label=_("État"))
    source = django_filters.ChoiceFilter(choices=CorrectiveAction.Source.choices, label=_("Origine"))
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all(), label=_("Programme"))
    owner_organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label=_("Responsable"))
    overdue = django_filters.ChoiceFilter(choices=YES_NO, label=_("En retard"), method="filter_overdue")

    class Meta:
        model = CorrectiveAction
        fields = ["q", "status", "source", "programme", "owner_organisation"]

    def filter_overdue(self, queryset, name, value):
        late = Q(
            status__in=(CorrectiveAction.Status.OPEN, CorrectiveAction.Status.IN_PROGRESS),
            due_on__lt=timezone.localdate(),
        )
        return queryset.filter(late) if value == "true" else queryset.exclude(late)


class RiskFilter(StyledFilterSet):
    q = _title_search(Risk)
    status = django_filters.ChoiceFilter(choices=Risk.Status.choices, label=_("État"))

    class Meta:
        model = Risk
        fields = ["q", "status"]


class DocumentFilter(StyledFilterSet):
    q = _title_search(DisclosedDocument)
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all(), label=_("Programme"))

    class Meta:
        model = DisclosedDocument
        fields = ["q", "programme"]
