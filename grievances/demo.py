"""Demo grievances: about 200 across programmes and in every state, made through the services.

Everything goes through the real intake and workflow services, so the demo data has
references, commitments and history exactly as production data would.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from grievances.models import Grievance
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails, grievance_register
from grievances.services.workflow.commitments import beyond_due_on
from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Programme, Region, UnfoundedReason, Unit, User

FIRST_NAMES = ["Fatima", "Khadija", "Aicha", "Mohamed", "Ahmed", "Youssef", "Naima", "Hassan", "Zineb", "Rachid"]
LAST_NAMES = ["El Amrani", "Benali", "Ouazzani", "Bouzid", "Chaoui", "Lahlou", "Naciri", "Tahiri", "Zerouali"]
DESCRIPTIONS = [
    "La bourse du trimestre n'a pas été versée.",
    "Le montant reçu est inférieur au montant annoncé.",
    "Mon inscription a été rejetée sans explication.",
    "Le nom du tuteur est mal orthographié dans MASSAR.",
    "Le site affiche une erreur lors de la connexion.",
    "Je souhaite connaître la date du prochain paiement.",
]
# Where a demo grievance stops, and how many of each (the rest are spread at random).
STATE_PATHS = {
    "received": [],
    "qualified": ["qualify"],
    "analysed": ["qualify", "analyse"],
    "routed": ["qualify", "analyse", "route"],
    "committed": ["qualify", "analyse", "route", "give", "notify"],
    "commitment_broken": ["qualify", "analyse", "route", "give", "notify", "break"],
    "treated": ["qualify", "analyse", "route", "give", "notify", "honour"],
    "at_partner": ["qualify", "transmit"],
    "partner_answered": ["qualify", "transmit", "partner"],
    "answer_drafted": ["qualify", "analyse", "draft"],
    "answer_rejected": ["qualify", "analyse", "draft", "reject"],
    "answer_approved": ["qualify", "analyse", "draft", "approve"],
    "answer_sent": ["qualify", "analyse", "route", "give", "notify", "honour", "draft", "approve", "send"],
    "closed": ["qualify", "analyse", "draft", "approve", "send", "close"],
    "closed_with_commitment": [
        "qualify",
        "analyse",
        "route",
        "give",
        "notify",
        "break",
        "renew",
        "notify",
        "honour",
        "draft",
        "approve",
        "send",
        "close",
    ],
    "closed_unfounded": ["qualify", "analyse_unfounded", "draft", "approve", "send", "close"],
    "request": ["reclassify"],
    "appealed": ["qualify", "analyse", "draft", "approve", "send", "close", "appeal"],
    "appeal_reviewed": ["qualify", "analyse", "draft", "approve", "send", "close", "appeal", "review"],
    "duplicate": None,
    "sensitive": ["flag"],
    # Appealed, the first answer reversed, answered and closed again on the appeal's own clock.
    "appeal_closed": [
        "qualify", "analyse", "draft", "approve", "send", "close", "appeal", "review_reversed", "draft", "approve",
        "send", "close",
    ],
}  # fmt: skip
NEEDS_HANDLER = {"route", "give", "honour", "break", "renew"}
NEEDS_PARTNER = {"transmit", "partner"}


class _Cast:
    def __init__(self):
        get = User.objects.get
        self.agents = {
            "tayssir": get(username="agent"),
            "daam": get(username="agent"),
            "amo-tadamon": get(username="agent.cnss"),
            "tadamon-covid": get(username="agent.mef"),
            "allocations-familiales": get(username="agent.mef"),
        }
        self.handler = get(username="traitement")
        self.partner = get(username="partenaire")
        # Each organisation approves and closes its own programmes' grievances (SPEC §1).
        by_organisation = {"cdg-cnra": "", "cnss": ".cnss", "mef-db": ".mef"}
        self.heads = {}
        self.closers = {}
        for programme in Programme.objects.select_related("managing_organisation"):
            suffix = by_organisation[programme.managing_organisation.code]
            self.heads[programme.code] = get(username=f"responsable{suffix}")
            self.closers[programme.code] = get(username=f"cloture{suffix}")


@transaction.atomic
def load_demo_grievances(*, count: int = 200, seed: int = 2023) -> int:
    """Create `count` demo grievances unless some exist already; return how many were made."""
    if Grievance.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 — demo data, reproducible on purpose
    cast = _Cast()
    programmes = {p.code: p for p in Programme.objects.all()}
    channels = list(Channel.objects.exclude(kind=Channel.Kind.MEDIATEUR))
    regions = list(Region.objects.all())
    reasons = list(UnfoundedReason.objects.all())
    units = {"cdg-cnra": Unit.objects.get(code="cnra-paiements")}
    states = list(STATE_PATHS)
    made = 0
    for index in range(count):
        state = states[index] if index < len(states) else rng.choice(states)
        steps = STATE_PATHS[state] or []
        needs_cnra = bool(set(steps) & (NEEDS_HANDLER | NEEDS_PARTNER))
        programme_code = (
            "tayssir"
            if set(steps) & NEEDS_PARTNER
            else rng.choice(["tayssir", "daam"])
            if needs_cnra
            else rng.choice(["tayssir", "tayssir", "daam", "amo-tadamon", "tadamon-covid", "allocations-familiales"])
        )
        if state == "sensitive" and index < len(states):
            programme_code = "tayssir"  # the first sensitive case is the demo referent's (CNRA)
        programme = programmes[programme_code]
        categories = list(ComplaintCategory.objects.filter(programme=programme))
        category = (
            next(c for c in categories if c.needs_partner)
            if set(steps) & NEEDS_PARTNER
            else rng.choice([c for c in categories if not c.needs_partner])
        )
        channel = rng.choice(channels)
        received_at = None
        if channel.kind not in (Channel.Kind.WALK_IN, Channel.Kind.PHONE):
            received_at = timezone.now() - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        agent = cast.agents[programme_code]
        anonymous = rng.random() < 0.04 and state != "duplicate"
        cnie = f"{rng.choice('ABCDEFGHJK')}{rng.choice('ABCDEFGHJK')}{rng.randint(100000, 999999)}"
        identity = (
            {}
            if anonymous
            else {
                "cnie": cnie,
                "phone": f"06{rng.randint(10000000, 99999999)}",
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            }
        )
        register = {
            "actor": agent,
            "programme": programme,
            "channel": channel,
            "received_at": received_at,
            "description": rng.choice(DESCRIPTIONS),
            "is_anonymous": anonymous,
            "sex": rng.choice(["female", "male", "female"]),
            "age_group": rng.choice(["18_35", "36_59", "60_plus"]),
            "region": rng.choice(regions),
            "residence": rng.choice(["urban", "rural"]),
            "category": category,
            **identity,
        }
        if state == "duplicate":
            grievance_register(**register)
            grievance_register(**register)  # same person, same subject: linked as a duplicate
            made += 2
            continue
        g = grievance_register(**register).grievance
        made += 1
        for step in steps:
            g = _step(step, g, rng=rng, cast=cast, agent=agent, unit=units["cdg-cnra"], reasons=reasons)
    return made


def _step(step: str, g: Grievance, *, rng, cast: _Cast, agent, unit, reasons) -> Grievance:
    head, closer = cast.heads[g.programme.code], cast.closers[g.programme.code]
    soon = timezone.localdate() + timedelta(days=rng.randint(1, 8))
    if step == "qualify":
        return wf.grievance_qualify(
            grievance=g,
            actor=agent,
            category=g.category,
            subject=g.category.name,
            nature="individual",
            identity_verified=not g.is_anonymous,
        )
    if step == "analyse":
        return wf.grievance_analyse(
            grievance=g, actor=agent, conclusion="Dossier vérifié dans le SI.", outcome="founded"
        )
    if step == "analyse_unfounded":
        return wf.grievance_analyse(
            grievance=g,
            actor=agent,
            conclusion="Changement de situation non déclaré.",
            outcome="unfounded",
            unfounded_reason=rng.choice(reasons),
        )
    if step == "route":
        return wf.grievance_route_to_unit(grievance=g, actor=agent, unit=unit)
    if step == "give":
        # A demo case received long ago is past its due date: the promise says why (deadline guard).
        late = "Virement de la banque prévu après l'échéance" if beyond_due_on(g, soon) else ""
        wf.commitment_give(grievance=g, actor=cast.handler, promised_on=soon, beyond_due_reason=late)
    elif step == "notify":
        wf.commitment_record_notification(commitment=g.commitments.order_by("-sequence").first(), actor=agent)
    elif step == "honour":
        wf.commitment_honour(grievance=g, actor=cast.handler)
    elif step == "break":
        wf.commitment_break(grievance=g, actor=cast.handler, reason="Fichier de paiement rejeté par la banque")
    elif step == "renew":
        late = "Virement de la banque prévu après l'échéance" if beyond_due_on(g, soon) else ""
        wf.commitment_renew(
            grievance=g,
            actor=cast.handler,
            promised_on=soon,
            reason="Nouveau virement programmé",
            beyond_due_reason=late,
        )
    elif step == "transmit":
        wf.grievance_transmit_to_partner(grievance=g, actor=agent)
    elif step == "partner":
        wf.grievance_record_partner_outcome(
            grievance=g, actor=cast.partner, founded=True, data_corrected=True, note="Donnée corrigée dans MASSAR"
        )
    elif step == "draft":
        wf.grievance_draft_answer(
            grievance=g,
            actor=agent,
            text="Votre réclamation a été traitée.",
            explanation="Motif expliqué au réclamant." if g.outcome == "unfounded" else "",
        )
    elif step == "reject":
        wf.grievance_reject_answer(grievance=g, actor=head, note="Préciser la date du versement.")
    elif step == "approve":
        wf.grievance_approve_answer(grievance=g, actor=head)
    elif step == "send":
        wf.grievance_send_answer(grievance=g, actor=agent)
    elif step == "close":
        wf.grievance_close(
            grievance=g,
            actor=closer,
            synthesis="Traitement vérifié, réponse transmise.",
            external_recourse_informed=bool(g.appeal_count),
            confirmed=True,
        )
    elif step == "reclassify":
        wf.grievance_reclassify_as_request(
            grievance=g,
            actor=agent,
            not_complaint_kind=NotComplaintKind.objects.order_by("?").first(),
            answer_text="Information communiquée au bénéficiaire.",
        )
    elif step == "appeal":
        wf.grievance_appeal(grievance=g, actor=agent, reason="Le réclamant conteste la réponse.")
    elif step == "review":
        wf.grievance_review_appeal(
            grievance=g, actor=head, conclusion="Réexamen : réponse confirmée.", outcome="founded"
        )
    elif step == "review_reversed":
        wf.grievance_review_appeal(
            grievance=g,
            actor=head,
            conclusion="Réexamen : les conditions n'étaient pas remplies.",
            outcome="unfounded",
            unfounded_reason=UnfoundedReason.objects.order_by("code").first(),
        )
    elif step == "flag":
        wf.grievance_flag_sensitive(
            grievance=g,
            actor=agent,
            details=SensitiveDetails(nature="Allégation de harcèlement par un agent payeur", perpetrator_linked="yes"),
        )
    g.refresh_from_db()
    return g
