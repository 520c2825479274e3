import factory
from django.contrib.auth.models import Group

from pmpp import roles
from pmpp.models import Membership, Organisation, Programme, User

PASSWORD = "Correct-Horse-42"
ALL = "*"  # a membership on « tous les programmes »
CNRA = [("cdg-cnra", "tayssir"), ("cdg-cnra", "daam")]  # CNRA's staff work Tayssir and DAAM (SPEC §1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[extracted].group_name))

    @factory.post_generation
    def scopes(self, create, extracted, **kwargs):
        """scopes=[("cdg-cnra", "tayssir"), ("mef-db", ALL)] — organisation and programme codes.

        ALL is « tous les programmes » (project-wide roles only); None, a membership that names
        no programme and grants none (a partner liaison's organisation).
        """
        for organisation_code, programme_code in extracted or []:
            Membership.objects.create(
                user=self,
                organisation=Organisation.objects.get(code=organisation_code),
                programme=Programme.objects.get(code=programme_code) if programme_code not in (None, ALL) else None,
                all_programmes=programme_code == ALL,
            )


def intake_form_data(**overrides) -> dict:
    """A valid back-office intake form: a Tayssir payment complaint taken by the call centre."""
    from pmpp.models import Channel, ComplaintCategory

    return {
        "programme": Programme.objects.get(code="tayssir").pk,
        "channel": Channel.objects.get(code="call-centre").pk,
        "category": ComplaintCategory.objects.get(programme__code="tayssir", code="paiement-non-recu").pk,
        "description": "La bourse n'est pas arrivée.",
        "cnie": "AB123456",
        "phone": "0612345678",
        "name": "Fatima Zahra",
        "sex": "female",
        "age_group": "36_59",
        "perpetrator_linked": "unknown",
        "survivor_age_group": "unknown",
        "survivor_sex": "unknown",
        "identity_verified": "on",
    } | overrides
