"""Validating minutes makes them unchangeable: it is done only once confirmed (issue 20)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stakeholders import services
from stakeholders.models import Minutes
from tests.stakeholders.builders import make_activity

pytestmark = pytest.mark.django_db


def test_the_service_refuses_to_validate_minutes_without_the_confirmation(leila):
    minutes = services.minutes_write(activity=make_activity(), actor=leila, text="Dix-sept participants.")

    with pytest.raises(ValidationError, match="ne pourront plus être modifiés"):
        services.minutes_validate(minutes=minutes, actor=leila)

    minutes.refresh_from_db()
    assert (minutes.status, minutes.validated_by) == (Minutes.Status.DRAFT, None)
    assert minutes.history.filter(history_change_reason__startswith="Compte rendu validé").count() == 0


def test_a_post_without_the_confirmation_shows_what_becomes_unchangeable_and_validates_nothing(client, leila):
    minutes = services.minutes_write(activity=make_activity(), actor=leila, text="Dix-sept participants.")
    client.force_login(leila)
    url = reverse("stakeholders:minutes_validate", args=[minutes.pk])

    response = client.post(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Valider le compte rendu (version 1) ?" in page
    assert "Ce qui ne pourra plus être modifié" in page
    assert "le texte du compte rendu, tel qu&#x27;il est enregistré maintenant" in page
    assert 'name="confirm" value="yes"' in page
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT

    confirmed = client.post(url, {"confirm": "yes"})

    assert confirmed.status_code == 302
    minutes.refresh_from_db()
    assert (minutes.status, minutes.validated_by) == (Minutes.Status.VALIDATED, leila)


def test_the_activity_page_asks_before_validating(client, leila):
    activity = make_activity()
    services.minutes_write(activity=activity, actor=leila, text="Dix-sept participants.")
    client.force_login(leila)

    page = client.get(reverse("stakeholders:activity_detail", args=[activity.pk])).content.decode()

    assert 'data-confirm-dialog="confirm-minutes"' in page
    assert '<dialog class="confirm-dialog" id="confirm-minutes"' in page
    assert "Valider et figer le compte rendu" in page
