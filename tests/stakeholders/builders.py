"""Registry rows for the screen and service tests, built straight in the database (Arrange).

The database already holds the PMPP seed (groups, activities, campaigns, risks): tests
build their own rows next to it and never count on the seed's exact content.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from pmpp.models import Organisation, Programme, Region
from stakeholders.models import (
    BudgetLine,
    Campaign,
    CorrectiveAction,
    EngagementActivity,
    MandateVerification,
    Representative,
    Risk,
    Stakeholder,
    StakeholderGroup,
)

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def today() -> date:
    return timezone.localdate()


def organisation(code: str = "mef-db") -> Organisation:
    return Organisation.objects.get(code=code)


def programme(code: str = "tayssir") -> Programme:
    return Programme.objects.get(code=code)


def make_group(n: int = 0, **fields) -> StakeholderGroup:
    defaults = {
        "code": f"groupe-test-{n}",
        "name": f"Groupe test {n}",
        "category": StakeholderGroup.Category.VULNERABLE,
        "language_needs": ["darija", "amazigh"],
        "notification_means": ["radio", "sms"],
    }
    group = StakeholderGroup.objects.create(**{**defaults, **fields})
    group.programmes.add(programme())
    return group


def make_stakeholder(name: str = "Association test", *, influence: int = 3, interest: int = 3, **fields):
    stakeholder = Stakeholder.objects.create(
        kind=fields.pop("kind", Stakeholder.Kind.ORGANISATION),
        name=name,
        influence=influence,
        interest=interest,
        organisation=fields.pop("organisation", organisation()),
        region=fields.pop("region", Region.objects.order_by("code").first()),
        **fields,
    )
    stakeholder.programmes.add(programme())
    return stakeholder


def make_representative(name: str = "Fatima Zahra", *, group: StakeholderGroup | None = None, **fields):
    return Representative.objects.create(
        group=group or StakeholderGroup.objects.order_by("id").first(), name=name, role="Présidente", **fields
    )


def verify(representative, *, by, outcome: str = "confirmed", days_ago: int = 10, expires_in: int | None = None):
    verified_on = today() - timedelta(days=days_ago)
    return MandateVerification.objects.create(
        representative=representative,
        method=MandateVerification.Method.DOCUMENT,
        verified_on=verified_on,
        verified_by=by,
        outcome=outcome,
        expires_on=None if expires_in is None else today() + timedelta(days=expires_in),
    )


def make_activity(title: str = "Focus group Tayssir à Taroudant", **fields) -> EngagementActivity:
    activity = EngagementActivity.objects.create(
        type=fields.pop("type", EngagementActivity.Type.FOCUS_GROUP),
        title=title,
        start_date=fields.pop("start_date", date(2023, 2, 13)),
        place=fields.pop("place", "Hôtel La Tour Hassan, Rabat"),
        organiser=fields.pop("organiser", organisation()),
        participants_women=fields.pop("participants_women", 12),
        participants_men=fields.pop("participants_men", 9),
        languages=fields.pop("languages", ["darija", "french"]),
        **fields,
    )
    activity.programmes.add(programme())
    activity.present_organisations.add(organisation("menps"))
    return activity


def make_campaign(title: str = "Plan de communication Tayssir", *, lines=(), **fields) -> Campaign:
    campaign = Campaign.objects.create(
        programme=fields.pop("programme", programme()),
        title=title,
        responsible=fields.pop("responsible", organisation("cdg-cnra")),
        start_date=fields.pop("start_date", date(2022, 9, 1)),
        end_date=fields.pop("end_date", date(2023, 3, 31)),
        languages=fields.pop("languages", ["arabic", "amazigh"]),
        **fields,
    )
    for position, (label, planned, actual) in enumerate(lines, start=1):
        BudgetLine.objects.create(
            campaign=campaign,
            position=position,
            label=label,
            planned_amount=Decimal(planned),
            actual_amount=Decimal(actual),
        )
    return campaign


def make_action(title: str = "Relancer les paiements en retard", *, due_in: int = 10, **fields) -> CorrectiveAction:
    return CorrectiveAction.objects.create(
        title=title,
        source=fields.pop("source", CorrectiveAction.Source.CONSULTATION),
        owner_organisation=fields.pop("owner_organisation", organisation("cdg-cnra")),
        due_on=today() + timedelta(days=due_in),
        **fields,
    )


def make_risk(number: int = 101, **fields) -> Risk:
    return Risk.objects.create(
        number=number,
        title=fields.pop("title", f"Risque test {number}"),
        components=fields.pop("components", "Composante 2"),
        mitigation=fields.pop("mitigation", "Campagne d'information ciblée"),
        **fields,
    )
