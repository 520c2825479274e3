import pytest

from answers.services import answer_template_create
from pmpp import roles
from tests.factories import UserFactory
from tests.grievances.conftest import (  # noqa: F401 — the grievance personas and the walk, reused here
    hicham,
    massar_category,
    payment_category,
    payments_unit,
    phone,
    rachid,
    tayssir,
    unfounded_reason,
    walk,
)


@pytest.fixture
def hassan(db):
    """Head of beneficiary services at CNSS, on AMO TADAMON only."""
    return UserFactory(username="hassan", role=roles.HEAD_OF_BENEFICIARY_SERVICES, scopes=[("cnss", "amo-tadamon")])


def make_template(actor, **overrides):
    data = {
        "name": "Paiement régularisé",
        "programme": None,
        "category": None,
        "outcome": "",
        "text_fr": "Votre réclamation {reference} est traitée.",
        "text_ar": "تمت معالجة شكايتكم رقم {reference}.",
    }
    return answer_template_create(actor=actor, **(data | overrides))
