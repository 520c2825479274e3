"""Reads of the stakeholder registry and the engagement evidence (SPEC §3, §4).

Every list, detail, export and alert of the registry screens reads through here, so that
`select_related` / `prefetch_related` are decided once and a list page issues the same
number of queries whatever its length.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stakeholders.models import (
    BudgetLine,
    Campaign,
    Concern,
    CorrectiveAction,
    DisclosedDocument,
    EngagementActivity,
    MandateVerification,
    Minutes,
    MinutesAttachment,
    ProgressNote,
    Representative,
    Risk,
    Stakeholder,
    StakeholderGroup,
)

# A mandate expiring within this many days is shown for re-verification (§3.2: legitimacy
# must be verified, so the focal point checks it again before it lapses, not after).
MANDATE_WARNING_DAYS = 30
_OPEN_ACTION_STATES = (CorrectiveAction.Status.OPEN, CorrectiveAction.Status.IN_PROGRESS)


# The fields that hold a person's contact details (Law 09-08): a page, form or export that shows
# one of them filled in is a read of that person's data, logged in privacy.PersonalDataAccess.
CONTACT_FIELDS: dict[type, tuple[str, ...]] = {
    Stakeholder: ("contact_name", "email", "phone", "address"),
    Representative: ("contact",),
}


def has_contact(obj: Stakeholder | Representative) -> bool:
    return any(getattr(obj, name) for name in CONTACT_FIELDS[type(obj)])


def with_contact(rows: QuerySet) -> QuerySet:
    """The rows of `rows` (stakeholders or representatives) that have a contact filled in."""
    filled = Q()
    for name in CONTACT_FIELDS[rows.model]:
        filled |= ~Q(**{name: ""})
    return rows.filter(filled)


# --- lists -----------------------------------------------------------------------------------------------


def group_list() -> QuerySet[StakeholderGroup]:
    return StakeholderGroup.objects.prefetch_related("programmes")


def stakeholder_list() -> QuerySet[Stakeholder]:
    return Stakeholder.objects.select_related("organisation", "region").prefetch_related("groups", "programmes")


def _last_verification(field: str) -> Subquery:
    """One column of a representative's latest verification (latest date, then latest entry)."""
    return Subquery(
        MandateVerification.objects.filter(representative=OuterRef("pk"))
        .order_by("-verified_on", "-id")
        .values(field)[:1]
    )


def representative_list() -> QuerySet[Representative]:
    """Representatives with their latest verification as `last_verified_on`, `last_outcome`, `last_expires_on`."""
    return Representative.objects.select_related("group", "stakeholder").annotate(
        last_verified_on=_last_verification("verified_on"),
        last_outcome=_last_verification("outcome"),
        last_expires_on=_last_verification("expires_on"),
    )


def activity_list() -> QuerySet[EngagementActivity]:
    return EngagementActivity.objects.select_related("organiser").prefetch_related("programmes")


def _line_total(field: str) -> Coalesce:
    total = (
        BudgetLine.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum(field))
        .values("total")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    return Coalesce(Subquery(total, output_field=money), Value(Decimal("0")), output_field=money)


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns with `planned_total` and `actual_total` (subqueries: filters on groups never double a sum)."""
    return Campaign.objects.select_related("programme", "responsible").annotate(
        planned_total=_line_total("planned_amount"), actual_total=_line_total("actual_amount")
    )


def corrective_action_list() -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.select_related("owner_organisation", "programme", "source_activity")


def risk_list() -> QuerySet[Risk]:
    return Risk.objects.all()


def document_list() -> QuerySet[DisclosedDocument]:
    return DisclosedDocument.objects.select_related("programme")


# --- alerts of the focal point ---------------------------------------------------------------------------


def corrective_actions_overdue(*, today: date | None = None) -> QuerySet[CorrectiveAction]:
    """Actions not done nor abandoned whose due date has passed (§7: reported in the semester report)."""
    today = today or timezone.localdate()
    return corrective_action_list().filter(status__in=_OPEN_ACTION_STATES, due_on__lt=today).order_by("due_on", "id")


def mandates_to_reverify(*, today: date | None = None) -> QuerySet[Representative]:
    """Active representatives whose mandate must be checked (again), §3.2.

    Due when never verified, when the latest verification did not confirm the mandate,
    when the confirmed mandate has expired, or when it expires within
    MANDATE_WARNING_DAYS days. A confirmed mandate without an end date stays valid.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=MANDATE_WARNING_DAYS)
    return (
        representative_list()
        .filter(is_active=True)
        .filter(
            Q(last_outcome__isnull=True)
            | ~Q(last_outcome=MandateVerification.Outcome.CONFIRMED)
            | Q(last_expires_on__lte=horizon)
        )
        .order_by(F("last_expires_on").asc(nulls_first=True), "name", "id")
    )


