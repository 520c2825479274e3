"""The seed's own figures (PMPP §6.2.6): the Tayssir report of the first quarter of 2023.

`generate_grievances --profile tayssir-q1-2023` records the quarter's complaints through the
replay service (state machine, permissions, closure-date rule, history), and the statistics
of that quarter must give back every figure the report states.
"""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from grievances.models import Grievance
from pmpp.models import ComplaintCategory, Programme
from reporting.statistics import Filters, Period, grievance_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(db):
    call_command("generate_grievances", profile="tayssir-q1-2023", force=True, stdout=io.StringIO())
    return Period.quarter(2023, 1)


def by_type(user, period, *, web: bool) -> dict:
    tayssir = Programme.objects.get(code="tayssir")
    rows = grievance_statistics(
        user=user, period=period, filters=Filters(programme_ids=(tayssir.pk,), web=web), group_by="category"
    )
    names = dict(ComplaintCategory.objects.values_list("pk", "name"))
    return {names[pk]: stats.complaints for pk, stats in rows.items()}


def test_the_quarter_reproduces_every_figure_of_the_tayssir_report(quarter, leila, omar):
    tayssir = Programme.objects.get(code="tayssir")
    for user in (leila, omar):  # the focal point and ministry staff read the same figures
        web = grievance_statistics(user=user, period=quarter, filters=Filters(programme_ids=(tayssir.pk,), web=True))[
            None
        ]
        assert web.received == web.complaints == 32773
        assert by_type(user, quarter, web=True) == {
            "Inscription rejetée": 4588,  # type 1
            "Paiement non reçu": 25235,  # type 2
            "Paiement incomplet / montant de la bourse": 2950,  # type 3
        }
        assert web.founded == 7792
        assert web.treated_rate == 100.0
        # « délai moyen de traitement de 10 jours »: whole days of local dates, over the complaints.
        assert web.average_delay_days == 10.0

        other = grievance_statistics(
            user=user, period=quarter, filters=Filters(programme_ids=(tayssir.pk,), web=False)
        )[None]
        assert other.received == 241
        # The 241 « réclamations hors web » of the report are 89 complaints (9 founded, 80 not) and
        # 152 requests that are not complaints: the report's categories cover all 241.
        assert (other.complaints, other.not_complaints, other.to_qualify) == (89, 152, 0)
        categories = grievance_statistics(
            user=user, period=quarter, filters=Filters(programme_ids=(tayssir.pk,), web=False), group_by="category"
        )
        names = dict(ComplaintCategory.objects.values_list("pk", "name"))
        types = {names[pk]: stats.received for pk, stats in categories.items()}
        assert types["Paiement non reçu"] + types["Paiement incomplet / montant de la bourse"] == 163  # payment
        assert types["Problème technique"] == 68
        assert types["Inscription rejetée"] == 10
        assert (other.founded, other.unfounded) == (9, 80)
        assert other.treated_rate == 100.0
        # « Le délai moyen de traitement des réclamations hors web est de 24 h »: over the 89 complaints.
        assert other.average_delay_hours == 24.0
        assert other.delays["delay_us"].count == 89

    # The report covers 10 January to 29 March 2023, and nothing else was generated.
    received = Grievance.objects.order_by("received_at").values_list("received_at", flat=True)
    assert timezone.localdate(received.first()) >= date(2023, 1, 10)
    assert timezone.localdate(received.last()) <= date(2023, 3, 29)
    assert Grievance.objects.count() == 32773 + 241
    assert grievance_statistics(user=leila, period=Period.quarter(2023, 2))[None].received == 0

    # Generating the quarter again would count it twice: refused, nothing added.
    with pytest.raises(CommandError, match="existent déjà"):
        call_command("generate_grievances", profile="tayssir-q1-2023", force=True, stdout=io.StringIO())
    assert Grievance.objects.count() == 33014
