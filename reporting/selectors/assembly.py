"""Assembly of the semester report (SPEC §6, PMPP §6.2.6 and §7): every figure, computed now, as JSON.

The draft preview shows it as it is computed, and approval freezes it in the report's
`snapshot`. Schema 2 (metric dictionary version 2, `reporting.metrics`): the grievance
figures are the dictionary's terms under their keys; every reference name (programme,
channel, category, region, organisation, group) is kept with its code and its names in
French and Arabic as they were when assembled, and the methodology is the dictionary in
both languages, so a frozen report reads the same in either language for ever.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from grievances.models import SensitiveCase
from pmpp import roles
from reporting import metrics
from reporting.breakdowns import Labeller
from reporting.statistics import Period, Statistics, grievance_statistics_by
from stakeholders.models import Concern, CorrectiveAction, EngagementActivity, ProgressNote
from stakeholders.selectors import campaign_list, corrective_action_list, execution_rate

SCHEMA_VERSION = 2
# GBV/SEA/SH figures: a count below this is never shown (SPEC §5.5, reports show only
# anonymous aggregates), and a count that could be recovered by subtraction is hidden too.
SMALL_CELL_THRESHOLD = 5
SUPPRESSED = "<5"
SECONDARY_SUPPRESSED = "n.c."
# (key of the report's grievance section, breakdown of reporting.statistics)
GRIEVANCE_BREAKDOWNS = (
    ("by_programme", "programme"),
    ("by_channel_group", "channel_group"),
    ("by_region", "region"),
    ("by_sex", "sex"),
    ("by_month", "month"),
    ("by_category", "programme_category"),
    ("by_not_complaint_kind", "not_complaint_kind"),
    ("by_unfounded_reason", "unfounded_reason"),
)
CENT = Decimal("0.01")


def _names(obj) -> dict[str, str] | None:
    """A reference row's names as a frozen report keeps them."""
    if obj is None:
        return None
    return {"fr": obj.name, "ar": getattr(obj, "name_ar", "") or obj.name}


def _json(value: Any) -> Any:
    """Plain JSON: dates and datetimes as ISO strings, amounts as strings."""
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _months(period: Period) -> list[date]:
    months, current = [], period.start.replace(day=1)
    while current <= period.end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _grievances(*, user, period: Period, as_of: datetime) -> dict:
    """Grievance figures of the semester (SPEC §6), every term of the dictionary for the whole
    semester and for each breakdown, from one pass of `reporting.statistics`."""
    groups = [None, *(group for _name, group in GRIEVANCE_BREAKDOWNS)]
    results = grievance_statistics_by(user=user, period=period, group_bys=groups, as_of=as_of)
    label = Labeller(groups[1:])
    section: dict[str, Any] = {"total": results[None].get(None, Statistics()).as_dict()}
    for name, group in GRIEVANCE_BREAKDOWNS:
        found = results[group]
        if group == "month":
            # Every month of the semester has its row, even a month without any request.
            found = {month: found.get(month, Statistics()) for month in _months(period)}
        elif group in ("not_complaint_kind", "unfounded_reason"):
            found = {key: stats for key, stats in found.items() if key is not None}
        rows = []
        for key, stats in found.items():
            named = label(group, key)
            rows.append({"key": named.code, "names": named.names, **stats.as_dict()})
        if group == "channel_group":
            rows.sort(key=lambda row: row["key"] != "web")
        elif group != "month":
            rows.sort(key=lambda row: (row["key"] is None, row["names"]["fr"]))
        section[name] = rows
    return section


def _participants(activities: list[EngagementActivity]) -> dict[str, int]:
    return {
        "activities": len(activities),
        "women": sum(a.participants_women for a in activities),
        "men": sum(a.participants_men for a in activities),
        "unspecified": sum(a.participants_unspecified for a in activities),
        "total": sum(a.participants_total for a in activities),
        "vulnerable": sum(a.vulnerable_participants for a in activities),
    }