def mandate_status(representative: Representative, *, today: date | None = None) -> tuple[str, str]:
    """(code, French label) of a representative annotated by `representative_list`.

    Codes: never, not_confirmed, expired, expiring, valid.
    """
    today = today or timezone.localdate()
    outcome, expires_on = representative.last_outcome, representative.last_expires_on
    if outcome is None:
        return "never", _("Jamais vérifié")
    if outcome != MandateVerification.Outcome.CONFIRMED:
        return "not_confirmed", str(MandateVerification.Outcome(outcome).label)
    if expires_on is not None and expires_on < today:
        return "expired", _("Expiré depuis le %(date)s") % {"date": expires_on.strftime("%d/%m/%Y")}
    if expires_on is not None and expires_on <= today + timedelta(days=MANDATE_WARNING_DAYS):
        return "expiring", _("Expire le %(date)s") % {"date": expires_on.strftime("%d/%m/%Y")}
    if expires_on is not None:
        return "valid", _("Valide jusqu'au %(date)s") % {"date": expires_on.strftime("%d/%m/%Y")}
    return "valid", _("Valide")


def registry_counts() -> dict[str, int]:
    """The figures of the registry home page."""
    return {
        "groups": StakeholderGroup.objects.count(),
        "stakeholders": Stakeholder.objects.filter(is_active=True).count(),
        "representatives": Representative.objects.filter(is_active=True).count(),
        "activities": EngagementActivity.objects.count(),
        "campaigns": Campaign.objects.count(),
        "open_actions": CorrectiveAction.objects.filter(status__in=_OPEN_ACTION_STATES).count(),
        "active_risks": Risk.objects.filter(status=Risk.Status.ACTIVE).count(),
    }


# --- details ---------------------------------------------------------------------------------------------


def activity_minutes(*, activity: EngagementActivity) -> list[Minutes]:
    """Every version of an activity's minutes, newest first, with who wrote and validated it and its files."""
    return list(
        Minutes.objects.filter(activity=activity)
        .select_related("written_by", "validated_by", "corrects")
        .prefetch_related(Prefetch("attachments", queryset=MinutesAttachment.objects.select_related("uploaded_by")))
        .order_by("-version")
    )


def activity_concerns(*, activity: EngagementActivity) -> list[Concern]:
    return list(activity.concerns.select_related("raised_by", "follow_up_action").order_by("id"))


def action_notes(*, action: CorrectiveAction) -> list[ProgressNote]:
    return list(action.notes.select_related("author").order_by("-created_at", "-id"))


@dataclass(frozen=True)
class CampaignBudget:
    """A campaign's budget lines with their totals, in MAD TTC."""

    lines: list[BudgetLine]
    planned_total: Decimal
    actual_total: Decimal

    @property
    def execution_rate(self) -> Decimal | None:
        return execution_rate(planned=self.planned_total, actual=self.actual_total)

    @property
    def rows(self) -> list[tuple[BudgetLine, Decimal | None]]:
        """Each line with its own execution rate."""
        return [(line, execution_rate(planned=line.planned_amount, actual=line.actual_amount)) for line in self.lines]


def execution_rate(*, planned: Decimal, actual: Decimal) -> Decimal | None:
    """Actual spend as a percentage of the planned budget, one decimal; None without a budget."""
    if not planned:
        return None
    return (Decimal(actual) * 100 / Decimal(planned)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def campaign_budget(*, campaign: Campaign) -> CampaignBudget:
    lines = list(campaign.lines.order_by("position", "id"))
    return CampaignBudget(
        lines=lines,
        planned_total=sum((line.planned_amount for line in lines), Decimal("0")),
        actual_total=sum((line.actual_amount for line in lines), Decimal("0")),
    )


# --- history (read-only, SPEC §5.6) ----------------------------------------------------------------------

_KIND = {"+": gettext_lazy("Création"), "~": gettext_lazy("Modification"), "-": gettext_lazy("Suppression")}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    why: str
    subject: str


def _echo(previous, row) -> bool:
    """The second row that django-simple-history writes when a save is followed by save_m2m().

    It carries the same user and reason a moment later; shown twice, one change would read
    as two.
    """
    return (
        previous is not None
        and row.history_type == "~"
        and row.history_user_id == previous.history_user_id
        and row.history_change_reason == previous.history_change_reason
        and row.history_date - previous.history_date < timedelta(seconds=2)
    )


def history_for(*sources) -> list[HistoryEntry]:
    """Who did what, when and why, for one object and the rows that belong to it, newest first.

    Each source is (subject, historical queryset); the subject is a text or a function of
    the history row. One query per source, whatever the length of the story.
    """
    entries = []
    for subject, rows in sources:
        previous = {}
        for row in rows.select_related("history_user").order_by("history_id"):
            if _echo(previous.get(row.id), row):
                continue
            previous[row.id] = row
            user = row.history_user
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=(user.get_full_name() or user.username) if user else _("Système"),
                    what=str(_KIND.get(row.history_type, "")),
                    why=row.history_change_reason or "",
                    subject=subject(row) if callable(subject) else str(subject),
                )
            )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
