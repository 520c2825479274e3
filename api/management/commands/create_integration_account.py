"""Create an integration account for a channel and print its token, once."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from api.models import IntegrationAccount
from pmpp import roles
from pmpp.accounts import service_account_ensure
from pmpp.models import Channel, Organisation, Programme, User


class Command(BaseCommand):
    help = (
        "Crée un compte d'intégration (API) pour un canal et affiche son jeton une seule fois. "
        "Le jeton n'est conservé que sous forme d'empreinte ; pour le révoquer, désactivez le compte."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du compte, ex. chikaya-ma")
        parser.add_argument("--channel", required=True, help="Code du canal, ex. chikaya")
        parser.add_argument("--organisation", required=True, help="Code de l'organisation, ex. cdg-cnra")
        parser.add_argument(
            "--programme", action="append", default=[], help="Code d'un programme (répétable) ; aucun : tous"
        )
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=sorted(roles.ROLES_BY_CODE),
            help="Rôle supplémentaire (ex. agent pour un centre d'appels qui fait avancer les dossiers)",
        )

    @transaction.atomic
    def handle(self, *args, name, channel, organisation, programme, role, **options):
        try:
            channel_row = Channel.objects.get(code=channel, is_active=True)
            organisation_row = Organisation.objects.get(code=organisation)
            programmes = [Programme.objects.get(code=code) for code in programme] or [None]
        except (Channel.DoesNotExist, Organisation.DoesNotExist, Programme.DoesNotExist) as error:
            raise CommandError(f"Code inconnu : {error}") from None
        username = f"api-{name}"
        if IntegrationAccount.objects.filter(name=name).exists() or User.objects.filter(username=username).exists():
            raise CommandError(f"Le compte « {name} » existe déjà.")
        # It signs in with its token only, never on the login page.
        user, _created = service_account_ensure(
            username=username,
            first_name="API",
            last_name=name,
            role_codes=(roles.INTEGRATION_ACCOUNT, *role),
            organisation=organisation_row.code,
            programmes=tuple(p.code if p else None for p in programmes),
            reason="Compte d'intégration (API)",
        )
        token, token_hash = IntegrationAccount.new_token()
        IntegrationAccount.objects.create(name=name, user=user, channel=channel_row, token_hash=token_hash)
        self.stdout.write(f"Compte d'intégration « {name} » créé pour le canal « {channel_row.name} ».")
        self.stdout.write("Jeton (affiché une seule fois, conservez-le en lieu sûr) :")
        self.stdout.write(token)
