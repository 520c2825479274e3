"""Token authentication of integration accounts: `Authorization: Token <token>`."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import IntegrationAccount, hash_token

KEYWORD = "Token"


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """The token is looked up by its SHA-256 hash; a deactivated account or user is refused."""

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
        account = (
            IntegrationAccount.objects.select_related("user", "channel")
            .filter(token_hash=hash_token(token), is_active=True, user__is_active=True)
            .first()
        )
        if account is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide ou compte d'intégration désactivé."))
        account.user.integration_account = account
        return account.user, account

    def authenticate_header(self, request) -> str:
        return KEYWORD


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
