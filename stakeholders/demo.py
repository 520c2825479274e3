"""Demo content for the registry: stakeholders on the influence–interest map, representatives
with their mandate checks, and corrective actions, created through the services."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pmpp.models import Organisation, Programme, Region, User
from stakeholders.models import CorrectiveAction, MandateVerification, Representative, Stakeholder, StakeholderGroup
from stakeholders.services import corrective_action_start, mandate_verification_record, progress_note_add

# (organisation code, influence 1-5, interest 1-5, programmes)
STAKEHOLDERS = [
    ("mef-db", 5, 5, ["tadamon-covid", "allocations-familiales", "amo-tadamon"]),
    ("menps", 5, 4, ["tayssir"]),
    ("msisf", 4, 4, ["daam", "allocations-familiales"]),
    ("mi", 5, 3, ["amo-tadamon"]),
    ("cnss", 4, 5, ["amo-tadamon"]),
    ("cdg-cnra", 4, 5, ["tayssir", "daam"]),
    ("banque-mondiale", 5, 4, []),
    ("unicef", 3, 4, ["allocations-familiales"]),
    ("amh", 2, 5, ["daam"]),
    ("hi-maroc", 2, 4, ["daam"]),
    ("edp", 3, 2, ["tayssir", "daam"]),
    ("medias", 3, 2, []),
]
REPRESENTATIVES = [
    ("Association des parents d'élèves de Taroudant", "Présidente", "vulnerable-rural"),
    ("Coordination régionale des personnes en situation de handicap", "Coordinateur", "personnes-handicap"),
]


@transaction.atomic
def load_demo_stakeholders() -> int:
    if Stakeholder.objects.exists():
        return 0
    focal_point = User.objects.get(username="pointfocal")
    made = 0
    regions = list(Region.objects.order_by("code"))
    for index, (code, influence, interest, programmes) in enumerate(STAKEHOLDERS):
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            continue
        stakeholder = Stakeholder(
            kind=Stakeholder.Kind.ORGANISATION,
            name=organisation.name,
            organisation=organisation,
            influence=influence,
            interest=interest,
            region=regions[index % len(regions)] if organisation.kind == "ngo" else None,
        )
        stakeholder._change_reason = "Données de démonstration"
        stakeholder._history_user = focal_point
        stakeholder.save()
        stakeholder.programmes.set(Programme.objects.filter(code__in=programmes))
        made += 1
    groups = {g.code: g for g in StakeholderGroup.objects.all()}
    fallback = next(iter(groups.values()), None)
    today = timezone.localdate()
    for position, (name, role, group_code) in enumerate(REPRESENTATIVES):
        group = groups.get(group_code) or fallback
        if group is None:
            break
        representative = Representative(group=group, name=name, role=role)
        representative._change_reason = "Données de démonstration"
        representative._history_user = focal_point
        representative.save()
        mandate_verification_record(
            representative=representative,
            actor=focal_point,
            method=MandateVerification.Method.ASSEMBLY,
            verified_on=today - timedelta(days=300 + 60 * position),
            outcome=MandateVerification.Outcome.CONFIRMED,
            expires_on=today + timedelta(days=20 - 40 * position),
        )
        made += 1
    owner = Organisation.objects.get(code="cdg-cnra")
    tayssir = Programme.objects.get(code="tayssir")
    for title, due_in, started in [
        ("Rappeler par SMS les tuteurs dont le RIB a été rejeté", -5, True),
        ("Publier une FAQ sur les délais de paiement des bourses", 25, False),
    ]:
        action = CorrectiveAction(
            title=title,
            source=CorrectiveAction.Source.GRIEVANCES,
            programme=tayssir,
            owner_organisation=owner,
            owner_name="Service des paiements",
            due_on=today + timedelta(days=due_in),
        )
        action._change_reason = "Action décidée à partir des réclamations (démonstration)"
        action._history_user = focal_point
        action.save()
        if started:
            corrective_action_start(action=action, actor=focal_point)
            progress_note_add(
                action=action, actor=focal_point, text="Liste des tuteurs extraite du SI.", percent_done=40
            )
        made += 1
    return made
