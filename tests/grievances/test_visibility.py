"""One scope per model (SPEC §1, §5.5): the queryset and the object check always agree."""

import pytest

from grievances.access import user_can_see_grievance, user_can_see_sensitive_case
from grievances.models import Grievance, SensitiveCase
from grievances.selectors import grievance_get_for_user
from grievances.services.intake import SensitiveDetails, grievance_register
from pmpp import roles
from pmpp.models import Channel, ComplaintCategory, Programme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(walk, rachid, salma):
    """Grievances across programmes and states, one at the partner, one sensitive."""
    amo = Programme.objects.get(code="amo-tadamon")
    amo_case = grievance_register(
        actor=rachid,
        programme=amo,
        channel=Channel.objects.get(code="walk-in"),
        description="Immatriculation refusée",
        cnie="CD778899",
        category=ComplaintCategory.objects.get(programme=amo, code="eligibilite"),
    ).grievance
    sensitive_case = grievance_register(
        actor=salma,
        programme=walk.programme,
        channel=walk.channel,
        description="x",
        sensitive=SensitiveDetails(nature="Chantage"),
    ).sensitive_case
    return {
        "tayssir_received": walk.register(),
        "tayssir_closed": walk.closed(),
        "tayssir_at_partner": walk.at_partner(),
        "tayssir_flagged": walk.sensitive(),
        "amo": amo_case,
        "sensitive_case": sensitive_case,
    }


PERSONAS = ["salma", "youssef", "nadia", "karim", "leila", "omar", "meryem", "amina", "hicham", "rachid"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queryset_scope_agrees_with_the_object_check_for_every_role(request, population, persona):
    user = request.getfixturevalue(persona)
    scoped = set(Grievance.objects.visible_to(user).values_list("pk", flat=True))
    checked = {g.pk for g in Grievance.objects.all() if user_can_see_grievance(user, g)}
    assert scoped == checked
    sensitive_scoped = set(SensitiveCase.objects.visible_to(user).values_list("pk", flat=True))
    sensitive_checked = {c.pk for c in SensitiveCase.objects.all() if user_can_see_sensitive_case(user, c)}
    assert sensitive_scoped == sensitive_checked


def _visible(user) -> set[str]:
    return set(Grievance.objects.visible_to(user).values_list("reference", flat=True))


def test_an_agent_of_cnra_on_tayssir_does_not_see_amo_tadamon_cases_of_cnss(population, salma, rachid):
    assert population["amo"].reference not in _visible(salma)
    assert population["tayssir_received"].reference in _visible(salma)
    assert _visible(rachid) == {population["amo"].reference}


def test_the_partner_sees_only_what_was_transmitted_to_it(population, hicham):
    assert _visible(hicham) == {population["tayssir_at_partner"].reference}


def test_the_focal_point_reads_every_ordinary_grievance_but_no_sensitive_one(population, leila):
    visible = _visible(leila)
    assert population["amo"].reference in visible
    assert population["tayssir_flagged"].reference not in visible
    assert not SensitiveCase.objects.visible_to(leila).exists()


def test_only_the_gbv_referent_sees_sensitive_cases(population, meryem, salma, leila, admin_user):
    assert set(SensitiveCase.objects.visible_to(meryem)) == set(SensitiveCase.objects.all())
    assert SensitiveCase.objects.count() == 2
    for other in (salma, leila, admin_user):
        assert not SensitiveCase.objects.visible_to(other).exists()
        assert population["tayssir_flagged"].reference not in _visible(other)
    assert _visible(meryem) == {population["tayssir_flagged"].reference}


def test_a_referent_of_another_programme_does_not_see_the_case(population):
    referent = UserFactory(role=roles.GBV_REFERENT, scopes=[("cnss", "amo-tadamon")])
    assert not SensitiveCase.objects.visible_to(referent).exists()


def test_a_user_without_membership_sees_nothing(population):
    assert _visible(UserFactory(role=roles.AGENT)) == set()


def test_a_deactivated_user_sees_nothing(population, salma):
    salma.is_active = False
    assert _visible(salma) == set()


def test_fetching_an_invisible_grievance_is_a_404(population, salma):
    from django.http import Http404

    with pytest.raises(Http404):
        grievance_get_for_user(user=salma, pk=population["amo"].pk)
    assert (
        grievance_get_for_user(user=salma, pk=population["tayssir_received"].pk).pk == population["tayssir_received"].pk
    )
