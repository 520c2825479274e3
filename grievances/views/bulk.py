"""Bulk work from a queue (issue 18, item 8): select, choose, confirm, read what each case gave.

Four pages, each a GET after a POST so that Back and Reload never run anything twice: the
queue's bulk form starts a run (`bulk_start`), the run's page asks what to do — the assignee,
picked by name among those who can take every selected case, or a comment (`bulk_prepare`) —,
the confirmation says it in one sentence (`bulk_confirm`), and the result lists each case,
done or refused and why (`bulk_result`). A run is addressed by an opaque token and opens only
for the user who started it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grievances.context_processors import queues_with_counts
from grievances.filters import GrievanceFilter
from grievances.forms_assign import AssignForm, BulkStepForm
from grievances.models import BulkRun, Grievance
from grievances.people import assignees_for, full_name
from grievances.queues import QUEUE_COUNT_CAP, QUEUES_BY_SLUG, capped_count, queues_for
from grievances.selectors import grievance_queue_for_user
from grievances.services.bulk_work import (
    BULK_ACTIONS,
    BULK_CAP,
    assignment_label,
    bulk_actions_for,
    bulk_run_choose,
    bulk_run_execute,
    bulk_run_start,
)

# Query-string keys of a queue page that are not filters: the page, not the selection.
_NOT_FILTERS = ("cursor", "page", "per_page", "sort")


def _filter_query(raw: str) -> QueryDict:
    query = QueryDict(raw, mutable=True)
    for key in _NOT_FILTERS:
        query.pop(key, None)
    return query


def bulk_queue_context(*, request: HttpRequest, queue, filters: GrievanceFilter, branches=None) -> dict:
    """What the queue page needs for its bulk form: the actions the user may take, and how
    many cases « toutes » would take, counted up to the cap.

    Unfiltered, that is the queue's own count, which the navigation counts on every page
    anyway (`queues_with_counts`, capped higher): it is read from there. Filtered, one
    query counts the filtered rows, over the queue's disjoint `branches` when it has some,
    each read in its own index range.
    """
    actions = bulk_actions_for(request.user)
    if not actions:
        return {"bulk_actions": None}
    matching = _navigation_count(request, queue) if _unfiltered(filters) else None
    if matching is None:
        matching = capped_count(branches or [filters.qs], cap=BULK_CAP)
    return {
        "bulk_actions": actions,
        "bulk_matching": min(matching, BULK_CAP),
        "bulk_capped": matching > BULK_CAP,
        "bulk_cap": BULK_CAP,
        "bulk_query": _filter_query(request.GET.urlencode()).urlencode(),
    }


def _unfiltered(filters: GrievanceFilter) -> bool:
    """The page shows the whole queue: no filter has a value (an invalid one filters)."""
    return filters.is_valid() and not any(value not in (None, "") for value in filters.form.cleaned_data.values())


def _navigation_count(request: HttpRequest, queue) -> int | None:
    """The queue's count as the navigation gives it, if it tells the bulk form all it needs."""
    if QUEUE_COUNT_CAP < BULK_CAP:  # « 1 000+ » must still say whether « toutes » is over the cap
        return None
    return next((entry["count"] for entry in queues_with_counts(request) if entry["slug"] == queue.slug), None)


