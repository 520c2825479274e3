from dataclasses import dataclass

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from grievances.deadlines import SlaStatus
from grievances.models import Grievance
from pmpp.bidi import isolate

SLA_BADGES = {
    SlaStatus.ON_TRACK: "text-bg-success",
    SlaStatus.DUE_SOON: "text-bg-warning",
    SlaStatus.OVERDUE: "text-bg-danger",
    # Outlined, not filled: late only if the promise is kept as given.
    SlaStatus.BEYOND_DUE: "border border-danger text-danger",
}


def countdown_label(days: int | None) -> str:
    """« J-3 » three days before the due date, « J » on it, « J+2 » two days after; "" out of the flow."""
    if days is None:
        return ""
    if days > 0:
        return pgettext("compte à rebours", "J-%(days)d") % {"days": days}
    if days == 0:
        return pgettext("compte à rebours", "J")
    return pgettext("compte à rebours", "J+%(days)d") % {"days": -days}


class GrievanceTable(tables.Table):
    selection = tables.CheckBoxColumn(
        accessor="pk", attrs={"th__input": {"aria-label": _("Tout sélectionner")}, "td__input": {"form": "bulk-form"}}
    )
    reference = tables.Column(verbose_name=_("Référence"), linkify=("grievances:detail", {"pk": tables.A("pk")}))
    programme = tables.Column(verbose_name=_("Programme"), accessor="programme__reference_prefix")
    category = tables.Column(verbose_name=_("Catégorie"), empty_values=())
    received_at = tables.DateTimeColumn(verbose_name=_("Reçue le"), format="d/m/Y")
    current_due_on = tables.Column(verbose_name=_("Échéance"))
    status = tables.Column(verbose_name=_("État"))
    assigned_to = tables.Column(verbose_name=_("Attribuée à"), empty_values=())

    class Meta:
        model = Grievance
        fields = [
            "selection", "reference", "programme", "category", "received_at", "current_due_on", "status", "assigned_to",
        ]  # fmt: skip
        order_by = ("current_due_on",)
        attrs = {"class": "table table-sm table-hover align-middle", "id": "queue-table"}
        template_name = "django_tables2/bootstrap5.html"
        empty_text = _("Aucune réclamation dans cette file.")

    def __init__(self, *args, today=None, selectable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if not selectable:
            self.columns.hide("selection")

    def render_category(self, record: Grievance) -> str:
        return record.category.label if record.category_id else "—"

    def render_current_due_on(self, value, record: Grievance):
        status = record.sla_status(today=self.today)
        if status is None:
            return format_html("{}", value.strftime("%d/%m/%Y"))
        return format_html(
            '<span class="badge {}" title="{}">{}</span>', SLA_BADGES[status], status.label, value.strftime("%d/%m/%Y")
        )

    def render_assigned_to(self, record: Grievance) -> str:
        if record.assigned_to_id:
            return isolate(record.assigned_to.get_full_name() or record.assigned_to.username)
        return record.assigned_unit.label if record.assigned_unit_id else "—"


class SearchResultTable(GrievanceTable):
    """Search results and a complainant's grievances: who, on what, where it stands, who holds it.

    Read from the rows the selectors already joined (programme, category, assignee, unit):
    a page of results costs the same queries whatever it holds.
    """

    complainant_name = tables.Column(verbose_name=_("Nom et prénom"), empty_values=())
    programme = tables.Column(verbose_name=_("Programme"), accessor="programme__label", orderable=False)
    others = tables.Column(verbose_name=_("Réclamant"), empty_values=(), orderable=False, accessor="pk")

    class Meta(GrievanceTable.Meta):
        fields = [
            "reference", "complainant_name", "programme", "category", "status", "current_due_on", "assigned_to",
            "received_at", "others",
        ]  # fmt: skip
        sequence = (*fields, "...")  # the parent's selection column stays, hidden
        attrs = {"class": "table table-sm table-hover align-middle", "id": "search-table"}
        empty_text = _("Aucune réclamation trouvée.")

    def __init__(self, *args, show_others: bool = True, **kwargs):
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)
        if not show_others:
            self.columns.hide("others")

    def render_complainant_name(self, record: Grievance) -> str:
        if record.is_anonymous:
            return _("Anonyme")
        return isolate(record.complainant_name) or "—"

    def render_others(self, record: Grievance):
        # Keyed by the grievance's id, never by the CNIE or the phone it leads to.
        if not (record.complainant_cnie or record.complainant_phone):
            return "—"
        return format_html(
            '<a href="{}" class="complainant-link">{}</a>',
            reverse("grievances:complainant", args=[record.pk]),
            _("Toutes ses réclamations"),
        )


@dataclass(frozen=True)
class QueueColumn:
    """A column header of a queue page (templates/grievances/queue.html draws the cells)."""

    label: str
    sort: str = ""  # the `sort` that orders by this column, "" if it does not sort
    direction: str = ""  # "ascending" / "descending" when the page is sorted by it
    next_sort: str = ""  # the `sort` its link asks for: this column, or the other way round


# Category and assignee do not sort: both may be empty, and a page cursor compares values,
# never an absence of one. Every other column sorts both ways and pages by cursor.
_QUEUE_COLUMNS = [
    (_("Référence"), "reference"),
    (_("Programme"), "programme"),
    (_("Catégorie"), ""),
    (_("Reçue le"), "received_at"),
    (_("Échéance"), "due_on"),
    (_("État"), "status"),
    (_("Attribuée à"), ""),
]


def queue_columns(*, sort: str) -> list[QueueColumn]:
    columns = []
    for label, key in _QUEUE_COLUMNS:
        if not key:
            columns.append(QueueColumn(label=label))
            continue
        direction = {key: "ascending", f"-{key}": "descending"}.get(sort, "")
        next_sort = f"-{key}" if direction == "ascending" else key
        columns.append(QueueColumn(label=label, sort=key, direction=direction, next_sort=next_sort))
    return columns