def _activities(*, period: Period) -> dict:
    """Engagement activities held in the semester (started in it), by type and by programme (§7)."""
    activities = list(
        EngagementActivity.objects.filter(start_date__gte=period.start, start_date__lte=period.end)
        .prefetch_related("programmes")
        .order_by("start_date", "id")
    )
    by_type: dict[str, list] = defaultdict(list)
    by_programme: dict[str | None, list] = defaultdict(list)
    programmes: dict[str, Any] = {}
    for activity in activities:
        by_type[activity.type].append(activity)
        for programme in sorted(activity.programmes.all(), key=lambda p: p.name) or [None]:
            code = programme.code if programme else None
            programmes[code] = programme
            by_programme[code].append(activity)
    return {
        "total": _participants(activities),
        "by_type": [{"key": key, **_participants(items)} for key, items in sorted(by_type.items())],
        "by_programme": [
            {"key": code, "names": _names(programmes[code]), **_participants(items)}
            for code, items in sorted(
                by_programme.items(), key=lambda item: (item[0] is None, programmes[item[0]].name if item[0] else "")
            )
        ],
        "items": [
            {
                "title": a.title,
                "type": a.type,
                "start_date": a.start_date,
                "end_date": a.end_date,
                "place": a.place,
                "online": a.online,
                "programmes": [_names(p) for p in sorted(a.programmes.all(), key=lambda p: p.name)],
                "women": a.participants_women,
                "men": a.participants_men,
                "unspecified": a.participants_unspecified,
                "total": a.participants_total,
                "vulnerable": a.vulnerable_participants,
            }
            for a in activities
        ],
    }


def _concerns(*, period: Period) -> list[dict]:
    """Concerns raised during the semester's activities, with the answer given (SPEC §4, §6)."""
    concerns = (
        Concern.objects.filter(activity__start_date__gte=period.start, activity__start_date__lte=period.end)
        .select_related("activity", "raised_by", "follow_up_action")
        .order_by("activity__start_date", "activity_id", "id")
    )
    return [
        {
            "theme": c.theme,
            "group": _names(c.raised_by),
            "activity_title": c.activity.title,
            "activity_date": c.activity.start_date,
            "description": c.description,
            "answer": c.answer,
            "follow_up_action": c.follow_up_action.title if c.follow_up_action else None,
        }
        for c in concerns
    ]


def _money(value) -> Decimal:
    """Two decimals whatever the database's sum returned (SQLite drops trailing zeros)."""
    return Decimal(value or 0).quantize(CENT)


def _campaigns(*, period: Period) -> dict:
    """Communication campaigns active during the semester, with their budget execution (§4, §7)."""
    campaigns = (
        campaign_list()
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .order_by("start_date", "id")
    )
    items = [
        {
            "title": c.title,
            "programme": _names(c.programme),
            "responsible": _names(c.responsible),
            "start_date": c.start_date,
            "end_date": c.end_date,
            "planned": _money(c.planned_total),
            "actual": _money(c.actual_total),
            "execution_rate": execution_rate(planned=c.planned_total, actual=c.actual_total),
        }
        for c in campaigns
    ]
    planned = sum((item["planned"] for item in items), Decimal("0.00"))
    actual = sum((item["actual"] for item in items), Decimal("0.00"))
    return {
        "items": items,
        "planned_total": planned,
        "actual_total": actual,
        "execution_rate": execution_rate(planned=planned, actual=actual),
    }


def _latest_note(column: str) -> Subquery:
    return Subquery(
        ProgressNote.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id").values(column)[:1]
    )


def _corrective_actions(*, period: Period, as_of: date) -> list[dict]:
    """Corrective actions that were under way during the semester, in their state at `as_of` (§7).

    An action counts when it existed by the end of the semester (its first history row)
    and was not already finished before the semester began.
    """
    _start, end = period.bounds()
    first_recorded = Subquery(
        CorrectiveAction.history.model.objects.filter(id=OuterRef("pk"))
        .order_by("history_date")
        .values("history_date")[:1]
    )
    actions = (
        corrective_action_list()
        .annotate(
            first_recorded=first_recorded,
            latest_note=_latest_note("text"),
            latest_note_at=_latest_note("created_at"),
            latest_percent=_latest_note("percent_done"),
        )
        .filter(Q(first_recorded__isnull=True) | Q(first_recorded__lt=end))
        .exclude(status=CorrectiveAction.Status.DONE, completed_on__lt=period.start)
        .exclude(status=CorrectiveAction.Status.CANCELLED, due_on__lt=period.start)
        .order_by("due_on", "id")
    )
    return [
        {
            "title": a.title,
            "programme": _names(a.programme),
            "owner": _names(a.owner_organisation),
            "owner_name": a.owner_name,
            "status": a.status,
            "due_on": a.due_on,
            "completed_on": a.completed_on,
            "overdue": a.is_overdue(today=as_of),
            "latest_note": a.latest_note,
            "latest_note_at": timezone.localdate(a.latest_note_at) if a.latest_note_at else None,
            "percent_done": a.latest_percent,
        }
        for a in actions
    ]


@dataclass(frozen=True)
class Partition:
    """`total` is the sum of `members`, plus, when given, a count that is never shown."""

    total: str
    members: tuple[str, ...]
    unshown_rest: int | None = None


