"""Reads of the semester report (SPEC §6, PMPP §6.2.6 and §7).

`assemble_semester_report` gathers, at the moment it is called, every figure the report to
the World Bank carries, as plain JSON (dates as ISO strings, amounts as strings): the
draft preview shows it as it is computed, and approval freezes it in the report's
`snapshot`. `semester_report_tables` lays either of them out as the tables shown on screen
and downloaded, so that the page and the files always carry the same figures.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from grievances.models import SensitiveCase, Sex
from pmpp import roles
from reporting.models import SemesterReport
from reporting.statistics import Period, Statistics, grievance_statistics_by
from stakeholders.models import Concern, CorrectiveAction, EngagementActivity, ProgressNote
from stakeholders.selectors import campaign_list, corrective_action_list, execution_rate

SCHEMA_VERSION = 1
# GBV/SEA/SH figures: a count below this is never shown (SPEC §5.5, reports show only
# anonymous aggregates), and a count that could be recovered by subtraction is hidden too.
SMALL_CELL_THRESHOLD = 5
SUPPRESSED = "<5"
SECONDARY_SUPPRESSED = "n.c."
_GRIEVANCE_BREAKDOWNS = (
    ("by_programme", "programme"),
    ("by_channel_group", "channel_group"),
    ("by_region", "region"),
    ("by_sex", "sex"),
    ("by_month", "month"),
)
CENT = Decimal("0.01")


# --- reports ---------------------------------------------------------------------------------------------


def semester_report_list() -> QuerySet[SemesterReport]:
    return SemesterReport.objects.select_related("created_by", "approved_by", "supersedes", "superseded_by")


def semester_report_get_for_user(*, user, pk: int) -> SemesterReport:
    """The report, for a user who may read reports (403 otherwise, 404 if there is none)."""
    if not user.has_perm("reporting.view_semesterreport"):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à consulter les rapports semestriels.")
    try:
        return semester_report_list().get(pk=pk)
    except SemesterReport.DoesNotExist:
        raise Http404("Rapport introuvable.") from None


def semester_report_data(*, report: SemesterReport, user) -> dict:
    """What a report shows: the frozen snapshot once approved, never recomputed; a live
    assembly while it is a draft."""
    if report.status == SemesterReport.Status.APPROVED:
        return report.snapshot
    return assemble_semester_report(user=user, year=report.year, semester=report.semester)


# --- assembly --------------------------------------------------------------------------------------------


def _methodology() -> str:
    # Always French: the note is part of what the focal point approves and sends to the Bank.
    with override("fr"):
        return _(
            "Réclamations : requêtes reçues pendant le semestre (date de réception, heure du Maroc), dans le "
            "périmètre de la personne qui a généré le rapport. Les doublons sont rattachés à la requête d'origine "
            "et ne sont pas comptés deux fois ; les cas sensibles VBG/EAS/HS sont exclus de ces chiffres et "
            "présentés à part, en agrégats anonymes. Les délais de traitement sont mesurés de la date de "
            "réception à la date de clôture retenue (§6.3.2) : avec un engagement honoré, la date de notification "
            "de l'engagement ; avec un engagement non honoré, la date de réalisation effective ; sans engagement, "
            "la date de validation de la clôture. Les requêtes en retard et les actions correctives en retard le "
            "sont à la date de situation. Une activité concernant plusieurs programmes est comptée pour chacun "
            "d'eux. Cas VBG/EAS/HS : tout effectif inférieur à 5 est remplacé par « <5 », et un effectif qui "
            "permettrait de le retrouver par différence par « n.c. »."
        )


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


def _month_key(value) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}"


def _breakdown_key(group: str, key) -> str | None:
    if key is None:
        return None
    if group == "channel_group":
        return "web" if key else "non_web"
    if group == "month":
        return _month_key(key)
    return str(key)


def _months(period: Period) -> list[str]:
    months, current = [], period.start.replace(day=1)
    while current <= period.end:
        months.append(_month_key(current))
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _grievances(*, user, period: Period, as_of: date) -> dict:
    """Grievance statistics of the semester (SPEC §6), from `reporting.statistics`, in one pass
    over the closed grievances for all the breakdowns."""
    groups = [None, *(group for _name, group in _GRIEVANCE_BREAKDOWNS), "programme_category"]
    results = grievance_statistics_by(user=user, period=period, group_bys=groups, as_of=as_of)
    section: dict[str, Any] = {"total": results[None].get(None, Statistics()).as_dict()}
    for name, group in _GRIEVANCE_BREAKDOWNS:
        rows = {_breakdown_key(group, key): stats.as_dict() for key, stats in results[group].items()}
        if group == "month":
            # Every month of the semester has its row, even a month without any request.
            rows = {month: rows.get(month, Statistics().as_dict()) for month in _months(period)}
        ordered = sorted(rows.items(), key=lambda item: _key_order(group, item[0]))
        section[name] = [{"key": key, **values} for key, values in ordered]
    section["by_category"] = _grievances_by_category(results["programme_category"])
    return section


def _key_order(group: str, key: str | None) -> tuple:
    if group == "channel_group":
        return (key != "web",)
    return (key is None, key or "")


def _grievances_by_category(results: dict) -> list[dict]:
    """Categories belong to a programme, and several programmes have one with the same name
    (« Autre », « Problème technique »): they are counted programme by programme, never merged."""
    ordered = sorted(results.items(), key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or ""))
    return [{"programme": programme, "key": category, **stats.as_dict()} for (programme, category), stats in ordered]


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
    for activity in activities:
        by_type[activity.type].append(activity)
        names = sorted(p.name for p in activity.programmes.all()) or [None]
        for name in names:
            by_programme[name].append(activity)
    return {
        "total": _participants(activities),
        "by_type": [{"key": key, **_participants(items)} for key, items in sorted(by_type.items())],
        "by_programme": [
            {"key": key, **_participants(items)}
            for key, items in sorted(by_programme.items(), key=lambda item: (item[0] is None, item[0] or ""))
        ],
        "items": [
            {
                "title": a.title,
                "type": a.type,
                "start_date": a.start_date,
                "end_date": a.end_date,
                "place": a.place,
                "online": a.online,
                "programmes": sorted(p.name for p in a.programmes.all()),
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
            "group": c.raised_by.name if c.raised_by else None,
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
            "programme": c.programme.name,
            "responsible": c.responsible.name,
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
            "programme": a.programme.name if a.programme else None,
            "owner": " — ".join(filter(None, [a.owner_organisation.name, a.owner_name])),
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

    Grievance figures stay within the user's visibility, from `grievance_statistics`
    (closure-date rule §6.3.2; duplicates and sensitive cases excluded). The generation
    moment and the date overdue items are measured at are recorded in the metadata.
    """
    period = Period.semester(year, semester)
    generated_at = timezone.now()
    as_of = timezone.localdate(generated_at)
    data = {
        "metadata": {
            "schema": SCHEMA_VERSION,
            "year": year,
            "semester": semester,
            "label": period.label,
            "period_start": period.start,
            "period_end": period.end,
            "generated_at": generated_at,
            "as_of": as_of,
            "methodology": _methodology(),
        },
        "grievances": _grievances(user=user, period=period, as_of=as_of),
        "activities": _activities(period=period),
        "concerns": _concerns(period=period),
        "campaigns": _campaigns(period=period),
        "corrective_actions": _corrective_actions(period=period, as_of=as_of),
        "sensitive_cases": _sensitive_aggregates(user=user, period=period),
    }
    return _json(data)


