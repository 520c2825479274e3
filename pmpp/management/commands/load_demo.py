"""Demo data: one account per role (with memberships), for trying the site locally.

All demo accounts share one random password, generated when the accounts are created and
printed that once: it is stored nowhere else. `--reset-passwords` issues a new one.
"""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pmpp import roles
from pmpp.hooks import app_hooks
from pmpp.models import Membership, Organisation, Programme, User
from pmpp.reference_data import load_reference_data

# (username, first name, last name, role code or None for the superuser, [(organisation, programme)]).
# SPEC §1: CNRA staff work Tayssir and DAAM, CNSS staff AMO TADAMON, the ministry's own staff
# (MEF, Direction du Budget) TADAMON COVID and Allocations Familiales; each organisation has
# its own head of service, closing officer and GBV referent. ALL is « tous les programmes »,
# for the project-wide roles only (pmpp.roles.PROJECT_WIDE_ROLES).
ALL = "*"
CNRA = [("cdg-cnra", "tayssir"), ("cdg-cnra", "daam")]
CNSS = [("cnss", "amo-tadamon")]
MEF = [("mef-db", "tadamon-covid"), ("mef-db", "allocations-familiales")]
DEMO_ACCOUNTS = [
    ("agent", "Salma", "Bennani", roles.AGENT, CNRA),
    ("agent.cnss", "Rachid", "Amrani", roles.AGENT, CNSS),
    ("agent.mef", "Imane", "Sqalli", roles.AGENT, MEF),
    ("traitement", "Youssef", "Alaoui", roles.CASE_HANDLER, CNRA),
    ("responsable", "Nadia", "Tazi", roles.HEAD_OF_BENEFICIARY_SERVICES, CNRA),
    ("responsable.cnss", "Hassan", "Ouazzani", roles.HEAD_OF_BENEFICIARY_SERVICES, CNSS),
    ("responsable.mef", "Samira", "Lahlou", roles.HEAD_OF_BENEFICIARY_SERVICES, MEF),
    ("cloture", "Karim", "Idrissi", roles.CLOSING_OFFICER, CNRA),
    ("cloture.cnss", "Mehdi", "Benkirane", roles.CLOSING_OFFICER, CNSS),
    ("cloture.mef", "Zineb", "Naciri", roles.CLOSING_OFFICER, MEF),
    ("partenaire", "Hicham", "Berrada", roles.PARTNER_LIAISON, [("menps", "tayssir")]),
    ("referent.vbg", "Meryem", "Chraibi", roles.GBV_REFERENT, CNRA),
    ("referent.vbg.cnss", "Houda", "Filali", roles.GBV_REFERENT, CNSS),
    ("referent.vbg.mef", "Asmae", "Berrechid", roles.GBV_REFERENT, MEF),
    ("pointfocal", "Leila", "Benjelloun", roles.ES_FOCAL_POINT, [("mef-db", ALL)]),
    ("ministere", "Omar", "El Fassi", roles.MINISTRY_VIEWER, [("mef-db", ALL)]),
    ("referentiels", "Amina", "Kettani", roles.REFERENCE_ADMIN, [("mef-db", ALL)]),
    ("admin", "Admin", "PMPP", None, []),
]
CHANGE_REASON = "Chargement des données de démonstration"


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (un par rôle). Refusé si DEBUG est désactivé, sauf --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Autoriser l'exécution avec DEBUG désactivé.")
        parser.add_argument(
            "--grievances", type=int, default=200, help="Nombre de réclamations de démonstration (200 par défaut)."
        )
        parser.add_argument(
            "--reset-passwords", action="store_true", help="Générer un nouveau mot de passe de démonstration."
        )

    def handle(self, *args, force: bool = False, reset_passwords: bool = False, grievances: int = 200, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusé : DEBUG est désactivé, ce serveur ressemble à une production. "
                "Relancez avec --force si c'est bien une instance de démonstration."
            )
        roles.sync_roles()
        load_reference_data()
        password, created = self._load_accounts(reset_passwords=reset_passwords)
        # Each app brings its own demo data (pmpp.hooks): the ground floor names no app.
        for load in app_hooks("load_demo"):
            said = load(grievances=grievances)
            if said:
                self.stdout.write(said)
        self._print_accounts(password=password, created=created)

    @transaction.atomic
    def _load_accounts(self, *, reset_passwords: bool) -> tuple[str | None, list[str]]:
        password = secrets.token_urlsafe(12)
        created = []
        for username, first_name, last_name, role_code, scopes in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first_name, last_name=last_name)
                user.is_superuser = role_code is None
                user.is_staff = role_code in (None, roles.REFERENCE_ADMIN)
                user.set_password(password)
                user._change_reason = CHANGE_REASON
                user.save()
                created.append(username)
            elif reset_passwords:
                user.set_password(password)
                user._change_reason = "Nouveau mot de passe de démonstration"
                user.save()
                created.append(username)
            if role_code is not None:
                user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[role_code].group_name))
            _sync_memberships(user, scopes)
        return (password if created else None), created

    def _print_accounts(self, *, password: str | None, created: list[str]) -> None:
        width = max(len(username) for username, *_ in DEMO_ACCOUNTS)
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration :")
        for username, _first, _last, role_code, _scopes in DEMO_ACCOUNTS:
            label = roles.ROLES_BY_CODE[role_code].group_name if role_code else "Superutilisateur"
            self.stdout.write(f"  {username.ljust(width)}  {label}")
        if password:
            self.stdout.write("")
            self.stdout.write(self.style.WARNING(f"  Mot de passe (affiché une seule fois) : {password}"))
            if len(created) < len(DEMO_ACCOUNTS):
                self.stdout.write(f"  Valable pour : {', '.join(created)}")
        else:
            self.stdout.write(
                "  Mot de passe inchangé (affiché à la création). Nouveau mot de passe : make demo-passwords"
            )
        self.stdout.write("")


def _sync_memberships(user: User, scopes: list[tuple[str, str]]) -> None:
    """The account's memberships become exactly `scopes` (a demo made before keeps none other)."""
    wanted = set()
    for organisation_code, programme_code in scopes:
        organisation = Organisation.objects.get(code=organisation_code)
        programme = None if programme_code == ALL else Programme.objects.get(code=programme_code)
        membership = Membership.objects.filter(user=user, organisation=organisation, programme=programme).first()
        if membership is None or membership.all_programmes != (programme is None):
            membership = membership or Membership(user=user, organisation=organisation, programme=programme)
            membership.all_programmes = programme is None
            membership._change_reason = CHANGE_REASON
            membership.save()
        wanted.add(membership.pk)
    for membership in user.memberships.exclude(pk__in=wanted):
        membership._change_reason = CHANGE_REASON
        membership.delete()
