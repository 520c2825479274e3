import django_filters
from django.utils.translation import gettext_lazy as _

from grievances.models import Grievance
from pmpp.dates import use_local_dates
from pmpp.form_rendering import list_model_choices
from pmpp.models import Channel, ComplaintCategory, Programme, Region


class GrievanceFilter(django_filters.FilterSet):
    """Queue filters. Only reference data goes in the query string: never personal data."""

    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.all(), label=_("Programme"))
    channel = django_filters.ModelChoiceFilter(queryset=Channel.objects.all(), label=_("Canal"))
    category = django_filters.ModelChoiceFilter(
        queryset=ComplaintCategory.objects.select_related("programme"), label=_("Catégorie")
    )
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all(), label=_("Région"))
    status = django_filters.ChoiceFilter(choices=Grievance.Status.choices, label=_("État"))
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("Reçue à partir du")
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("Reçue jusqu'au")
    )

    class Meta:
        model = Grievance
        fields = ["programme", "channel", "category", "region", "status"]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            list_model_choices(form.fields.values())
            use_local_dates(form.fields.values())
            for name, field in form.fields.items():
                if name.startswith("received_"):
                    field.widget.attrs["class"] = "form-control"
                else:
                    field.widget.attrs["class"] = "form-select"
            form._styled = True
        return form
