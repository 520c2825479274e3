"""Sensitive GBV/SEA/SH cases: minimal, referred within 24 hours, handled by the referent only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grievances.models import SensitiveCase
from grievances.services.intake import SensitiveDetails, grievance_register
from grievances.services.sensitive import sensitive_case_close, sensitive_case_refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(salma, tayssir, phone):
    return grievance_register(
        actor=salma,
        programme=tayssir,
        channel=phone,
        description="",
        sensitive=SensitiveDetails(
            nature="Un agent payeur a exigé une faveur", referral_offered=True, consent_to_refer=True
        ),
    ).sensitive_case


def test_the_referent_refers_the_survivor_with_the_consent_recorded_at_intake(case, meryem):
    case = sensitive_case_refer(case=case, actor=meryem, service_provider="Association Tahadi")
    assert case.status == SensitiveCase.Status.REFERRED
    assert case.referral_accepted
    assert case.consent_to_refer
    assert case.history.latest("history_id").history_change_reason.endswith("Association Tahadi")


def test_no_referral_without_the_consent_recorded_at_intake(salma, tayssir, phone, meryem):
    case = grievance_register(
        actor=salma, programme=tayssir, channel=phone, description="", sensitive=SensitiveDetails(nature="x")
    ).sensitive_case
    with pytest.raises(ValidationError) as error:
        sensitive_case_refer(case=case, actor=meryem, service_provider="Association Tahadi")
    assert "recueilli lors du signalement" in error.value.message_dict["consent_to_refer"][0]
    case.refresh_from_db()
    assert case.status == SensitiveCase.Status.OPEN


@pytest.mark.parametrize("persona", ["salma", "leila", "nadia", "admin_user"])
def test_nobody_else_may_handle_the_case(request, case, persona):
    with pytest.raises(PermissionDenied):
        sensitive_case_refer(case=case, actor=request.getfixturevalue(persona), service_provider="x")


def test_the_referral_is_due_within_24_hours_and_flagged_overdue_after(case, meryem):
    assert case.referral_due_at == case.received_at + timedelta(hours=24)
    later = case.received_at + timedelta(hours=25)
    assert case.is_referral_overdue(now=later)
    assert not case.is_referral_overdue(now=case.received_at + timedelta(hours=23))
    assert list(SensitiveCase.objects.referral_overdue(now=later)) == [case]
    sensitive_case_refer(case=case, actor=meryem, service_provider="Centre d'écoute")
    assert not SensitiveCase.objects.referral_overdue(now=later).exists()


def test_the_referral_deadline_is_configurable(salma, tayssir, phone, settings):
    settings.PMPP_REFERRAL_HOURS = 12
    case = grievance_register(
        actor=salma, programme=tayssir, channel=phone, description="", sensitive=SensitiveDetails(nature="x")
    ).sensitive_case
    assert case.referral_due_at == case.received_at + timedelta(hours=12)


def test_the_referent_closes_the_case_with_a_note(case, meryem):
    with pytest.raises(ValidationError):
        sensitive_case_close(case=case, actor=meryem, note=" ")
    case = sensitive_case_close(case=case, actor=meryem, note="La survivante ne souhaite pas de suite.")
    assert case.status == SensitiveCase.Status.CLOSED
    assert timezone.now() >= case.created_at
