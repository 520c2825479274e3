"""Rules of the registry services and selectors: minutes as evidence, mandates, actions, budgets, history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stakeholders import selectors, services
from stakeholders.forms import StakeholderForm
from stakeholders.models import CorrectiveAction, MandateVerification, Minutes, Risk, Stakeholder
from tests.stakeholders.builders import (
    make_action,
    make_activity,
    make_campaign,
    make_group,
    make_representative,
    make_risk,
    make_stakeholder,
    organisation,
    today,
    verify,
)

pytestmark = pytest.mark.django_db


# --- minutes: evidence that never changes once validated (§7) -------------------------------------------


def test_validated_minutes_cannot_be_rewritten_by_minutes_write(leila):
    activity = make_activity()
    minutes = services.minutes_write(activity=activity, actor=leila, text="Vingt et un participants.")
    services.minutes_validate(minutes=minutes, actor=leila, confirmed=True)

    with pytest.raises(ValidationError) as refused:
        services.minutes_write(activity=activity, actor=leila, text="Texte réécrit après validation.")

    assert "créez une nouvelle version" in refused.value.message_dict["text"][0]
    minutes.refresh_from_db()
    assert minutes.text == "Vingt et un participants."
    assert minutes.status == Minutes.Status.VALIDATED
    assert Minutes.objects.filter(activity=activity).count() == 1


def test_a_draft_is_rewritten_in_place_until_it_is_validated(leila):
    activity = make_activity()
    first = services.minutes_write(activity=activity, actor=leila, text="Premier jet.")
    second = services.minutes_write(activity=activity, actor=leila, text="Texte relu.")
    assert second.pk == first.pk
    assert second.version == 1
    assert second.text == "Texte relu."


def test_a_correction_is_version_2_pointing_at_version_1_which_stays_unchanged(leila):
    activity = make_activity()
    v1 = services.minutes_write(activity=activity, actor=leila, text="Les bénéficiaires demandent des SMS en darija.")
    services.minutes_validate(minutes=v1, actor=leila, confirmed=True)

    v2 = services.minutes_correct(
        minutes=v1, actor=leila, text="Les bénéficiaires demandent des SMS en darija et en amazighe.", reason="Oubli"
    )

    assert v2.version == 2
    assert v2.corrects_id == v1.pk
    assert v2.status == Minutes.Status.DRAFT
    assert v2.correction_reason == "Oubli"
    versions = {m.version: m for m in selectors.activity_minutes(activity=activity)}
    assert set(versions) == {1, 2}
    assert versions[1].text == "Les bénéficiaires demandent des SMS en darija."
    assert versions[1].status == Minutes.Status.VALIDATED
    assert versions[1].validated_by == leila
    assert versions[2].text.endswith("en amazighe.")


def test_a_correction_needs_a_reason_and_validated_minutes(leila):
    activity = make_activity()
    draft = services.minutes_write(activity=activity, actor=leila, text="Brouillon.")
    with pytest.raises(ValidationError) as refused:
        services.minutes_correct(minutes=draft, actor=leila, text="Autre texte", reason="")
    assert set(refused.value.message_dict) == {"text", "correction_reason"}


def test_a_version_is_corrected_only_once(leila):
    activity = make_activity()
    v1 = services.minutes_write(activity=activity, actor=leila, text="v1")
    services.minutes_validate(minutes=v1, actor=leila, confirmed=True)
    services.minutes_correct(minutes=v1, actor=leila, text="v2", reason="Coquille")
    with pytest.raises(ValidationError, match="déjà été corrigée"):
        services.minutes_correct(minutes=v1, actor=leila, text="v2 bis", reason="Autre coquille")


def test_ministry_staff_cannot_validate_minutes(leila, omar):
    minutes = services.minutes_write(activity=make_activity(), actor=leila, text="Compte rendu.")
    with pytest.raises(PermissionDenied):
        services.minutes_validate(minutes=minutes, actor=omar, confirmed=True)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    assert minutes.validated_by is None


def test_validation_says_who_and_when_and_is_refused_twice(leila):
    minutes = services.minutes_write(activity=make_activity(), actor=leila, text="Compte rendu.")
    validated = services.minutes_validate(minutes=minutes, actor=leila, confirmed=True)
    assert validated.validated_by == leila
    assert validated.validated_at is not None
    assert validated.history.first().history_change_reason == "Compte rendu validé (version 1)"
    with pytest.raises(ValidationError, match="déjà validé"):
        services.minutes_validate(minutes=validated, actor=leila, confirmed=True)


# --- mandates of representatives (§3.2) ------------------------------------------------------------------


def test_a_mandate_verification_records_method_date_verifier_outcome_and_expiry(leila):
    representative = make_representative()
    checked = services.mandate_verification_record(
        representative=representative,
        actor=leila,
        method=MandateVerification.Method.ASSEMBLY,
        verified_on=today(),
        outcome=MandateVerification.Outcome.CONFIRMED,
        expires_on=today() + timedelta(days=365),
        notes="  PV de l'assemblée générale  ",
    )
    assert checked.verified_by == leila
    assert checked.method == "assembly"
    assert checked.notes == "PV de l'assemblée générale"
    assert checked.history.first().history_user == leila


def test_a_mandate_verification_names_each_wrong_field(leila):
    representative = make_representative()
    with pytest.raises(ValidationError) as refused:
        services.mandate_verification_record(
            representative=representative,
            actor=leila,
            method="rumeur",
            verified_on=today() + timedelta(days=1),
            outcome="peut-être",
        )
    assert set(refused.value.message_dict) == {"method", "outcome", "verified_on"}

    with pytest.raises(ValidationError) as refused:
        services.mandate_verification_record(
            representative=representative,
            actor=leila,
            method="document",
            verified_on=today(),
            outcome="confirmed",
            expires_on=today() - timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"expires_on"}
    assert not MandateVerification.objects.filter(representative=representative).exists()


def test_ministry_staff_cannot_verify_a_mandate(omar):
    with pytest.raises(PermissionDenied):
        services.mandate_verification_record(
            representative=make_representative(),
            actor=omar,
            method="document",
            verified_on=today(),
            outcome="confirmed",
        )


def test_mandates_to_reverify_are_the_unverified_unconfirmed_expired_and_soon_expiring(leila):
    group = make_group()
    make_representative("Jamais vérifié", group=group)
    rejected = make_representative("Non confirmé", group=group)
    verify(rejected, by=leila, outcome="rejected")
    expired = make_representative("Expiré", group=group)
    verify(expired, by=leila, days_ago=400, expires_in=-5)
    soon = make_representative("Bientôt expiré", group=group)
    verify(soon, by=leila, expires_in=20)
    later = make_representative("Valide deux mois", group=group)
    verify(later, by=leila, expires_in=60)
    open_ended = make_representative("Sans échéance", group=group)
    verify(open_ended, by=leila)
    reconfirmed = make_representative("Reconfirmé", group=group)
    verify(reconfirmed, by=leila, outcome="rejected", days_ago=100)
    verify(reconfirmed, by=leila, days_ago=5, expires_in=200)
    make_representative("Inactif jamais vérifié", group=group, is_active=False)

    due = selectors.mandates_to_reverify().filter(group=group)

    assert {r.name for r in due} == {"Jamais vérifié", "Non confirmé", "Expiré", "Bientôt expiré"}
    status = {r.name: selectors.mandate_status(r)[0] for r in due}
    assert status == {
        "Jamais vérifié": "never",
        "Non confirmé": "not_confirmed",
        "Expiré": "expired",
        "Bientôt expiré": "expiring",
    }


# --- corrective actions (§7) -----------------------------------------------------------------------------


def test_a_corrective_action_is_started_then_completed_with_its_date(leila):
    action = make_action()
    started = services.corrective_action_start(action=action, actor=leila)
    assert started.status == CorrectiveAction.Status.IN_PROGRESS
    done = services.corrective_action_complete(action=action, actor=leila, on=today() - timedelta(days=1))
    assert done.status == CorrectiveAction.Status.DONE
    assert done.completed_on == today() - timedelta(days=1)
    assert [row.history_change_reason for row in done.history.order_by("history_id")] == [
        None,
        "Action lancée",
        "Action réalisée",
    ]


def test_an_action_is_abandoned_only_with_a_reason_and_then_cannot_restart(leila):
    action = make_action()
    with pytest.raises(ValidationError) as refused:
        services.corrective_action_cancel(action=action, actor=leila, reason="  ")
    assert "reason" in refused.value.message_dict
    services.corrective_action_cancel(action=action, actor=leila, reason="Remplacée par une autre action")
    with pytest.raises(ValidationError, match="Étape impossible"):
        services.corrective_action_start(action=action, actor=leila)


def test_completion_cannot_be_dated_in_the_future(leila):
    with pytest.raises(ValidationError) as refused:
        services.corrective_action_complete(action=make_action(), actor=leila, on=today() + timedelta(days=1))
    assert "completed_on" in refused.value.message_dict


def test_ministry_staff_cannot_move_a_corrective_action(omar):
    action = make_action()
    with pytest.raises(PermissionDenied):
        services.corrective_action_start(action=action, actor=omar)
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.OPEN


def test_overdue_actions_are_the_open_or_running_ones_past_their_due_date(leila):
    late_open = make_action("En retard, à lancer", due_in=-3)
    late_running = make_action("En retard, en cours", due_in=-1)
    services.corrective_action_start(action=late_running, actor=leila)
    late_done = make_action("Réalisée après l'échéance", due_in=-10)
    services.corrective_action_complete(action=late_done, actor=leila)
    late_cancelled = make_action("Abandonnée", due_in=-10)
    services.corrective_action_cancel(action=late_cancelled, actor=leila, reason="Sans objet")
    make_action("Dans les temps", due_in=0)

    overdue = list(selectors.corrective_actions_overdue())

    assert overdue == [late_open, late_running]
    assert all(action.is_overdue() for action in overdue)


def test_a_progress_note_is_a_percentage_between_0_and_100(leila):
    action = make_action()
    with pytest.raises(ValidationError) as refused:
        services.progress_note_add(action=action, actor=leila, text="Presque fini", percent_done=120)
    assert "percent_done" in refused.value.message_dict
    note = services.progress_note_add(action=action, actor=leila, text="Moitié des régions couvertes", percent_done=50)
    assert note.author == leila


# --- risks (§2.2) ----------------------------------------------------------------------------------------


def test_a_risk_changes_status_only_with_a_note(leila, omar):
    risk = make_risk()
    with pytest.raises(ValidationError) as refused:
        services.risk_change_status(risk=risk, actor=leila, step="mark_mitigated", note="")
    assert "status_note" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.risk_change_status(risk=risk, actor=omar, step="mark_mitigated", note="Campagne faite")
    mitigated = services.risk_change_status(risk=risk, actor=leila, step="mark_mitigated", note="Campagne faite")
    assert mitigated.status == Risk.Status.MITIGATED
    assert mitigated.status_note == "Campagne faite"


# --- campaigns: budget in MAD TTC (§4) -------------------------------------------------------------------


def test_campaign_totals_and_execution_rate():
    lines = [
        ("Spot radio", "250000", "125000"),
        ("Spot télévision", "300000", "150000"),
        ("SMS", "93830", "46915"),
        ("Affiches", "100000", "50000"),
        ("Dépliants", "50000", "25000"),
        ("Réseaux sociaux", "100000", "50000"),
        ("Caravanes", "50000", "25000"),
    ]
    campaign = make_campaign(lines=lines)

    budget = selectors.campaign_budget(campaign=campaign)

    assert len(budget.lines) == 7
    assert budget.planned_total == Decimal("943830")
    assert budget.actual_total == Decimal("471915")
    assert budget.execution_rate == Decimal("50.0")
    listed = selectors.campaign_list().get(pk=campaign.pk)
    assert (listed.planned_total, listed.actual_total) == (Decimal("943830"), Decimal("471915"))


def test_a_campaign_without_budget_has_no_execution_rate():
    campaign = make_campaign("Campagne sans budget")
    budget = selectors.campaign_budget(campaign=campaign)
    assert budget.planned_total == Decimal("0")
    assert budget.execution_rate is None
    assert selectors.campaign_list().get(pk=campaign.pk).planned_total == Decimal("0")


def test_execution_rate_is_rounded_to_one_decimal():
    assert selectors.execution_rate(planned=Decimal("3"), actual=Decimal("1")) == Decimal("33.3")
    assert selectors.execution_rate(planned=Decimal("100"), actual=Decimal("120")) == Decimal("120.0")


# --- registry_save: permission and history ---------------------------------------------------------------


def _stakeholder_form(instance=None, **changes):
    data = {
        "kind": "organisation",
        "name": "Amicale Marocaine des Handicapés",
        "organisation": organisation("mef-db").pk,
        "influence": 2,
        "interest": 5,
        "is_active": "on",
        **changes,
    }
    form = StakeholderForm(data, instance=instance)
    assert form.is_valid(), form.errors
    return form


def test_registry_save_refuses_an_agent(salma):
    with pytest.raises(PermissionDenied):
        services.registry_save(actor=salma, form=_stakeholder_form())
    assert not Stakeholder.objects.filter(name="Amicale Marocaine des Handicapés").exists()


def test_registry_save_records_who_and_why_in_history(leila):
    created = services.registry_save(actor=leila, form=_stakeholder_form())
    edited = services.registry_save(
        actor=leila, form=_stakeholder_form(instance=created, interest=4), reason="Réévaluation après l'atelier"
    )

    rows = list(edited.history.order_by("history_id"))
    assert [(row.history_type, row.history_user) for row in rows] == [("+", leila), ("~", leila)]
    assert rows[0].history_change_reason == "Création : partie prenante"
    assert rows[1].history_change_reason == "Réévaluation après l'atelier"
    assert rows[1].interest == 4
    history = selectors.history_for(("Partie prenante", edited.history.all()))
    assert [entry.why for entry in history] == ["Réévaluation après l'atelier", "Création : partie prenante"]
    assert {entry.who for entry in history} == {leila.get_full_name()}


def test_registry_save_refuses_an_edit_to_ministry_staff(leila, omar):
    stakeholder = make_stakeholder()
    form = _stakeholder_form(instance=stakeholder, name="Renommé")
    with pytest.raises(PermissionDenied):
        services.registry_save(actor=omar, form=form)
    stakeholder.refresh_from_db()
    assert stakeholder.name == "Association test"
