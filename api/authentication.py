"""Token authentication of integration accounts: `Authorization: Token <token>`."""

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
