"""References come from one counter row per prefix and year, incremented in one statement
(`UPDATE … RETURNING`); the concurrent case is in test_intake.py (PostgreSQL)."""

import pytest
from django.db import transaction

from grievances.models import ReferenceCounter
from grievances.services.references import next_reference

pytestmark = pytest.mark.django_db


def test_the_first_reference_of_a_year_creates_its_counter_and_the_next_ones_follow():
    with transaction.atomic():
        issued = [next_reference(prefix="TAY", year=2031) for _ in range(3)]

    assert issued == ["TAY-2031-000001", "TAY-2031-000002", "TAY-2031-000003"]
    assert ReferenceCounter.objects.get(prefix="TAY", year=2031).last_value == 3


def test_each_prefix_and_year_counts_on_its_own():
    with transaction.atomic():
        next_reference(prefix="TAY", year=2031)
        assert next_reference(prefix="TAY", year=2032) == "TAY-2032-000001"
        assert next_reference(prefix="AMO", year=2031) == "AMO-2031-000001"
        assert next_reference(prefix="TAY", year=2031) == "TAY-2031-000002"


def test_a_rolled_back_intake_gives_its_number_back():
    with transaction.atomic():
        next_reference(prefix="TAY", year=2031)

    def take_a_number_then_fail() -> None:
        with transaction.atomic():
            next_reference(prefix="TAY", year=2031)
            raise RuntimeError("the intake fails after taking its number")

    with pytest.raises(RuntimeError):
        take_a_number_then_fail()
    with transaction.atomic():
        assert next_reference(prefix="TAY", year=2031) == "TAY-2031-000002"


@pytest.mark.django_db(transaction=True)  # outside any transaction, the test's included
def test_a_reference_is_only_issued_inside_a_transaction():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        next_reference(prefix="TAY", year=2031)
