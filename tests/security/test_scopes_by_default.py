"""Scopes by default (issue 17, finding 2): a membership names its programmes.

SPEC §1: an agent of CNRA working on Tayssir and DAAM does not see AMO TADAMON cases
handled by CNSS. A membership without a programme used to grant every programme, and the
demo gave one to CNRA's head of service, closing officer and GBV referent.
"""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from grievances.models import Grievance, SensitiveCase
from grievances.services.attachments import attachment_add
from grievances.services.intake import SensitiveDetails, grievance_register
from pmpp import roles
from pmpp.checks import programme_less_memberships
from pmpp.management.commands.load_demo import DEMO_ACCOUNTS
from pmpp.management.commands.load_demo import Command as LoadDemo
from pmpp.models import Channel, Membership, Organisation, Programme, User
from tests.factories import ALL, CNRA, UserFactory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture
def demo_accounts(db):
    LoadDemo()._load_accounts(reset_passwords=False)
    return {user.username: user for user in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])}


@pytest.fixture
def cnss_files(demo_accounts, settings, tmp_path):
    """An AMO TADAMON grievance handled by CNSS, with an attachment, and a CNSS sensitive case."""
    settings.MEDIA_ROOT = tmp_path / "media"
    agent = demo_accounts["agent.cnss"]
    programme = Programme.objects.get(code="amo-tadamon")
    channel = Channel.objects.get(code="call-centre")
    grievance = grievance_register(
        actor=agent,
        programme=programme,
        channel=channel,
        description="Ma carte AMO est refusée à l'hôpital.",
        cnie="CD654321",
        phone="0677001122",
        name="Khadija Ait Lahcen",
    ).grievance
    attachment = attachment_add(
        grievance=grievance, actor=agent, uploaded_file=SimpleUploadedFile("carte.png", PNG, content_type="image/png")
    )
    case = grievance_register(
        actor=agent,
        programme=programme,
        channel=channel,
        description="",
        sensitive=SensitiveDetails(nature="Un intermédiaire a exigé une faveur", referral_offered=True),
    ).sensitive_case
    return grievance, attachment, case


@pytest.mark.parametrize("username", ["responsable", "cloture", "referent.vbg", "agent", "traitement"])
def test_cnra_staff_of_the_demo_read_no_amo_tadamon_file_of_cnss(demo_accounts, cnss_files, username):
    grievance, attachment, case = cnss_files
    user = demo_accounts[username]
    client = Client()
    client.force_login(user)
    assert not Grievance.objects.visible_to(user).filter(pk=grievance.pk).exists()
    assert client.get(reverse("grievances:detail", args=[grievance.pk])).status_code == 404
    assert client.get(reverse("grievances:attachment_download", args=[attachment.pk])).status_code == 404
    assert not SensitiveCase.objects.visible_to(user).filter(pk=case.pk).exists()
    assert client.get(reverse("grievances:sensitive_detail", args=[case.pk])).status_code == 404


def test_the_demo_gives_each_organisation_its_own_head_closer_and_gbv_referent(demo_accounts):
    """SPEC §1: CNRA on Tayssir and DAAM, CNSS on AMO TADAMON, MEF on TADAMON COVID and AF."""
    for programme in Programme.objects.select_related("managing_organisation"):
        for role in (roles.HEAD_OF_BENEFICIARY_SERVICES, roles.CLOSING_OFFICER, roles.GBV_REFERENT):
            holders = [
                user
                for user in demo_accounts.values()
                if role in roles.role_codes_for(user) and user.programme_scope().covers(programme.pk)
            ]
            assert len(holders) == 1, (programme.code, role, holders)
            assert set(holders[0].memberships.values_list("organisation", flat=True)) == {
                programme.managing_organisation_id
            }
    everyone = [user for user in demo_accounts.values() if user.programme_scope().all_programmes]
    assert {user.username for user in everyone} == {"pointfocal", "ministere", "referentiels"}
    # And the demo raises no warning of its own.
    assert programme_less_memberships() == []


@pytest.mark.parametrize("programme", [None, ALL], ids=["no-programme", "all-programmes"])
def test_a_membership_without_a_named_programme_grants_none_to_a_programme_role(db, programme):
    """A head of service's membership on no programme, or ticked « tous » anyway, reads nothing."""
    head = UserFactory(role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=[("cdg-cnra", programme)])
    agent = UserFactory(role=roles.AGENT, scopes=CNRA)
    grievance_register(
        actor=agent,
        programme=Programme.objects.get(code="tayssir"),
        channel=Channel.objects.get(code="call-centre"),
        description="Bourse non reçue.",
        cnie="EE112233",
        phone="0611223344",
        name="Said Naji",
    )
    assert not head.programme_scope().all_programmes
    assert not Grievance.objects.visible_to(head).exists()


def test_all_programmes_is_for_project_wide_roles_and_excludes_a_programme(db):
    focal = UserFactory(role=roles.ES_FOCAL_POINT)
    head = UserFactory(role=roles.HEAD_OF_BENEFICIARY_SERVICES)
    mef = Organisation.objects.get(code="mef-db")
    Membership(user=focal, organisation=mef, all_programmes=True).full_clean()
    with pytest.raises(ValidationError) as refused:
        Membership(user=head, organisation=mef, all_programmes=True).full_clean()
    assert "all_programmes" in refused.value.message_dict
    with pytest.raises(ValidationError):
        Membership(
            user=focal, organisation=mef, programme=Programme.objects.get(code="tayssir"), all_programmes=True
        ).full_clean()


def test_the_system_check_names_every_programme_less_membership_but_the_project_wide_ones(db, capsys):
    UserFactory(username="chef", role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=[("cdg-cnra", None)])
    UserFactory(username="cloture2", role=roles.CLOSING_OFFICER, scopes=[("cnss", ALL)])
    UserFactory(username="focal", role=roles.ES_FOCAL_POINT, scopes=[("mef-db", ALL)])
    UserFactory(username="agent2", role=roles.AGENT, scopes=CNRA)
    warnings = programme_less_memberships()
    assert [w.id for w in warnings] == ["pmpp.W001", "pmpp.W001"]
    named = {w.obj.user.username for w in warnings}
    assert named == {"chef", "cloture2"}
    assert "grants none" in " ".join(w.msg for w in warnings)
    # `manage.py check` prints them.
    call_command("check")
    err = capsys.readouterr().err
    assert err.count("pmpp.W001") == 2


def test_the_admin_shows_where_each_user_works(admin_client, db):
    UserFactory(username="focal", role=roles.ES_FOCAL_POINT, scopes=[("mef-db", ALL)])
    UserFactory(username="agent2", role=roles.AGENT, scopes=CNRA)
    page = admin_client.get(reverse("admin:pmpp_user_changelist")).content.decode()
    assert "tous programmes" in page
    assert "TAY" in page
    assert "DAA" in page


def test_the_migration_names_the_programmes_of_a_programme_less_membership(db):
    """0006: project-wide roles get an explicit « tous »; others, their organisation's programmes."""
    migration = import_module("pmpp.migrations.0006_programme_less_memberships_named")
    head = UserFactory(role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=[("cdg-cnra", None)])
    focal = UserFactory(role=roles.ES_FOCAL_POINT, scopes=[("mef-db", None)])
    migration.name_the_programmes(apps, SimpleNamespace(connection=connection))
    assert set(head.memberships.values_list("programme__code", flat=True)) == {"tayssir", "daam"}
    assert list(focal.memberships.values_list("programme", "all_programmes")) == [(None, True)]
    reasons = set(Membership.history.filter(user=head).values_list("history_type", flat=True))
    assert reasons == {"+", "-"}