def protect_small_cells(counts: dict[str, int], partitions: tuple[Partition, ...] = ()) -> dict[str, int | str]:
    """Hide every count below SMALL_CELL_THRESHOLD as « <5 », then hide (« n.c. ») the
    smallest shown member of any breakdown whose only hidden part could be found by
    subtracting the shown ones from the shown total.

    A rest that is never shown (e.g. cases not referred) counts as a hidden part; it only
    needs protecting when it is a small non-zero count (a zero points at no one).
    """
    shown: dict[str, int | str] = {
        key: SUPPRESSED if value < SMALL_CELL_THRESHOLD else value for key, value in counts.items()
    }
    changed = True
    while changed:
        changed = False
        for partition in partitions:
            if not isinstance(shown[partition.total], int):
                continue
            # What a reader cannot see: the hidden members, and the rest that is never shown.
            hidden = [key for key in partition.members if not isinstance(shown[key], int)]
            if partition.unshown_rest is not None:
                hidden.append("rest")
            if len(hidden) != 1:
                continue  # nothing hidden, or several hidden parts whose split cannot be recovered
            if hidden == ["rest"] and not 0 < partition.unshown_rest < SMALL_CELL_THRESHOLD:
                continue
            visible = [key for key in partition.members if isinstance(shown[key], int)]
            if not visible:
                continue
            smallest = min(visible, key=lambda key: (counts[key], key))
            shown[smallest] = SECONDARY_SUPPRESSED
            changed = True
    return shown


def _sensitive_scope(user) -> Q:
    """Programmes whose GBV/SEA/SH aggregates the user's report covers: those of their grievance figures."""
    if user.is_superuser or roles.ES_FOCAL_POINT in roles.role_codes_for(user):
        return Q()
    return user.programme_scope().as_q()


def _sensitive_aggregates(*, user, period: Period) -> dict:
    """Anonymous GBV/SEA/SH counts of the semester (SPEC §5.5): never a case, never a small cell.

    Read without the GBV referent's visibility scope on purpose: only counts leave this
    function, after small-cell suppression.
    """
    start, end = period.bounds()
    cases = SensitiveCase.objects.filter(_sensitive_scope(user), received_at__gte=start, received_at__lt=end)
    referred = Q(referred_at__isnull=False)
    linked = SensitiveCase.Linked
    counts = cases.aggregate(
        received=Count("pk"),
        referred=Count("pk", filter=referred),
        referred_within_deadline=Count("pk", filter=referred & Q(referred_at__lte=F("referral_due_at"))),
        **{f"linked_{value}": Count("pk", filter=Q(perpetrator_linked=value)) for value in linked.values},
    )
    shown = protect_small_cells(
        counts,
        (
            Partition("received", tuple(f"linked_{value}" for value in linked.values)),
            Partition("received", ("referred",), unshown_rest=counts["received"] - counts["referred"]),
            Partition(
                "referred",
                ("referred_within_deadline",),
                unshown_rest=counts["referred"] - counts["referred_within_deadline"],
            ),
        ),
    )
    return {
        "received": shown["received"],
        "referred": shown["referred"],
        "referred_within_deadline": shown["referred_within_deadline"],
        "by_perpetrator_linked": [{"key": value, "count": shown[f"linked_{value}"]} for value in linked.values],
        "threshold": SMALL_CELL_THRESHOLD,
    }


def assemble_semester_report(*, user, year: int, semester: int) -> dict:
    """Every figure of the semester report, computed now, as JSON-ready data (SPEC §6).

    Grievance figures stay within the user's visibility, as the metric dictionary defines
    them (`reporting.metrics`, recorded with its version). The generation moment, which is
    the instant the figures describe, is recorded in the metadata.
    """
    period = Period.semester(year, semester)
    generated_at = timezone.now()
    as_of = timezone.localdate(generated_at)
    data = {
        "metadata": {
            "schema": SCHEMA_VERSION,
            "metrics_version": metrics.VERSION,
            "year": year,
            "semester": semester,
            "label": period.label,
            "period_start": period.start,
            "period_end": period.end,
            # The instant the figures describe (« Situation au »); overdue items are judged on its date.
            "generated_at": generated_at,
            "as_of": as_of,
            "methodology": {language: metrics.methodology(language) for language in ("fr", "ar")},
        },
        "grievances": _grievances(user=user, period=period, as_of=generated_at),
        "activities": _activities(period=period),
        "concerns": _concerns(period=period),
        "campaigns": _campaigns(period=period),
        "corrective_actions": _corrective_actions(period=period, as_of=as_of),
        "sensitive_cases": _sensitive_aggregates(user=user, period=period),
    }
    return _json(data)
