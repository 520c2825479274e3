"""The replay service: whole stories written in bulk under the rules of the live services."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from grievances.models import Commitment, Grievance
from grievances.services.intake import due_dates, grievance_register
from grievances.services.replay import NOTIFY_COMMITMENT, ReplayError, Step, Story, grievances_replay
from grievances.timeline import grievance_timeline
from pmpp import roles

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return RECEIVED + timedelta(hours=hours)


def answer(walk, start: float, *, approver=None) -> list[Step]:
    return [
        Step("draft_answer", walk.agent, at(start), {"text": "Versement effectué.", "explanation": "", "exception": "", "exception_reason": ""}),  # noqa: E501
        Step("approve_answer", approver or walk.head, at(start + 1), {"note": ""}),
        Step("send_answer", walk.agent, at(start + 2)),
        Step("close", walk.closer, at(start + 3), {"synthesis": "Réponse transmise."}),
    ]  # fmt: skip


def story(walk, steps, **extra) -> Story:
    fields = {
        "programme": walk.programme,
        "channel": walk.channel,
        "received_at": RECEIVED,
        "description": "La bourse du trimestre n'a pas été versée.",
        "created_by": walk.agent,
        "category": walk.category,
        "cnie": "AB123456",
        "phone": "0612345678",
        "name": "Fatima Zahra Benali",
        "identity_verified": True,
    } | extra
    return Story(steps=tuple(steps), **fields)


def founded_with_broken_commitment(walk) -> list[Step]:
    qualify = {"category": walk.category, "subject": "Paiement", "nature": "individual", "identity_verified": True}
    return [
        Step("qualify", walk.agent, at(1), qualify),
        Step("analyse", walk.agent, at(2), {"conclusion": "Droit confirmé.", "outcome": "founded", "unfounded_reason": None}),  # noqa: E501
        Step("route_to_unit", walk.agent, at(3), {"unit": walk.unit, "assignee": walk.handler}),
        Step("give_commitment", walk.handler, at(4), {"promised_on": at(72).date()}),
        Step(NOTIFY_COMMITMENT, walk.agent, at(5)),
        Step("break_commitment", walk.handler, at(80), {"reason": "Virement rejeté."}),
        Step("renew_commitment", walk.handler, at(81), {"promised_on": at(150).date(), "reason": "Nouveau virement."}),
        Step(NOTIFY_COMMITMENT, walk.agent, at(82)),
        Step("honour_commitment", walk.handler, at(140)),
        *answer(walk, 141),
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_replayed_story_ends_in_the_state_dates_and_history_the_live_steps_would_give(walk):
    assert grievances_replay([story(walk, founded_with_broken_commitment(walk))]) == 1

    grievance = Grievance.objects.get()
    assert grievance.status == Grievance.Status.CLOSED
    assert grievance.outcome == "founded"
    assert grievance.answer_channel == walk.channel  # answered on the channel it came by
    # §6.3.2: a broken commitment closes when the renewed one was carried out (penalty principle).
    assert grievance.effective_closed_at == at(140)
    assert grievance.closure_validated_at == at(144)
    assert (grievance.due_on, grievance.acknowledgement_due_on) == due_dates(
        programme=walk.programme, channel=walk.channel, received_at=RECEIVED
    )
    assert grievance.complainant_phone == "+212612345678"
    assert grievance.search_name == "benali fatima zahra"  # its words in order: found in any order

    history = list(grievance.history.order_by("history_id"))
    assert [h.transition for h in history] == [
        "register", "qualify", "analyse", "route_to_unit", "give_commitment", "break_commitment",
        "renew_commitment", "honour_commitment", "draft_answer", "approve_answer", "send_answer", "close",
    ]  # fmt: skip
    assert [h.status for h in history][-3:] == ["answer_approved", "answer_sent", "closed"]
    assert history[9].history_user == walk.head
    assert history[9].history_date == at(142)
    assert history[0].history_type == "+"
    assert history[0].history_user == walk.agent

    first, renewal = Commitment.objects.order_by("sequence")
    assert (first.status, renewal.status, renewal.renews) == ("broken", "honoured", first)
    assert [h.transition for h in first.history.order_by("history_id")] == ["give", "notify", "break"]
    assert [h.transition for h in renewal.history.order_by("history_id")] == ["renew", "notify", "honour"]

    # The file's timeline reads it like any other grievance.
    whats = [event.what for event in grievance_timeline(grievance)]
    assert "Engagement non honoré" in whats
    assert "Clôturer (opération 4)" in whats


@pytest.mark.django_db
def test_replayed_references_continue_the_live_counter_without_a_gap_or_a_duplicate(walk):
    live = grievance_register(
        actor=walk.agent, programme=walk.programme, channel=walk.channel, description="x", cnie="AB111111"
    ).grievance
    year = live.received_at.year
    grievances_replay([story(walk, [], received_at=datetime(year, 1, 5, tzinfo=UTC)) for _ in range(3)])
    after = grievance_register(
        actor=walk.agent, programme=walk.programme, channel=walk.channel, description="y", cnie="AB222222"
    ).grievance
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in Grievance.objects.values_list("reference", flat=True))
    first = int(live.reference.rsplit("-", 1)[1])
    assert numbers == list(range(first, first + 5))
    assert after.reference.endswith(f"{first + 4:06d}")
    assert len(set(Grievance.objects.values_list("tracking_code", flat=True))) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_step", "message"),
    [
        ("close_before_answer", "n'est pas possible"),
        ("agent_approves", "pas autorisé"),
        ("author_approves_own_answer", "quatre yeux"),
    ],
)
def test_a_story_that_breaks_a_rule_is_refused_by_name_and_its_batch_is_not_written(walk, bad_step, message):
    good = story(walk, founded_with_broken_commitment(walk))
    steps = list(founded_with_broken_commitment(walk))
    if bad_step == "close_before_answer":
        steps = [*steps[:3], Step("close", walk.closer, at(4), {"synthesis": "x"})]
    elif bad_step == "agent_approves":
        steps[-3] = Step("approve_answer", walk.agent, at(142), {"note": ""})
    else:
        # Nadia also works as an agent: she may draft and approve, but never her own answer.
        walk.head.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[roles.AGENT].group_name))
        drafted = answer(walk, 3, approver=walk.head)
        drafted[0] = Step("draft_answer", walk.head, at(3), drafted[0].data)
        steps = steps[:2] + drafted
    with pytest.raises(ReplayError) as error:
        grievances_replay([good, story(walk, steps, cnie="CD654321")])
    assert "réclamation n° 2" in str(error.value)
    assert message in str(error.value)
    assert not Grievance.objects.exists()
    assert not Grievance.history.exists()


@pytest.mark.django_db
def test_steps_out_of_order_or_an_invalid_identity_are_refused(walk):
    qualify = {"category": walk.category, "subject": "Paiement", "nature": "individual", "identity_verified": True}
    late_then_early = [
        Step("qualify", walk.agent, at(5), qualify),
        Step("analyse", walk.agent, at(4), {"conclusion": "x", "outcome": "founded", "unfounded_reason": None}),
    ]
    with pytest.raises(ReplayError, match="se suivre dans le temps"):
        grievances_replay([story(walk, late_then_early)])
    with pytest.raises(ReplayError, match="CNIE invalide"):
        grievances_replay([story(walk, [], cnie="123")])
    assert not Grievance.objects.exists()


@pytest.mark.django_db
def test_generated_grievances_are_consistent_with_their_history(walk):
    call_command("generate_grievances", count=400, seed=3, batch_size=150, force=True, stdout=io.StringIO())

    assert Grievance.objects.count() == 400
    statuses = set(Grievance.objects.values_list("status", flat=True))
    assert {"closed", "received", "committed", "at_partner", "appealed", "commitment_broken"} <= statuses
    assert Commitment.objects.filter(status="broken").exists()
    assert Commitment.objects.filter(renews__isnull=False).exists()
    last_rows = {}
    for row in Grievance.history.order_by("history_id").values("id", "status", "history_date"):
        last_rows[row["id"]] = row
    for grievance in Grievance.objects.all():
        assert last_rows[grievance.pk]["status"] == grievance.status
    assert not Grievance.objects.filter(status="closed", effective_closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_generated_grievance_opens_like_any_other(client, leila):
    call_command("generate_grievances", count=30, seed=5, force=True, stdout=io.StringIO())
    grievance = Grievance.objects.filter(status="closed").first()
    client.force_login(leila)
    page = client.get(reverse("grievances:detail", args=[grievance.pk])).content.decode()
    assert grievance.reference in page
    assert "Clôturer (opération 4)" in page


@pytest.mark.django_db
def test_the_generator_refuses_to_run_on_a_production_like_server(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        call_command("generate_grievances", count=5)
    assert not Grievance.objects.exists()
