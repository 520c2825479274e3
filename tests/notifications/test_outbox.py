"""What is queued for the complainant, on which channel, in which words (PMPP §6.1, §6.2.4)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.template.loader import get_template
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails, grievance_register
from notifications.models import OutboxMessage
from pmpp.models import Channel

pytestmark = pytest.mark.django_db


def _channel(code: str) -> Channel:
    return Channel.objects.get(code=code)


def test_a_call_centre_intake_queues_one_bilingual_acknowledgement_by_sms(walk):
    grievance = walk.register()

    message = OutboxMessage.objects.get()
    assert (message.event, message.channel, message.address) == ("acknowledgement", "sms", "+212612345678")
    assert (message.recipient_kind, message.status, message.grievance) == ("complainant", "pending", grievance)
    assert grievance.reference in message.text
    assert "Votre réclamation a bien été enregistrée" in message.text
    assert "تم تسجيل شكايتكم" in message.text
    assert f"{grievance.due_on:%d/%m/%Y}" in message.text
    # Personal data stays out of the text: the reference is the handle.
    assert grievance.complainant_cnie not in message.text
    assert grievance.complainant_name not in message.text


def test_a_web_intake_with_an_email_is_acknowledged_by_email(walk):
    grievance = walk.register(channel=_channel("web-portal"), phone="", email="fatima@example.ma")

    message = OutboxMessage.objects.get(grievance=grievance)
    assert (message.channel, message.address) == ("email", "fatima@example.ma")
    assert grievance.reference in message.subject


def test_the_preferred_contact_wins_over_the_intake_channel(walk):
    grievance = walk.register(email="fatima@example.ma", preferred_contact="email")

    assert OutboxMessage.objects.get(grievance=grievance).channel == "email"


def test_a_walk_in_without_phone_or_email_is_recorded_as_not_sendable(walk):
    grievance = walk.register(channel=_channel("walk-in"), phone="")

    message = OutboxMessage.objects.get(grievance=grievance)
    assert (message.status, message.channel, message.address) == ("not_sendable", "", "")
    assert message.last_error  # says why, for the agent


def test_an_anonymous_complainant_gets_nothing(walk):
    walk.register(is_anonymous=True, cnie="", phone="", name="")

    assert not OutboxMessage.objects.exists()


def test_a_duplicate_is_not_acknowledged_a_second_time(walk):
    duplicate = walk.duplicate()

    assert duplicate.status == "duplicate"
    assert OutboxMessage.objects.count() == 1
    assert not OutboxMessage.objects.filter(grievance=duplicate).exists()


def test_a_sensitive_intake_queues_nothing_for_anyone(walk):
    result = grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,
        description="",
        phone="0612345678",
        sensitive=SensitiveDetails(nature="Propos déplacés d'un agent"),
    )

    assert result.sensitive_case is not None
    assert not OutboxMessage.objects.exists()


def test_a_grievance_flagged_sensitive_withdraws_its_messages_and_erases_the_address(walk):
    grievance = walk.register()

    walk_sensitive = wf.grievance_flag_sensitive(
        grievance=grievance, actor=walk.agent, details=SensitiveDetails(nature="Propos déplacés")
    )

    assert walk_sensitive.pk
    message = OutboxMessage.objects.get(grievance=grievance)
    assert (message.status, message.address, message.text) == ("cancelled", "", "")


def test_a_rolled_back_intake_leaves_no_message_and_enqueues_nothing(walk, django_capture_on_commit_callbacks):
    def register_then_fail() -> None:
        with transaction.atomic():
            walk.register()
            raise RuntimeError("the caller fails after the intake")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        register_then_fail()

    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert not DBTaskResult.objects.exists()


def test_a_committed_intake_enqueues_the_sending_task(walk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk.register()

    task = DBTaskResult.objects.get()
    assert task.task_path == "notifications.tasks.send_outbox_message"
    assert task.args_kwargs["args"] == [OutboxMessage.objects.get().pk]


def test_the_commitment_date_is_sent_and_a_renewed_date_again(walk):
    grievance = walk.committed()
    first = grievance.commitments.get()
    wf.commitment_break(grievance=grievance, actor=walk.handler, reason="Retard bancaire")
    new_date = timezone.localdate() + timedelta(days=7)
    wf.commitment_renew(grievance=grievance, actor=walk.handler, promised_on=new_date, reason="Virement relancé")

    messages = list(OutboxMessage.objects.filter(event="commitment").order_by("pk"))
    assert len(messages) == 2
    assert f"{first.promised_on:%d/%m/%Y}" in messages[0].text
    assert "nouvelle date" in messages[1].text
    assert f"{new_date:%d/%m/%Y}" in messages[1].text
    assert "تاريخ جديد" in messages[1].text


def test_the_answer_to_an_unfounded_complaint_carries_the_explanation(walk):
    explanation = "Le changement de situation du ménage n'a pas été déclaré dans les délais."
    grievance = walk.analysed(outcome="unfounded")
    grievance = wf.grievance_draft_answer(
        grievance=grievance, actor=walk.agent, text="Votre dossier a été réexaminé.", explanation=explanation
    )
    grievance = wf.grievance_approve_answer(grievance=grievance, actor=walk.head)
    wf.grievance_send_answer(grievance=grievance, actor=walk.agent)

    message = OutboxMessage.objects.get(event="outcome")
    assert message.channel == "sms"
    assert "jugée non fondée" in message.text
    assert "غير مؤسَّسة" in message.text
    assert f"Explication : {explanation}" in message.text
    assert "n'a pas" in message.text  # plain text, not HTML-escaped


def test_a_founded_answer_states_the_outcome_without_an_explanation(walk):
    walk.answer_sent()

    message = OutboxMessage.objects.get(event="outcome")
    assert "jugée fondée" in message.text
    assert "Votre bourse sera versée le 15." in message.text
    assert "Explication" not in message.text


def test_an_answer_that_needs_none_sends_none(walk):
    grievance = wf.grievance_draft_answer(
        grievance=walk.analysed(),
        actor=walk.agent,
        text="",
        exception="no_answer_needed",
        exception_reason="Simple remerciement du réclamant",
    )
    grievance = wf.grievance_approve_answer(grievance=grievance, actor=walk.head)
    wf.grievance_send_answer(grievance=grievance, actor=walk.agent)

    assert not OutboxMessage.objects.filter(event="outcome").exists()


@pytest.mark.parametrize("event", OutboxMessage.Event.values)
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_event_has_a_french_and_an_arabic_template(event, language):
    text = get_template(f"notifications/{event}.{language}.txt").render(
        {"reference": "TAY-2026-000001", "programme": "Tayssir", "programme_ar": "تيسير", "days_late": 4}
    )
    assert "TAY-2026-000001" in text
    has_arabic = any("\u0600" <= char <= "\u06ff" for char in text)
    assert has_arabic is (language == "ar")
