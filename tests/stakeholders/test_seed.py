"""The stakeholder registry is seeded from the PMPP once, idempotently, without overwriting edits.

The loader may already have run (post_migrate); every test calls it explicitly first.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from pmpp.models import Organisation
from stakeholders.models import (
    BudgetLine,
    Campaign,
    Concern,
    DisclosedDocument,
    EngagementActivity,
    Risk,
    StakeholderGroup,
)
from stakeholders.seed import CHANGE_REASON, VULNERABLE_GROUPS_3_2, load_stakeholder_seed

pytestmark = pytest.mark.django_db
SEEDED_MODELS = [
    Organisation,
    StakeholderGroup,
    EngagementActivity,
    Concern,
    Campaign,
    BudgetLine,
    DisclosedDocument,
    Risk,
]


def _counts():
    return {model.__name__: (model.objects.count(), model.history.count()) for model in SEEDED_MODELS}


def test_groups_of_all_three_categories_including_the_vulnerable_groups_of_section_3_2():
    load_stakeholder_seed()
    categories = set(StakeholderGroup.objects.values_list("category", flat=True))
    assert categories >= {"affected", "interested", "vulnerable"}
    vulnerable = StakeholderGroup.objects.filter(category=StakeholderGroup.Category.VULNERABLE)
    assert set(VULNERABLE_GROUPS_3_2) <= set(vulnerable.values_list("code", flat=True))
    names = set(vulnerable.values_list("name", flat=True))
    assert {
        "Personnes analphabètes",
        "Travailleurs dans le secteur informel",
        "Les femmes et les enfants à risque",
        "Personnes âgées, malades et vulnérables",
        "Personnes habitant dans les zones rurales éloignées",
        "Personnes aux connaissances faibles à la technologie numérique",
    } <= names


def test_the_section_3_3_table_rows_carry_languages_and_notification_means():
    load_stakeholder_seed()
    beneficiaries = StakeholderGroup.objects.get(code="beneficiaires-transferts-monetaires")
    assert beneficiaries.category == StakeholderGroup.Category.AFFECTED
    assert beneficiaries.language_needs == ["darija", "amazigh"]
    assert beneficiaries.notification_means == ["telephone", "radio", "focus_group"]
    assert StakeholderGroup.objects.get(code="medias").language_needs == ["darija", "amazigh", "french"]
    assert StakeholderGroup.objects.get(code="entites-gouvernementales").programmes.count() == 5


def test_the_13_february_2023_workshop_at_hotel_la_tour_hassan():
    load_stakeholder_seed()
    workshop = EngagementActivity.objects.get(start_date=date(2023, 2, 13))
    assert workshop.type == EngagementActivity.Type.WORKSHOP
    assert workshop.place == "Hôtel La Tour Hassan, Rabat"
    assert workshop.organiser.code == "mef-db"
    assert "allocations familiales" in workshop.title
    assert workshop.present_organisations.filter(kind="international").count() == 3
    assert workshop.present_organisations.exclude(kind="international").count() == 11
    assert workshop.participants_total == 14
    assert "Séance 1" in workshop.topics
    assert "Séance 2" in workshop.topics
    assert workshop.concerns.filter(theme="Options de financement").exists()


def test_the_other_activities_of_section_3_1():
    load_stakeholder_seed()
    tayssir_focus_groups = EngagementActivity.objects.get(
        type=EngagementActivity.Type.FOCUS_GROUP, start_date=date(2021, 6, 1)
    )
    assert tayssir_focus_groups.end_date == date(2021, 9, 30)
    assert tayssir_focus_groups.organiser.code == "menps"
    video_conferences = EngagementActivity.objects.filter(type=EngagementActivity.Type.VIDEOCONFERENCE)
    assert set(video_conferences.values_list("start_date", flat=True)) >= {date(2023, 3, 21), date(2023, 3, 22)}
    assert all(activity.online for activity in video_conferences)
    assert EngagementActivity.objects.filter(title__startswith="Réunions de cartographie des programmes").exists()


def test_the_tayssir_plan_has_seven_lines_totalling_943830_mad():
    load_stakeholder_seed()
    campaign = Campaign.objects.get(programme__code="tayssir", title__startswith="Plan de communication Tayssir")
    assert (campaign.start_date, campaign.end_date) == (date(2022, 9, 1), date(2023, 3, 31))
    assert campaign.responsible.code == "cdg-cnra"
    assert campaign.lines.count() == 7
    assert campaign.lines.aggregate(total=Sum("planned_amount"))["total"] == Decimal("943830")
    assert campaign.lines.get(label="X-Banner").planned_amount == Decimal("6240")
    assert campaign.lines.aggregate(total=Sum("actual_amount"))["total"] == Decimal("0")


def test_the_amo_tadamon_communication_budget_of_about_27_million():
    load_stakeholder_seed()
    campaign = Campaign.objects.get(programme__code="amo-tadamon")
    assert campaign.lines.aggregate(total=Sum("planned_amount"))["total"] == Decimal("27000000")


def test_the_preliminary_pmpp_of_6_november_2020_is_a_disclosed_document():
    load_stakeholder_seed()
    assert DisclosedDocument.objects.filter(version="Version préliminaire", published_on=date(2020, 11, 6)).exists()


def test_the_five_risks_of_section_2_2():
    load_stakeholder_seed()
    risks = Risk.objects.filter(number__in=range(1, 6))
    assert sorted(risks.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert "exclusion" in risks.get(number=1).title
    assert "Composante 3" in risks.get(number=3).components
    assert "handicap" in risks.get(number=5).title


def test_seeded_rows_have_a_history_entry_with_the_seed_reason():
    load_stakeholder_seed()
    record = Risk.history.filter(number=1).earliest("history_date")
    assert record.history_type == "+"
    assert record.history_change_reason == CHANGE_REASON


def test_loading_twice_creates_nothing_and_writes_no_history():
    load_stakeholder_seed()
    before = _counts()
    assert load_stakeholder_seed() == {}
    assert _counts() == before


def test_an_edited_row_is_not_overwritten_by_a_second_load():
    load_stakeholder_seed()
    group = StakeholderGroup.objects.get(code="medias")
    group.name = "Médias (presse écrite, radios, télévisions)"
    group.save()
    risk = Risk.objects.get(number=4)
    risk.mitigation = "Mesures revues par le point focal E&S."
    risk.save()
    line = BudgetLine.objects.get(campaign__programme__code="tayssir", label="Flyers")
    line.actual_amount = Decimal("3000")
    line.save()

    assert load_stakeholder_seed() == {}

    assert StakeholderGroup.objects.get(code="medias").name == "Médias (presse écrite, radios, télévisions)"
    assert Risk.objects.get(number=4).mitigation == "Mesures revues par le point focal E&S."
    assert BudgetLine.objects.get(pk=line.pk).actual_amount == Decimal("3000")


def test_a_deleted_group_is_created_again():
    load_stakeholder_seed()
    StakeholderGroup.objects.get(code="zones-rurales-eloignees").delete()
    assert load_stakeholder_seed() == {"StakeholderGroup": 1}
    assert StakeholderGroup.objects.filter(code="zones-rurales-eloignees").exists()
