"""An integration account's permissions are read in one query, and are exactly those Django's
ModelBackend would read: its own and its roles' (api.authentication.load_permissions)."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.authentication import load_permissions
from pmpp import roles
from pmpp.models import User
from tests.api.conftest import make_account
from tests.factories import UserFactory


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_the_permissions_of_its_roles_and_its_own_in_one_query(db):
    account, _api = make_account(name="centre-appel", channel="call-centre", extra_roles=[roles.AGENT])
    account.user.user_permissions.add(Permission.objects.get(codename="view_stakeholder"))
    user = _fresh(account.user)

    with CaptureQueriesContext(connection) as queries:
        load_permissions(user)

    assert len(queries.captured_queries) == 1
    expected = ModelBackend().get_all_permissions(_fresh(account.user))
    assert user._perm_cache == expected
    assert "stakeholders.view_stakeholder" in expected
    assert "grievances.register_grievance" in expected
    assert user.has_perm("grievances.register_grievance")


def test_only_this_users_permissions_and_each_once(db):
    account, _api = make_account(name="chikaya-ma")
    role = Group.objects.get(name=roles.ROLES_BY_CODE[roles.INTEGRATION_ACCOUNT].group_name)
    account.user.user_permissions.add(*role.permissions.all())  # held twice: own and through the role
    agent = UserFactory(username="nadia", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")])
    user = _fresh(account.user)

    load_permissions(user)

    assert user._perm_cache == ModelBackend().get_all_permissions(_fresh(account.user))
    assert ModelBackend().get_all_permissions(_fresh(agent)) - user._perm_cache, "the agent's role holds more"
