"""What an API request asks of its caller is read with the token: the user's permissions are
exactly those Django's ModelBackend would read (its own and its roles'), and its programme
scope that of its memberships (api.authentication)."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from api.authentication import IntegrationTokenAuthentication, load_permissions
from api.models import IntegrationAccount
from pmpp import roles
from pmpp.models import Channel, User
from tests.api.conftest import make_account
from tests.factories import ALL, UserFactory


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def _authenticated(account: IntegrationAccount, token: str) -> User:
    request = RequestFactory().post("/api/v1/grievances/", headers={"Authorization": f"Token {token}"})
    user, authenticated_account = IntegrationTokenAuthentication().authenticate(request)
    assert authenticated_account == account
    return user


def _account(*, name: str, user: User) -> tuple[IntegrationAccount, str]:
    token, token_hash = IntegrationAccount.new_token()
    account = IntegrationAccount.objects.create(
        name=name, user=user, channel=Channel.objects.get(code="chikaya"), token_hash=token_hash
    )
    return account, token


def test_the_token_lookup_reads_the_callers_permissions_and_scope_in_the_same_query(db):
    user = UserFactory(username="api-centre", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir"), ("cdg-cnra", "daam")])
    user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[roles.INTEGRATION_ACCOUNT].group_name))
    user.user_permissions.add(Permission.objects.get(codename="view_stakeholder"))
    account, token = _account(name="centre-appel", user=user)

    with CaptureQueriesContext(connection) as authentication:
        caller = _authenticated(account, token)
    with CaptureQueriesContext(connection) as afterwards:
        may_register = caller.has_perm("grievances.register_grievance")
        scope = caller.programme_scope()

    assert len(authentication.captured_queries) == 1
    assert afterwards.captured_queries == []
    assert may_register
    assert caller._perm_cache == ModelBackend().get_all_permissions(_fresh(user))
    assert "stakeholders.view_stakeholder" in caller._perm_cache
    assert scope == _fresh(user).programme_scope()
    assert len(scope.programme_ids) == 2


def test_an_account_without_memberships_nor_permissions_of_its_own(db):
    user = UserFactory(username="api-nothing", role=roles.INTEGRATION_ACCOUNT)
    account, token = _account(name="sans-affectation", user=user)

    caller = _authenticated(account, token)

    assert caller._perm_cache == ModelBackend().get_all_permissions(_fresh(user))
    assert caller.programme_scope() == _fresh(user).programme_scope()
    assert not caller.programme_scope().programme_ids


def test_a_scope_on_every_programme_is_read_as_before_when_asked(db):
    user = UserFactory(username="api-national", role=roles.INTEGRATION_ACCOUNT, scopes=[("cdg-cnra", ALL)])
    account, token = _account(name="national", user=user)

    caller = _authenticated(account, token)

    assert not hasattr(caller, "_programme_scope")  # it depends on the roles: not read unless asked
    assert caller.programme_scope().all_programmes
    assert caller.programme_scope() == _fresh(user).programme_scope()


def test_load_permissions_reads_the_same_set_in_one_query(db):
    account, _api = make_account(name="chikaya-ma")
    role = Group.objects.get(name=roles.ROLES_BY_CODE[roles.INTEGRATION_ACCOUNT].group_name)
    account.user.user_permissions.add(*role.permissions.all())  # held twice: own and through the role
    agent = UserFactory(username="nadia", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")])
    user = _fresh(account.user)

    with CaptureQueriesContext(connection) as queries:
        load_permissions(user)

    assert len(queries.captured_queries) == 1
    assert user._perm_cache == ModelBackend().get_all_permissions(_fresh(account.user))
    assert ModelBackend().get_all_permissions(_fresh(agent)) - user._perm_cache, "the agent's role holds more"


def test_the_compiled_token_lookup_reads_the_rows_as_the_orm_does(db):
    """Account, user and channel as `select_related` reads them (converted values: aware
    datetimes, booleans), so nothing downstream can tell the compiled statement from the ORM."""
    from django.forms.models import model_to_dict

    from api.authentication import active_account_with_its_rights
    from api.models import hash_token

    user = UserFactory(username="api-compare", role=roles.INTEGRATION_ACCOUNT, scopes=[("cdg-cnra", "tayssir")])
    account, token = _account(name="compare", user=user)
    read = active_account_with_its_rights(hash_token(token))
    orm = IntegrationAccount.objects.select_related("user", "channel").get(pk=account.pk)

    for mine, theirs in ((read, orm), (read.user, orm.user), (read.channel, orm.channel)):
        fields = [f.attname for f in type(theirs)._meta.concrete_fields]
        assert {f: getattr(mine, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
        assert not mine._state.adding
        assert mine._state.db == theirs._state.db
    assert read.created_at.tzinfo is not None
    assert isinstance(read.is_active, bool)
    assert model_to_dict(read.user) == model_to_dict(orm.user)
    assert active_account_with_its_rights(hash_token("not-a-token")) is None
    account.is_active = False
    account.save()
    assert active_account_with_its_rights(hash_token(token)) is None
