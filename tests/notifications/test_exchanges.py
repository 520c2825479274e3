"""The « Échanges » panel of the file (issue 18): every message with its status, recorded
exchanges, resend of a failed message, delivery receipts, commitments notified, two queues."""

import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grievances.queues import QUEUES_BY_SLUG
from grievances.selectors import grievance_queue_for_user
from notifications.models import Exchange, OutboxMessage
from notifications.services import idempotency_key, notification_send

FAILING = "notifications.backends.FailOnPatternSmsBackend"


@pytest.fixture
def gateway(settings):
    """The test gateway: refuses numbers ending in 999, keeps the others in memory."""
    settings.PMPP_SMS_BACKEND = FAILING
    settings.PMPP_SMS_FAIL_PATTERN = r"999$"
    settings.PMPP_SMS_PASS_BACKEND = "notifications.backends.LocmemSmsBackend"


def _file(client, grievance) -> str:
    response = client.get(reverse("grievances:detail", args=[grievance.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _send_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        notification_send(message_id=pk)


def test_the_file_shows_each_message_with_its_delivery_status(client, walk, salma, gateway):
    grievance = walk.register()
    client.force_login(salma)

    page = _file(client, grievance)
    assert 'id="exchanges"' in page
    assert 'data-status="pending"' in page
    assert "À envoyer" in page

    _send_all()
    page = _file(client, grievance)
    assert 'data-status="sent"' in page
    assert "Accusé de réception" in page


def test_a_failed_message_shows_the_gateway_reason_and_is_resent_to_the_corrected_number(
    client, walk, salma, gateway, sms_outbox, caplog
):
    grievance = walk.register(phone="+212612345999")
    _send_all()
    failed = OutboxMessage.objects.get()
    assert failed.status == "failed"  # a permanent refusal fails at once, no retries
    assert "999" not in failed.last_error
    assert "refusé par la passerelle" in failed.last_error
    client.force_login(salma)
    page = _file(client, grievance)
    assert 'data-status="failed"' in page
    assert "Numéro refusé par la passerelle" in page
    assert "Renvoyer" in page
    assert grievance in grievance_queue_for_user(
        user=salma, queue=QUEUES_BY_SLUG["messages-en-echec"], today=timezone.localdate()
    )

    grievance.complainant_phone = "+212612345678"
    grievance.save()
    with caplog.at_level(logging.INFO):
        response = client.post(
            reverse("grievances:message_resend", args=[grievance.pk, failed.pk]), {"reason": "Numéro corrigé"}
        )
    assert response.status_code == 302
    again = OutboxMessage.objects.get(resend_of=failed)
    assert (again.created_by, again.resend_reason, again.address) == (salma, "Numéro corrigé", "+212612345678")
    _send_all()
    again.refresh_from_db()
    assert again.status == "sent"
    assert sms_outbox[-1]["to"] == "+212612345678"
    page = _file(client, grievance)
    assert "Renvoi par" in page
    assert "Numéro corrigé" in page
    assert 'data-status="sent"' in page
    assert grievance not in grievance_queue_for_user(
        user=salma, queue=QUEUES_BY_SLUG["messages-en-echec"], today=timezone.localdate()
    )
    # Resent once only; and no number in the logs.
    second = client.post(reverse("grievances:message_resend", args=[grievance.pk, failed.pk]), {"reason": "Encore"})
    assert second.status_code == 302
    assert OutboxMessage.objects.filter(resend_of=failed).count() == 1
    assert "612345" not in caplog.text


def test_only_an_authorised_user_may_resend(client, walk, youssef, gateway):
    grievance = walk.register(phone="+212612345999")
    _send_all()
    failed = OutboxMessage.objects.get()
    client.force_login(youssef)  # a case handler: sees the file, may not resend
    client.post(reverse("grievances:message_resend", args=[grievance.pk, failed.pk]), {"reason": "Essai"})
    assert not OutboxMessage.objects.filter(resend_of=failed).exists()
    assert "Renvoyer" not in _file(client, grievance)


def test_staff_alerts_stay_off_the_file(client, walk, salma):
    from notifications.models import DeadlineAlert
    from notifications.services import notification_queue_staff_alert

    grievance = walk.register()
    alert = DeadlineAlert.objects.create(grievance=grievance, kind="overdue", due_on=grievance.due_on)
    notification_queue_staff_alert(alert=alert, user=salma, context={"reference": grievance.reference})
    client.force_login(salma)
    page = _file(client, grievance)
    assert page.count("data-message=") == 1  # the acknowledgement only


def test_an_agent_records_a_call_and_it_is_in_the_panel_and_in_history(client, walk, salma):
    grievance = walk.register()
    client.force_login(salma)
    response = client.post(
        reverse("grievances:exchange_add", args=[grievance.pk]),
        {"kind": "inbound_call", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "summary": "Relance"},
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.kind, exchange.recorded_by) == ("inbound_call", salma)
    assert exchange.history.get().history_user == salma
    page = _file(client, grievance)
    assert "Appel reçu" in page
    assert "Relance" in page


def test_an_exchange_needs_its_kind_chosen(client, walk, salma):
    grievance = walk.register()
    client.force_login(salma)
    client.post(
        reverse("grievances:exchange_add", args=[grievance.pk]),
        {"kind": "", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "summary": "x"},
    )
    assert not Exchange.objects.exists()


def test_the_gateway_reports_delivery_through_the_authenticated_webhook(client, walk, settings):
    settings.PMPP_DELIVERY_WEBHOOK_TOKEN = "s3cret"
    walk.register()
    _send_all()
    message = OutboxMessage.objects.get()
    url = reverse("notifications:delivery_receipt")
    body = json.dumps({"key": idempotency_key(message)})
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    wrong = json.dumps({"key": f"pmpp-{message.pk}-20200101000000000000"})
    assert (
        client.post(url, wrong, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 404
    )
    ok = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret")
    assert ok.status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"
    assert message.delivered_at is not None


def test_a_commitment_is_notified_when_its_message_is_sent_not_when_queued(client, walk, salma):
    grievance = walk.committed()
    commitment = grievance.commitments.get()
    assert commitment.notified_at is None
    assert grievance in grievance_queue_for_user(
        user=salma, queue=QUEUES_BY_SLUG["engagements-a-notifier"], today=timezone.localdate()
    )
    client.force_login(salma)
    page = _file(client, grievance)
    assert 'id="commitment-message-state"' in page  # the message queued with it is on its way
    assert "Envoyer maintenant par SMS/e-mail" not in page  # nothing sent twice

    _send_all()
    commitment.refresh_from_db()
    message = OutboxMessage.objects.get(event="commitment")
    assert commitment.notified_at == message.sent_at
    assert grievance not in grievance_queue_for_user(
        user=salma, queue=QUEUES_BY_SLUG["engagements-a-notifier"], today=timezone.localdate()
    )


def test_send_now_after_the_commitment_message_failed(client, walk, salma, gateway):
    grievance = walk.committed(phone="+212612345999")
    _send_all()
    failed = OutboxMessage.objects.get(event="commitment")
    assert failed.status == "failed"
    grievance.complainant_phone = "+212612345678"
    grievance.save()
    client.force_login(salma)
    page = _file(client, grievance)
    assert "Envoyer maintenant par SMS/e-mail" in page
    assert "informé par téléphone" in page
    commitment = grievance.commitments.get()
    client.post(reverse("grievances:notify_commitment", args=[grievance.pk, commitment.pk]), {"action": "send"})
    again = OutboxMessage.objects.get(event="commitment", status="pending")
    assert (again.resend_of, again.created_by) == (failed, salma)
    _send_all()
    commitment.refresh_from_db()
    assert commitment.notified_at is not None


def test_the_complainant_told_by_phone_is_an_exchange_and_notifies_the_commitment(client, walk, salma):
    grievance = walk.committed()
    commitment = grievance.commitments.get()
    client.force_login(salma)
    when = timezone.localtime().replace(second=0, microsecond=0)
    client.post(
        reverse("grievances:notify_commitment", args=[grievance.pk, commitment.pk]),
        {"action": "phone", "occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "summary": ""},
    )
    commitment.refresh_from_db()
    assert commitment.notified_at == when
    exchange = Exchange.objects.get()
    assert (exchange.kind, exchange.commitment) == ("callback", commitment)
    # Sending the queued message afterwards keeps the telephone date.
    _send_all()
    commitment.refresh_from_db()
    assert commitment.notified_at == when


def test_no_choice_is_made_for_the_agent(client, walk, salma):
    grievance = walk.committed()
    commitment = grievance.commitments.get()
    client.force_login(salma)
    client.post(reverse("grievances:notify_commitment", args=[grievance.pk, commitment.pk]), {})
    commitment.refresh_from_db()
    assert commitment.notified_at is None
    assert not Exchange.objects.exists()


def test_the_queues_respect_visibility(walk, gateway, rachid):
    grievance = walk.register(phone="+212612345999")
    _send_all()
    today = timezone.localdate()
    assert grievance not in grievance_queue_for_user(
        user=rachid, queue=QUEUES_BY_SLUG["messages-en-echec"], today=today
    )


def test_a_sensitive_husk_shows_no_exchange(walk, django_assert_num_queries):
    from grievances.models import Grievance
    from notifications.selectors import grievance_exchanges

    grievance = walk.register()
    Grievance.objects.filter(pk=grievance.pk).update(status=Grievance.Status.SENSITIVE)  # the husk, as flagged
    husk = Grievance.objects.get(pk=grievance.pk)
    with django_assert_num_queries(0):
        assert grievance_exchanges(grievance=husk).entries == []


def test_the_file_page_reads_its_exchanges_in_a_bounded_number_of_queries(client, walk, salma, gateway):
    few = walk.committed()
    many = walk.committed(phone="+212612345999")
    _send_all()
    for _ in range(5):
        Exchange.objects.create(
            grievance=many, kind="visit", occurred_at=timezone.now(), summary="Visite", recorded_by=salma
        )
    client.force_login(salma)
    counts = []
    for g in (few, many):
        with CaptureQueriesContext(connection) as queries:
            _file(client, g)
        counts.append(len(queries))
    assert counts[0] == counts[1]