@login_required
@require_POST
def bulk_start(request: HttpRequest, slug: str) -> HttpResponse:
    queue = QUEUES_BY_SLUG.get(slug)
    if queue is None or queue not in queues_for(request.user):
        raise Http404(_("File de travail introuvable."))
    if not bulk_actions_for(request.user):
        raise PermissionDenied
    query = _filter_query(request.POST.get("query", ""))
    back = reverse("grievances:queue", args=[slug]) + (f"?{query.urlencode()}" if query else "")
    rows = grievance_queue_for_user(user=request.user, queue=queue, today=timezone.localdate())
    filters = GrievanceFilter(query, queryset=rows)
    everything = request.POST.get("scope") == "all"
    selection = None if everything else [int(pk) for pk in request.POST.getlist("selection") if pk.isdigit()]
    try:
        run = bulk_run_start(
            actor=request.user,
            queue_slug=slug,
            action=request.POST.get("action", ""),
            rows=filters.qs,
            selection=selection,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    return redirect("grievances:bulk_prepare", token=run.token)


def _run_for(request: HttpRequest, token) -> BulkRun:
    """The run if it is the user's own; 404 otherwise, whether it exists or not."""
    run = BulkRun.objects.select_related("assignee", "unit").filter(token=token, owner=request.user).first()
    if run is None:
        raise Http404(_("Traitement par lot introuvable."))
    return run


def _where(run: BulkRun) -> str | None:
    """The page a run in this stage belongs on."""
    if run.stage in (BulkRun.Stage.RUNNING, BulkRun.Stage.DONE):
        return reverse("grievances:bulk_result", args=[run.token])
    return None


def _cases(user, run: BulkRun):
    return (
        Grievance.objects.visible_to(user)
        .filter(pk__in=run.grievance_ids)
        .only("reference", "status", "programme_id", "created_by_id", "partner_organisation_id", "current_due_on")
        .order_by("current_due_on", "pk")
    )


@login_required
def bulk_prepare(request: HttpRequest, token) -> HttpResponse:
    """What to do to each case: the assignee (by name, among those who can take them all), or a comment."""
    run = _run_for(request, token)
    if (done := _where(run)) is not None:
        return redirect(done)
    action = BULK_ACTIONS[run.action]
    cases = list(_cases(request.user, run))
    assignees = None
    data = request.POST if request.method == "POST" else None
    if action.needs_assignee:
        assignees = assignees_for(cases)
        form = AssignForm(data, assignees=assignees, initial={"assignee": run.assignee_id, "unit": run.unit_id})
    else:
        form = BulkStepForm(data, initial={"comment": run.comment})
    if data is not None and form.is_valid():
        try:
            bulk_run_choose(
                run=run,
                actor=request.user,
                assignee=form.cleaned_data.get("assignee"),
                unit=form.cleaned_data.get("unit"),
                comment=form.cleaned_data.get("comment", ""),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("grievances:bulk_confirm", token=run.token)
    return render(
        request,
        "grievances/bulk_prepare.html",
        {
            "run": run,
            "action": action,
            "form": form,
            "cases": cases,
            "closed": sum(1 for case in cases if case.status in Grievance.TERMINAL_STATES),
            "nobody": assignees is not None and not assignees,
            "queue": QUEUES_BY_SLUG.get(run.queue_slug),
        },
    )


@login_required
def bulk_confirm(request: HttpRequest, token) -> HttpResponse:
    """« N dossiers seront attribués à X » — then, confirmed, each case goes through its service."""
    run = _run_for(request, token)
    if (done := _where(run)) is not None:
        return redirect(done)
    if run.stage != BulkRun.Stage.CONFIRMING:
        return redirect("grievances:bulk_prepare", token=run.token)
    if request.method == "POST":
        try:
            bulk_run_execute(run=run, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.warning(request, message)
        return redirect("grievances:bulk_result", token=run.token)
    action = BULK_ACTIONS[run.action]
    return render(
        request,
        "grievances/bulk_confirm.html",
        {
            "run": run,
            "action": action,
            "target": assignment_label(run) if action.needs_assignee else "",
            "assignee_name": full_name(run.assignee) if run.assignee else "",
            "references": list(_cases(request.user, run).values_list("reference", flat=True)),
            "queue": QUEUES_BY_SLUG.get(run.queue_slug),
        },
    )


@login_required
@require_GET
def bulk_result(request: HttpRequest, token) -> HttpResponse:
    """Per case: done, or refused and why (reference and reason, no personal data)."""
    run = _run_for(request, token)
    if run.stage in (BulkRun.Stage.CHOOSING, BulkRun.Stage.CONFIRMING):
        return redirect("grievances:bulk_prepare", token=run.token)
    done = [row for row in run.results if row["done"]]
    refused = [row for row in run.results if not row["done"]]
    return render(
        request,
        "grievances/bulk_result.html",
        {
            "run": run,
            "action": BULK_ACTIONS[run.action],
            "target": assignment_label(run) if BULK_ACTIONS[run.action].needs_assignee else "",
            "done": done,
            "refused": refused,
            "queue": QUEUES_BY_SLUG.get(run.queue_slug),
        },
    )