# --- layout: the tables of the page and of the downloads -------------------------------------------------


@dataclass(frozen=True)
class ReportTable:
    """One block of the report: a title, a header and typed cells (numbers, Decimals, dates, text)."""

    key: str
    title: str
    sheet: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _day(value) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def moment(value: str | None) -> datetime | None:
    """A datetime of the report data (ISO string with its offset)."""
    return datetime.fromisoformat(value) if value else None


def _choice(choices, value) -> str:
    if value is None:
        return _("Non renseigné")
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _month_label(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return date_format(date(year, month, 1), "F Y").capitalize()


def _group_label(group: str, key) -> str:
    if key is None:
        return _("Non renseigné")
    if group == "channel_group":
        return _("Canaux web") if key == "web" else _("Canaux hors web")
    if group == "sex":
        return _choice(Sex, key)
    if group == "month":
        return _month_label(key)
    return str(key)


def _grievance_header(first: str) -> list[str]:
    return [
        first,
        _("Requêtes reçues"),
        _("dont réclamations"),
        _("Hors réclamation"),
        _("Fondées"),
        _("Non fondées"),
        _("Traitées"),
        _("Traitées (%)"),
        _("En cours"),
        _("En retard"),
        _("Traitées dans le délai (%)"),
        _("Délai moyen (jours)"),
        _("Délai médian (jours)"),
        _("Recours"),
        _("Doublons (non comptés)"),
    ]


def _grievance_row(label: str, s: dict) -> list:
    names = (
        "received", "complaints", "not_complaints", "founded", "unfounded", "treated", "treated_rate", "open",
        "overdue", "treated_within_deadline_rate", "average_delay_days", "median_delay_days", "appeals", "duplicates",
    )  # fmt: skip
    return [label, *(s.get(name) for name in names)]


def _participants_header(first: str) -> list[str]:
    return [
        first,
        _("Activités"),
        _("Femmes"),
        _("Hommes"),
        _("Sexe non précisé"),
        _("Total participants"),
        _("Participants vulnérables"),
    ]


def _participants_row(label: str, p: dict) -> list:
    return [label, *(p.get(name) for name in ("activities", "women", "men", "unspecified", "total", "vulnerable"))]


def semester_report_tables(data: dict) -> list[ReportTable]:
    """The report as tables, in the user's language, from assembled data or a snapshot."""
    meta = data.get("metadata", {})
    tables = [
        ReportTable(
            "metadata",
            _("Le rapport"),
            _("Rapport"),
            [_("Rubrique"), _("Valeur")],
            [
                [_("Période"), meta.get("label")],
                [_("Du"), _day(meta.get("period_start"))],
                [_("Au"), _day(meta.get("period_end"))],
                [_("Données calculées le"), moment(meta.get("generated_at"))],
                [_("Situation au"), _day(meta.get("as_of"))],
                [_("Méthodologie"), meta.get("methodology")],
            ],
        )
    ]

    grievances = data.get("grievances", {})
    tables.append(
        ReportTable(
            "grievances",
            _("Réclamations — ensemble du semestre"),
            _("Réclamations"),
            _grievance_header(_("Période")),
            [_grievance_row(meta.get("label", ""), grievances.get("total", {}))],
            note=_(
                "Hors doublons et hors cas sensibles VBG/EAS/HS ; délais selon la date de clôture retenue (§6.3.2)."
            ),
        )
    )
    breakdowns = (
        ("by_programme", "programme", _("Réclamations par programme"), _("Récl. par programme"), _("Programme")),
        ("by_channel_group", "channel_group", _("Réclamations web et hors web"), _("Récl. web - hors web"), _("Canal")),
        ("by_region", "region", _("Réclamations par région"), _("Récl. par région"), _("Région")),
        ("by_sex", "sex", _("Réclamations par sexe du réclamant"), _("Récl. par sexe"), _("Sexe")),
        ("by_month", "month", _("Réclamations par mois de réception"), _("Récl. par mois"), _("Mois")),
    )
    for name, group, title, sheet, first in breakdowns:
        rows = [_grievance_row(_group_label(group, row.get("key")), row) for row in grievances.get(name, [])]
        tables.append(ReportTable(f"grievances-{name.replace('_', '-')}", title, sheet, _grievance_header(first), rows))
        if name == "by_programme":
            tables.append(
                ReportTable(
                    "grievances-by-category",
                    _("Réclamations par catégorie"),
                    _("Récl. par catégorie"),
                    _grievance_header(_("Programme · catégorie")),
                    [
                        _grievance_row(f"{row.get('programme')} · {_group_label('category', row.get('key'))}", row)
                        for row in grievances.get("by_category", [])
                    ],
                )
            )

    activities = data.get("activities", {})
    tables.append(
        ReportTable(
            "activities-by-type",
            _("Activités de mobilisation par type"),
            _("Activités par type"),
            _participants_header(_("Type")),
            [
                *(
                    _participants_row(_choice(EngagementActivity.Type, row.get("key")), row)
                    for row in activities.get("by_type", [])
                ),
                _participants_row(_("Total"), activities.get("total", {})),
            ],
        )
    )
    tables.append(
        ReportTable(
            "activities-by-programme",
            _("Activités de mobilisation par programme"),
            _("Activités par programme"),
            _participants_header(_("Programme")),
            [
                _participants_row(row.get("key") or _("Sans programme"), row)
                for row in activities.get("by_programme", [])
            ],
            note=_("Une activité concernant plusieurs programmes est comptée pour chacun d'eux."),
        )
    )
    tables.append(
        ReportTable(
            "activities",
            _("Activités tenues pendant le semestre"),
            _("Activités"),
            [
                _("Intitulé"),
                _("Type"),
                _("Début"),
                _("Fin"),
                _("Lieu"),
                _("Programmes"),
                _("Femmes"),
                _("Hommes"),
                _("Sexe non précisé"),
                _("Total participants"),
                _("Participants vulnérables"),
            ],
            [
                [
                    a.get("title"),
                    _choice(EngagementActivity.Type, a.get("type")),
                    _day(a.get("start_date")),
                    _day(a.get("end_date")),
                    a.get("place") or (_("En ligne") if a.get("online") else None),
                    ", ".join(a.get("programmes", [])) or None,
                    a.get("women"),
                    a.get("men"),
                    a.get("unspecified"),
                    a.get("total"),
                    a.get("vulnerable"),
                ]
                for a in activities.get("items", [])
            ],
        )
    )
    tables.append(
        ReportTable(
            "concerns",
            _("Préoccupations soulevées et réponses apportées"),
            _("Préoccupations"),
            [
                _("Thème"),
                _("Soulevée par"),
                _("Activité"),
                _("Date"),
                _("Préoccupation ou avis"),
                _("Réponse apportée"),
                _("Action de suivi"),
            ],
            [
                [
                    c.get("theme"),
                    c.get("group"),
                    c.get("activity_title"),
                    _day(c.get("activity_date")),
                    c.get("description"),
                    c.get("answer") or None,
                    c.get("follow_up_action"),
                ]
                for c in data.get("concerns", [])
            ],
        )
    )
    campaigns = data.get("campaigns", {})
    tables.append(
        ReportTable(
            "campaigns",
            _("Campagnes de communication et exécution budgétaire (MAD TTC)"),
            _("Campagnes"),
            [
                _("Campagne"),
                _("Programme"),
                _("Organisme responsable"),
                _("Début"),
                _("Fin"),
                _("Budget prévu"),
                _("Dépense réelle"),
                _("Taux d'exécution (%)"),
            ],
            [
                *(
                    [
                        c.get("title"),
                        c.get("programme"),
                        c.get("responsible"),
                        _day(c.get("start_date")),
                        _day(c.get("end_date")),
                        _amount(c.get("planned")),
                        _amount(c.get("actual")),
                        _amount(c.get("execution_rate")),
                    ]
                    for c in campaigns.get("items", [])
                ),
                [
                    _("Total"),
                    None,
                    None,
                    None,
                    None,
                    _amount(campaigns.get("planned_total")),
                    _amount(campaigns.get("actual_total")),
                    _amount(campaigns.get("execution_rate")),
                ],
            ],
        )
    )
    tables.append(
        ReportTable(
            "corrective-actions",
            _("Actions correctives et leur avancement"),
            _("Actions correctives"),
            [
                _("Action"),
                _("Programme"),
                _("Responsable"),
                _("État"),
                _("Échéance"),
                _("Réalisée le"),
                _("En retard"),
                _("Dernière note d'avancement"),
                _("Note du"),
                _("Avancement (%)"),
            ],
            [
                [
                    a.get("title"),
                    a.get("programme"),
                    a.get("owner"),
                    _choice(CorrectiveAction.Status, a.get("status")),
                    _day(a.get("due_on")),
                    _day(a.get("completed_on")),
                    _("Oui") if a.get("overdue") else _("Non"),
                    a.get("latest_note"),
                    _day(a.get("latest_note_at")),
                    a.get("percent_done"),
                ]
                for a in data.get("corrective_actions", [])
            ],
        )
    )
    sensitive = data.get("sensitive_cases", {})
    tables.append(
        ReportTable(
            "sensitive-cases",
            _("Plaintes VBG/EAS/HS — agrégats anonymes"),
            _("VBG-EAS-HS"),
            [_("Indicateur"), _("Nombre")],
            [
                [_("Cas reçus pendant le semestre"), sensitive.get("received")],
                [_("Cas orientés vers un prestataire spécialisé"), sensitive.get("referred")],
                [_("Cas orientés dans le délai"), sensitive.get("referred_within_deadline")],
                *(
                    [
                        _("Auteur présumé lié au projet : %(answer)s")
                        % {"answer": _choice(SensitiveCase.Linked, row.get("key"))},
                        row.get("count"),
                    ]
                    for row in sensitive.get("by_perpetrator_linked", [])
                ),
            ],
            note=_(
                "« <5 » : effectif inférieur à 5, masqué ; « n.c. » : masqué pour qu'un petit effectif ne puisse "
                "pas être retrouvé par différence. Aucune donnée individuelle n'est présentée."
            ),
        )
    )
    return tables
