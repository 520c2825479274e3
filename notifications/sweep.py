"""The deadline sweep (SPEC §5.3: cases due soon and overdue, the responsible people notified).

`deadline_sweep` only records alerts and queues messages; it changes no grievance. Each
alert is unique per (grievance, kind, due date), so the sweep may run any number of times
(cron, a systemd timer) and, even concurrently, raises each alert and sends each message once.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from grievances.models import Grievance, SensitiveCase
from notifications.models import DeadlineAlert
from notifications.services import notification_queue_staff_alert, programme_context
from pmpp import roles
from pmpp.models import Membership, User

Kind = DeadlineAlert.Kind


def _users_with_role(role_code: str, *, programme_id: int, organisation_id: int | None = None) -> QuerySet:
    """Active users holding the role through a membership that covers the programme."""
    covers = Q(programme_id=programme_id)
    if role_code in roles.PROJECT_WIDE_ROLES:
        covers |= Q(all_programmes=True)
    memberships = Membership.objects.filter(covers)
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    return User.objects.filter(
        is_active=True,
        groups__name=roles.ROLES_BY_CODE[role_code].group_name,
        pk__in=memberships.values("user_id"),
    ).order_by("pk")


def _recipients(grievance: Grievance, kind: str) -> list:
    """Due soon and overdue: the assignee and the head of beneficiary services of the unit's
    organisation (the programme's managing organisation before routing). Escalation: the head
    of beneficiary services of the programme's managing organisation."""
    programme = grievance.programme
    if kind == Kind.ESCALATED:
        organisation_id = programme.managing_organisation_id
    else:
        organisation_id = (
            grievance.assigned_unit.organisation_id
            if grievance.assigned_unit_id
            else programme.managing_organisation_id
        )
    people = list(
        _users_with_role(roles.HEAD_OF_BENEFICIARY_SERVICES, programme_id=programme.pk, organisation_id=organisation_id)
    )
    assignee = grievance.assigned_to
    if kind != Kind.ESCALATED and assignee is not None and assignee.is_active and assignee not in people:
        people.insert(0, assignee)
    return people


def _raise_grievance_alert(grievance: Grievance, *, kind: str, today: date) -> int:
    with transaction.atomic():
        alert, created = DeadlineAlert.objects.get_or_create(
            grievance=grievance, kind=kind, due_on=grievance.current_due_on
        )
        if not created:
            return 0
        context = {
            "reference": grievance.reference,
            **programme_context(grievance.programme),
            # The lazy label, so that each language's template shows its own.
            "status": Grievance.Status(grievance.status).label,
            "due_on": grievance.current_due_on,
            "days_late": max((today - grievance.current_due_on).days, 0),
        }
        for user in _recipients(grievance, kind):
            notification_queue_staff_alert(alert=alert, user=user, context=context)
    return 1


def _raise_referral_alert(case: SensitiveCase) -> int:
    """Only the GBV referents covering the programme, with the reference and nothing else."""
    with transaction.atomic():
        alert, created = DeadlineAlert.objects.get_or_create(
            sensitive_case=case, kind=Kind.REFERRAL_OVERDUE, due_on=timezone.localdate(case.referral_due_at)
        )
        if not created:
            return 0
        context = {"reference": case.reference, "due_at": case.referral_due_at}
        for user in _users_with_role(roles.GBV_REFERENT, programme_id=case.programme_id):
            notification_queue_staff_alert(alert=alert, user=user, context=context)
    return 1


def deadline_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Raise the alerts not raised yet; returns the number of new alerts per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due_soon_until = today + timedelta(days=settings.PMPP_DUE_SOON_DAYS)
    escalate_until = today - timedelta(days=settings.PMPP_ESCALATION_DAYS)

    def not_alerted(kind: str) -> Exists:
        alerted = DeadlineAlert.objects.filter(grievance=OuterRef("pk"), kind=kind, due_on=OuterRef("current_due_on"))
        return ~Exists(alerted)

    open_grievances = Grievance.objects.open().select_related("programme", "assigned_to", "assigned_unit")
    plans = [
        (Kind.DUE_SOON, Q(current_due_on__gte=today, current_due_on__lte=due_soon_until)),
        (Kind.OVERDUE, Q(current_due_on__lt=today)),
        (Kind.ESCALATED, Q(current_due_on__lt=today, current_due_on__lte=escalate_until)),
    ]
    counts: dict[str, int] = {}
    for kind, due in plans:
        for grievance in open_grievances.filter(due, not_alerted(kind)).order_by("current_due_on", "pk").iterator():
            counts[kind] = counts.get(kind, 0) + _raise_grievance_alert(grievance, kind=kind, today=today)

    overdue_referrals = SensitiveCase.objects.referral_overdue(now=now).exclude(
        Exists(DeadlineAlert.objects.filter(sensitive_case=OuterRef("pk"), kind=Kind.REFERRAL_OVERDUE))
    )
    for case in overdue_referrals.order_by("referral_due_at", "pk").iterator():
        counts[Kind.REFERRAL_OVERDUE] = counts.get(Kind.REFERRAL_OVERDUE, 0) + _raise_referral_alert(case)
    return {kind: count for kind, count in counts.items() if count}
