"""Token authentication of integration accounts: `Authorization: Token <token>`."""

import functools

from django.contrib.auth.models import Group, Permission
from django.db import router
from django.db.models import CharField, OuterRef, Q, StringAgg, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import IntegrationAccount, hash_token
from pmpp.compiled_sql import JoinedRead, joined_read, quoted
from pmpp.models import Membership, User

KEYWORD = "Token"
_ROWS = "\n"  # joins the rows read in one column; no permission name nor id holds one


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """The token is looked up by its SHA-256 hash; a deactivated account or user is refused.

    The same statement reads what the request will ask of its caller: the user's permissions
    (`has_perm`) and memberships (`programme_scope`), which would otherwise cost two more
    queries on every API request (see `active_account_with_its_rights`).
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization invalide : « Token <jeton> »."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from None
        account = active_account_with_its_rights(hash_token(token))
        if account is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide ou compte d'intégration désactivé."))
        keep_rights(account)
        account.user.integration_account = account
        return account.user, account

    def authenticate_header(self, request) -> str:
        return KEYWORD


def _joined(rows, *, user: str, value) -> Subquery:
    """`value` of each of `rows` that belongs to the account's user, in one text (None: no row).

    Grouped by the user, whom the subquery is restricted to: one row, one aggregate.
    """
    mine = rows.filter(**{user: OuterRef("user")}).order_by().values(user)
    return Subquery(mine.annotate(joined=StringAgg(value, Value(_ROWS))).values("joined"))


def _permission_name(permission: str) -> Concat:
    return Concat(f"{permission}__content_type__app_label", Value("."), f"{permission}__codename")


def active_account_with_its_rights(token_hash: str) -> IntegrationAccount | None:
    """The active account of an active user holding this token hash, with its user and
    channel, and the user's rights in three columns, or None.

    `own_permissions` and `role_permissions` (`app_label.codename`, what ModelBackend reads in
    two queries) and `memberships` (`organisation:programme:all programmes`, what
    `programme_scope` reads): correlated subqueries on the link tables' user indexes.
    `keep_rights` hands them to the user object.

    Every API request runs it, so its statement is compiled once per process and database
    (`_token_lookup`): building the queryset, resolving its joins and compiling 40 columns
    cost 1 ms of CPU a request, for a statement PostgreSQL answers in a tenth of that.
    """
    using = router.db_for_read(IntegrationAccount)
    found = _token_lookup(using).first(using, [token_hash])
    if found is None:
        return None
    account, account.own_permissions, account.role_permissions, account.memberships = found
    return account


@functools.cache
def _token_lookup(using: str) -> JoinedRead:
    """The statement of `active_account_with_its_rights`: the account, its user and its
    channel (every concrete field, as `select_related` reads them), then the rights columns."""
    return joined_read(
        using,
        IntegrationAccount,
        related=("user", "channel"),
        where=" AND ".join(
            [
                f"{quoted(using, IntegrationAccount, 'token_hash')} = %s",
                quoted(using, IntegrationAccount, "is_active"),
                quoted(using, User, "is_active"),
            ]
        ),
        extra_columns=[(column.sql, column.params) for column in _rights_columns(using).values()],
    )


@functools.cache
def _rights_columns(using: str) -> dict[str, RawSQL]:
    """The three subqueries, compiled once per process for the database they are read from.

    Their SQL never changes (the outer row is always `api_integrationaccount`), and resolving
    then compiling them on each request cost 1 ms of CPU, more than the two queries they
    replace; a compiled subquery costs nothing to add.
    """
    # A null programme reads "" (Concat coalesces); the flag "true" or "1", as the database writes it.
    membership = Concat(
        "organisation_id", Value(":"), "programme_id", Value(":"), "all_programmes", output_field=CharField()
    )
    permission = _permission_name("permission")
    query = IntegrationAccount.objects.annotate(
        own_permissions=_joined(User.user_permissions.through.objects, user="user", value=permission),
        role_permissions=_joined(Group.permissions.through.objects, user="group__user", value=permission),
        memberships=_joined(Membership.objects, user="user", value=membership),
    ).query
    compiler = query.get_compiler(using=using)
    return {
        alias: RawSQL(*compiler.compile(subquery), output_field=TextField())  # noqa: S611 — our own SQL
        for alias, subquery in query.annotations.items()
    }


def keep_rights(account) -> None:
    """Fill the user's per-request caches from the rights columns of `active_account_with_its_rights`.

    ModelBackend's `_perm_cache` (the same set it would read; a superuser keeps the backend's
    own path, every permission), and the programme scope of its memberships. A membership on
    « tous les programmes » makes the scope depend on the user's roles: `programme_scope()`
    then reads it as before, when asked.
    """
    user = account.user
    if not user.is_superuser:
        names = f"{account.own_permissions or ''}{_ROWS}{account.role_permissions or ''}".split(_ROWS)
        user._perm_cache = {name for name in names if name}
    rows = []
    for row in account.memberships.split(_ROWS) if account.memberships else ():
        organisation, programme, every = row.split(":")
        rows.append((int(organisation), int(programme) if programme else None, every in ("true", "1")))
    if not any(every for _organisation, _programme, every in rows):
        user._programme_scope = user.scope_from_memberships(rows)


def load_permissions(user) -> None:
    """Read the user's permissions, their own and their groups', in one query.

    Django's ModelBackend reads them in two queries the first time `has_perm` is asked and
    keeps them on the user object for the rest of the request; this fills the same
    per-request cache (`_perm_cache`) with the same set. A superuser keeps the backend's own
    path (every permission).

    Each source is a subquery on its link table's user index: `Q(user=…) | Q(group__user=…)`
    joined every permission to both link tables and filtered afterwards (a hash join over all
    400 permissions, then a DISTINCT), three times the planning and execution time.
    """
    if user.is_superuser or hasattr(user, "_perm_cache"):
        return
    own = user.user_permissions.through.objects.filter(user=user).values("permission")
    through_groups = Group.permissions.through.objects.filter(group__user=user).values("permission")
    rows = (
        Permission.objects.filter(Q(pk__in=own) | Q(pk__in=through_groups))
        .values_list("content_type__app_label", "codename")
        .order_by()
    )
    user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("Jeton d'un compte d'intégration, précédé de « Token » : « Token <jeton> ».")),
        }
