"""The deadline sweep: due soon, overdue, escalation, GBV referrals; idempotent (SPEC §5.3)."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails, grievance_register
from notifications.models import DeadlineAlert, OutboxMessage
from notifications.services import notification_send_due
from notifications.sweep import deadline_sweep
from pmpp import roles
from pmpp.models import Channel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _with_email(*users):
    for user in users:
        user.email = f"{user.username}@cnra.example"
        user.save(update_fields=["email"])


@pytest.fixture
def hassan(db):
    """Head of beneficiary services at CNSS (AMO TADAMON): not concerned by CNRA's Tayssir cases."""
    user = UserFactory(username="hassan", role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=[("cnss", "amo-tadamon")])
    _with_email(user)
    return user


@pytest.fixture
def assigned(walk, salma, youssef, nadia, karim, leila, meryem, hassan):
    """A Tayssir grievance routed to the CNRA payments unit and assigned to Youssef."""
    _with_email(salma, youssef, nadia, karim, leila, meryem)
    grievance = walk.routed()
    return wf.grievance_assign(grievance=grievance, actor=nadia, assignee=youssef)


def _recipients(kind: str) -> set[str]:
    return set(OutboxMessage.objects.filter(alert__kind=kind).values_list("recipient_user__username", flat=True))


def test_a_grievance_due_soon_alerts_its_assignee_and_the_head_of_beneficiary_services(assigned):
    counts = deadline_sweep(now=_noon(assigned.due_on - timedelta(days=1)))

    assert counts == {"due_soon": 1}
    alert = DeadlineAlert.objects.get()
    assert (alert.grievance, alert.kind, alert.due_on) == (assigned, "due_soon", assigned.due_on)
    assert _recipients("due_soon") == {"youssef", "nadia"}
    message = OutboxMessage.objects.get(recipient_user__username="youssef")
    assert (message.channel, message.address, message.language) == ("email", "youssef@cnra.example", "fr")
    assert assigned.reference in message.text
    assert "arrive à échéance" in message.text
    assert assigned.complainant_name not in message.text


def test_the_sweep_changes_no_grievance(assigned):
    history_rows = assigned.history.count()

    deadline_sweep(now=_noon(assigned.due_on + timedelta(days=5)))

    assigned.refresh_from_db()
    assert assigned.status == "routed"
    assert assigned.history.count() == history_rows


def test_an_overdue_grievance_is_escalated_to_the_head_only_after_the_configured_delay(assigned, settings):
    settings.PMPP_ESCALATION_DAYS = 3

    assert deadline_sweep(now=_noon(assigned.due_on + timedelta(days=1))) == {"overdue": 1}
    assert _recipients("overdue") == {"youssef", "nadia"}
    assert deadline_sweep(now=_noon(assigned.due_on + timedelta(days=2))) == {}

    assert deadline_sweep(now=_noon(assigned.due_on + timedelta(days=3))) == {"escalated": 1}
    # The head of the managing organisation (CNRA), not the assignee, not CNSS's head.
    assert _recipients("escalated") == {"nadia"}
    text = OutboxMessage.objects.get(alert__kind="escalated").text
    assert "Escalade" in text
    assert "en retard de 3 jours" in text


def test_running_the_sweep_twice_gives_the_same_rows_and_no_second_message(assigned):
    later = _noon(assigned.due_on + timedelta(days=4))
    deadline_sweep(now=later)
    notification_send_due()
    alerts = list(DeadlineAlert.objects.order_by("pk").values_list("pk", "kind", "due_on"))
    messages = list(OutboxMessage.objects.order_by("pk").values_list("pk", "status"))
    sent = len(mail.outbox)
    assert {kind for _pk, kind, _due in alerts} == {"overdue", "escalated"}
    assert sent == 3  # overdue: youssef and nadia; escalated: nadia

    assert deadline_sweep(now=later) == {}
    notification_send_due()

    assert list(DeadlineAlert.objects.order_by("pk").values_list("pk", "kind", "due_on")) == alerts
    assert list(OutboxMessage.objects.order_by("pk").values_list("pk", "status")) == messages
    assert len(mail.outbox) == sent


def test_a_user_without_email_is_recorded_not_alerted(assigned, youssef):
    youssef.email = ""
    youssef.save(update_fields=["email"])

    deadline_sweep(now=_noon(assigned.due_on + timedelta(days=1)))

    message = OutboxMessage.objects.get(recipient_user=youssef)
    assert (message.status, message.address) == ("not_sendable", "")


def test_closed_grievances_raise_no_alert(walk, nadia):
    _with_email(nadia)
    closed = walk.closed()

    assert deadline_sweep(now=_noon(closed.due_on + timedelta(days=10))) == {}


def test_an_overdue_gbv_referral_alerts_the_gbv_referent_only(walk, salma, nadia, leila, meryem):
    _with_email(salma, nadia, leila, meryem)
    nature = "Propos déplacés d'un agent lors du paiement"
    case = grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,
        description="",
        sensitive=SensitiveDetails(nature=nature),
    ).sensitive_case

    assert deadline_sweep(now=case.referral_due_at - timedelta(hours=1)) == {}
    assert deadline_sweep(now=case.referral_due_at + timedelta(hours=1)) == {"referral_overdue": 1}
    assert deadline_sweep(now=case.referral_due_at + timedelta(hours=30)) == {}

    alert = DeadlineAlert.objects.get()
    assert (alert.sensitive_case, alert.grievance, alert.kind) == (case, None, "referral_overdue")
    message = OutboxMessage.objects.get()
    assert message.recipient_user == meryem
    assert case.reference in message.text
    assert "orientation en retard" in message.text
    assert nature not in message.text
    assert "Propos" not in message.text + message.subject


def test_the_management_command_can_run_any_number_of_times(walk, nadia):
    _with_email(nadia)
    received = timezone.now() - timedelta(days=20)
    grievance = walk.register(channel=Channel.objects.get(code="web-portal"), received_at=received)
    assert grievance.due_on < timezone.localdate()

    out = io.StringIO()
    call_command("sweep_deadlines", stdout=out)
    first = list(DeadlineAlert.objects.values_list("kind", flat=True).order_by("kind"))
    call_command("sweep_deadlines", stdout=out)

    assert out.getvalue().splitlines() == ["escalated: 1, overdue: 1", "aucune nouvelle alerte"]

    assert first == ["escalated", "overdue"]
    assert list(DeadlineAlert.objects.values_list("kind", flat=True).order_by("kind")) == first
