"""The registry's home, lists, exports and forms, the mandates due and the influence/interest map."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.access import AccessChannel
from stakeholders import selectors, tables
from stakeholders.charts import influence_interest_map
from stakeholders.models import (
    EngagementActivity,
    Representative,
    Stakeholder,
)
from stakeholders.views.common import (
    _LOGGED_AS,
    PAGE_SIZES,
    REGISTERS,
    _detail_url,
    _log_contact_reads,
    _may,
    _paginate,
    _registry_form,
    _require,
)

# --- home, lists, exports, forms -------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The registry at a glance, and what the focal point must act on: late actions, mandates to check."""
    _require(request.user, "view", Stakeholder)
    overdue = selectors.corrective_actions_overdue()
    mandates = selectors.mandates_to_reverify()
    return render(
        request,
        "stakeholders/home.html",
        {
            "counts": selectors.registry_counts(),
            "overdue_actions": list(overdue[:10]),
            "overdue_count": overdue.count(),
            "mandates": [(rep, selectors.mandate_status(rep)[1]) for rep in mandates[:10]],
            "mandate_count": mandates.count(),
        },
    )


@login_required
def registry_list(request: HttpRequest, kind: str) -> HttpResponse:
    register = REGISTERS[kind]
    _require(request.user, "view", register.model)
    filterset = register.filterset(request.GET, queryset=register.rows())
    table = register.table(filterset.qs)
    per_page = _paginate(request, table)
    return render(
        request,
        "stakeholders/list.html",
        {
            "register": register,
            "table": table,
            "filter": filterset,
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "can_add": _may(request.user, "add", register.model),
        },
    )


@login_required
def registry_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A list as CSV or XLSX: the same rows and filters as the screen, every cell defused."""
    from pmpp.exports import csv_response, xlsx_response

    register = REGISTERS[kind]
    _require(request.user, "view", register.model)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = register.filterset(request.GET, queryset=register.rows()).qs
    columns = register.table.export
    header = [str(title) for title, _value in columns]
    if register.model in _LOGGED_AS:
        # The stakeholder and representative exports carry the contacts: one log row names every
        # row exported with one filled in, before the file streams.
        contacts = selectors.with_contact(rows).values_list("pk", flat=True)
        _log_contact_reads(request, register.model, contacts, channel=AccessChannel.EXPORT)

    def values():
        for obj in rows.iterator(chunk_size=2000):
            yield [value(obj) for _title, value in columns]

    filename = f"{register.file_name}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(filename=f"{filename}.csv", header=header, rows=values())
    return xlsx_response(filename=f"{filename}.xlsx", sheet_title=str(register.title), header=header, rows=values())


@login_required
def registry_create(request: HttpRequest, kind: str) -> HttpResponse:
    register = REGISTERS[kind]
    instance = register.model()
    if isinstance(instance, EngagementActivity):
        instance.created_by = request.user
    return _registry_form(
        request,
        form_class=register.form,
        instance=instance,
        title=_("Nouveau : %(model)s") % {"model": register.model._meta.verbose_name},
        back_url=reverse(f"stakeholders:{kind}_list"),
    )


@login_required
def registry_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    register = REGISTERS[kind]
    _require(request.user, "change", register.model)
    instance = get_object_or_404(register.model, pk=pk)
    return _registry_form(
        request,
        form_class=register.form,
        instance=instance,
        title=_("Modifier : %(object)s") % {"object": instance},
        back_url=_detail_url(instance),
    )


@login_required
def mandates_due(request: HttpRequest) -> HttpResponse:
    """« Mandats à revérifier »: never verified, not confirmed, expired or expiring within 30 days."""
    _require(request.user, "view", Representative)
    table = tables.MandateTable(selectors.mandates_to_reverify())
    per_page = _paginate(request, table)
    return render(
        request, "stakeholders/mandates_due.html", {"table": table, "page_sizes": PAGE_SIZES, "per_page": per_page}
    )


@login_required
def influence_interest(request: HttpRequest) -> HttpResponse:
    """The influence–interest map of the active stakeholders, as inline SVG with a table fallback."""
    _require(request.user, "view", Stakeholder)
    active = Stakeholder.objects.filter(is_active=True).order_by("name", "pk")
    chart = influence_interest_map(active, url=lambda s: reverse("stakeholders:stakeholder_detail", args=[s.pk]))
    return render(request, "stakeholders/map.html", {"chart": chart})
