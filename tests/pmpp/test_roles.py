"""Every role of SPEC §1 exists as a group holding exactly the permissions of pmpp.roles."""

import pytest
from django.contrib.auth.models import Group

from pmpp import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_group_exists_with_its_permissions():
    for role in roles.ROLES:
        assert _permissions_of(role.group_name) == set(role.permissions), role.code


def test_the_roles_are_those_of_the_spec():
    assert {role.code for role in roles.ROLES} == {
        "es_focal_point",
        "agent",
        "case_handler",
        "head_beneficiary_services",
        "closing_officer",
        "partner_liaison",
        "gbv_referent",
        "ministry_viewer",
        "reference_admin",
        # Accounts acting for a system, which never sign in: the public portal and integrations.
        "public_portal",
        "integration_account",
    }
    assert {"public_portal", "integration_account"} == roles.SERVICE_ACCOUNT_ROLES


def test_ministry_staff_change_nothing():
    assert all(".view_" in perm for perm in _permissions_of(roles.ROLES_BY_CODE["ministry_viewer"].group_name))


def test_only_the_reference_administrator_edits_reference_data():
    editors = [role.code for role in roles.ROLES if "pmpp.change_programme" in role.permissions]
    assert editors == ["reference_admin"]


def test_syncing_again_restores_a_permission_removed_by_hand():
    group = Group.objects.get(name=roles.ROLES_BY_CODE["reference_admin"].group_name)
    group.permissions.clear()
    roles.sync_roles()
    assert _permissions_of(group.name) == set(roles.ROLES_BY_CODE["reference_admin"].permissions)


def test_a_role_naming_an_unknown_permission_fails_loudly(monkeypatch):
    broken = roles.Role("broken", "Rôle cassé", "Rôle cassé", ("pmpp.fly_programme",))
    monkeypatch.setattr(roles, "ROLES", (*roles.ROLES, broken))
    with pytest.raises(LookupError, match="fly_programme"):
        roles.sync_roles()


def test_role_codes_of_a_user_follow_their_groups():
    user = UserFactory(role="agent")
    assert user.role_codes() == {"agent"}
    assert user.has_perm("pmpp.view_programme")
    assert not user.has_perm("pmpp.change_programme")


@pytest.mark.django_db
@pytest.mark.parametrize("role", roles.ROLES, ids=lambda role: role.code)
def test_role_grants_answers_as_has_perm_for_every_permission_of_the_project(role):
    """The search's permission check reads the role table; it must agree with Django's."""
    from django.contrib.auth.models import Permission

    user = UserFactory(role=role.code)
    every = [f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")]
    fresh = type(user).objects.get(pk=user.pk)

    assert [p for p in every if roles.role_grants(user, p) != fresh.has_perm(p)] == []
    user.is_active = False
    assert not roles.role_grants(user, "grievances.view_grievance")
