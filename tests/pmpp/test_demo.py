"""`manage.py load_demo`: one account per role, refused on a production-like server."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pmpp import roles
from pmpp.management.commands.load_demo import DEMO_ACCOUNTS
from pmpp.models import User

pytestmark = pytest.mark.django_db


def _run(*args, grievances: int = 0):
    out = io.StringIO()
    call_command("load_demo", *args, f"--grievances={grievances}", stdout=out)
    return out.getvalue()


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        _run()
    assert not User.objects.filter(username="agent").exists()


def test_creates_an_account_for_every_role_and_prints_a_working_password_once(settings, client):
    settings.DEBUG = False
    output = _run("--force")
    password = re.search(r"Mot de passe \(affiché une seule fois\) : (\S+)", output).group(1)
    for role in roles.ROLES:
        if role.code not in roles.SERVICE_ACCOUNT_ROLES:  # created with their system, not as people
            assert User.objects.filter(groups__name=role.group_name).exists(), role.code
    assert client.post(reverse("login"), {"username": "agent", "password": password}).status_code == 302

    again = _run("--force")
    assert password not in again
    assert "Mot de passe inchangé" in again
    assert User.objects.count() == len(DEMO_ACCOUNTS)


def test_reset_passwords_issues_a_new_one(settings, client):
    settings.DEBUG = True
    first = re.search(r"une seule fois\) : (\S+)", _run()).group(1)
    second = re.search(r"une seule fois\) : (\S+)", _run("--reset-passwords")).group(1)
    assert first != second
    assert client.post(reverse("login"), {"username": "pointfocal", "password": second}).status_code == 302


def test_demo_agent_works_on_tayssir_and_daam_at_cnra(settings):
    settings.DEBUG = True
    _run()
    agent = User.objects.get(username="agent")
    assert set(agent.memberships.values_list("organisation__code", "programme__code")) == {
        ("cdg-cnra", "tayssir"),
        ("cdg-cnra", "daam"),
    }


def test_demo_data_has_about_two_hundred_grievances_in_every_state_with_history(settings):
    from grievances.models import Commitment, Grievance, SensitiveCase

    settings.DEBUG = True
    output = _run(grievances=200)
    assert "Réclamations de démonstration créées" in output
    assert 200 <= Grievance.objects.count() <= 220
    assert set(Grievance.objects.values_list("status", flat=True)) == set(Grievance.Status.values)
    assert set(Grievance.objects.values_list("programme__code", flat=True)) == {
        "tadamon-covid",
        "tayssir",
        "daam",
        "allocations-familiales",
        "amo-tadamon",
    }
    assert Commitment.objects.filter(status="broken").exists()
    assert Commitment.objects.filter(status="honoured").exists()
    assert SensitiveCase.objects.exists()
    assert Grievance.history.count() > 4 * Grievance.objects.count()
    assert not Grievance.history.filter(history_change_reason__isnull=True).exists()
    from stakeholders.models import CorrectiveAction, Stakeholder

    assert Stakeholder.objects.count() >= 10
    assert CorrectiveAction.objects.filter(status="in_progress").exists()
    again = _run(grievances=200)
    assert "Réclamations de démonstration créées" not in again
