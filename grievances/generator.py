"""Generated grievance data sets, written through `services.replay` (`manage.py generate_grievances`).

Two kinds:

- `tayssir_q1_2023`: the Tayssir complaints of the first quarter of 2023 as reported in
  PMPP §6.2.6, so that the statistics of that quarter give back every figure of the report:
  32,773 web requests (4,588 type 1, 25,235 type 2, 2,950 type 3), 7,792 founded, all
  treated in 10 days on average; 241 requests by other channels (163 on payment, 68
  technical, 10 on registration), 9 founded, 80 unfounded, treated in 24 hours on average.
- `realistic`: any number of grievances across the five programmes, their channels and
  categories, in every state, with commitments (some broken and renewed), partner
  referrals, appeals and history, received over the last two years.

Everything is reproducible from the seed. Generated people have random CNIE and phone
numbers of the valid form; no real person is involved.
"""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from grievances.deadlines import MOROCCO
from grievances.services.replay import NOTIFY_COMMITMENT, Step, Story
from pmpp import roles
from pmpp.accounts import service_account_ensure
from pmpp.models import (
    Channel,
    ComplaintCategory,
    Membership,
    NotComplaintKind,
    Organisation,
    Programme,
    Region,
    UnfoundedReason,
    Unit,
    User,
)

# Common Moroccan first and family names: 15,000 full names, so that a name search finds a
# few hundred people at a million grievances, as it would in a real population.
FIRST_NAMES = [
    "Fatima", "Khadija", "Aicha", "Mohamed", "Ahmed", "Youssef", "Naima", "Hassan", "Zineb", "Rachid",
    "Meryem", "Omar", "Samira", "Abdellah", "Hajar", "Driss", "Laila", "Mustapha", "Souad", "Brahim",
    "Amina", "Hanane", "Nadia", "Karima", "Latifa", "Malika", "Saida", "Rabia", "Zahra", "Hafida",
    "Touria", "Btissam", "Siham", "Imane", "Asmae", "Houda", "Loubna", "Salma", "Sanae", "Wafae",
    "Ghizlane", "Kaoutar", "Nora", "Ilham", "Mariam", "Soukaina", "Yasmine", "Chaimae", "Oumaima", "Ikram",
    "Najat", "Jamila", "Fouzia", "Habiba", "Mina", "Rkia", "Fadma", "Itto", "Hind", "Sara",
    "Abdelkader", "Abderrahim", "Abdelaziz", "Abdelhak", "Abdeslam", "Ali", "Aziz", "Said", "Khalid", "Karim",
    "Hamid", "Jamal", "Jaouad", "Lahcen", "Mbarek", "Mehdi", "Mourad", "Nabil", "Noureddine", "Othmane",
    "Redouane", "Samir", "Tarik", "Yassine", "Younes", "Zakaria", "Anas", "Ayoub", "Bilal", "Hamza",
    "Ismail", "Adil", "Abdelilah", "Hicham", "Mohcine", "Soufiane", "Badr", "Ilyas", "Amine", "Reda",
]  # fmt: skip
LAST_NAMES = [
    "El Amrani", "Benali", "Ouazzani", "Bouzid", "Chaoui", "Lahlou", "Naciri", "Tahiri", "Zerouali",
    "Alaoui", "Berrada", "Idrissi", "Fassi", "Bennani", "Tazi", "Sqalli", "Kettani", "Ait Taleb",
    "El Idrissi", "Benjelloun", "Cherkaoui", "Chraibi", "El Fassi", "Guessous", "Hajji", "Jettou",
    "Kabbaj", "Lamrani", "Mernissi", "Mouline", "Sebti", "Slaoui", "Tounsi", "Zniber", "Benkirane",
    "Bouhaddou", "El Khatib", "El Ouafi", "Ait Ali", "Ait Ahmed", "Ait Lahcen", "Ait Brahim", "Amzil",
    "Akhannouch", "Bakkali", "Belhaj", "Benabdellah", "Benchekroun", "Benhima", "Benmoussa", "Bennis",
    "Benslimane", "Bensouda", "Berrchid", "Bouchama", "Boukhari", "Boutaleb", "Chafik", "Chami",
    "Daoudi", "Dahbi", "Ennaji", "Errachidi", "Essaidi", "Ezzahri", "Filali", "Ghazi", "Hachimi",
    "Haddaoui", "Hamdaoui", "Harrak", "Iraqi", "Jabri", "Jaidi", "Kadiri", "Karimi", "Khalfi",
    "Lahrichi", "Lazrak", "Maaroufi", "Mansouri", "Marrakchi", "Mekouar", "Meziane", "Moussaoui",
    "Naji", "Nejjar", "Ouali", "Oudghiri", "Rahmouni", "Raiss", "Rami", "Regragui", "Saadi",
    "Sahraoui", "Salhi", "Semlali", "Soussi", "Tadlaoui", "Taibi", "Talbi", "Tijani", "Touzani",
    "Yacoubi", "Zaim", "Zaki", "Ziani", "El Alami", "El Baz", "El Hassani", "El Kadiri", "El Mansouri",
    "El Yousfi", "Bouazza", "Bouchta", "Boulaich", "Chentouf", "Dakkak", "Doukkali", "El Ghali",
    "Ghomari", "Hilali", "Jebli", "Kharbouch", "Laaroussi", "Lakhdar", "Mahfoud", "Mekki",
    "Messaoudi", "Mokhtari", "Najib", "Ouahbi", "Qassimi", "Rifi", "Sbai", "Sefrioui", "Sekkat",
    "Skalli", "Tamim", "Tazi Mokha", "Wahbi", "Yamani", "Zemmouri", "Zouiten", "Belkadi", "Benyahia",
    "Bouayad", "Cherradi", "Ftouh", "Hakam", "Kamal", "Mrabet", "Ouazzani Touhami",
]  # fmt: skip


def full_names() -> list[tuple[str, str]]:
    """Every (full name, search key) the generator draws from."""
    from grievances.services.intake import name_key

    return [(f"{first} {last}", name_key(f"{first} {last}")) for first in FIRST_NAMES for last in LAST_NAMES]


DESCRIPTIONS = {
    1: "Inscription au programme Tayssir rejetée alors que l'enfant est scolarisé.",
    2: "La bourse du trimestre n'a pas été versée.",
    3: "Le montant reçu est inférieur au montant annoncé.",
    None: "Le site affiche une erreur lors de la consultation du dossier.",
}
RAMED_SHARE = 0.31  # « plus de 30 % des réclamations non fondées » tiennent à la carte RAMED (§6.2.6)

# (username, first name, role, organisation, programmes: None for every programme, by name)
CAST = [
    ("generateur.agent", "Agent", roles.AGENT, "cdg-cnra", None),
    ("generateur.traitement", "Chargé de traitement", roles.CASE_HANDLER, "cdg-cnra", None),
    ("generateur.responsable", "Responsable", roles.HEAD_OF_BENEFICIARY_SERVICES, "cdg-cnra", None),
    ("generateur.cloture", "Chargé de clôture", roles.CLOSING_OFFICER, "cdg-cnra", None),
    ("generateur.partenaire", "Correspondant MENPS", roles.PARTNER_LIAISON, "menps", ("tayssir",)),
]


class Cast:
    """The accounts that take the generated steps: one per role, no usable password."""

    def __init__(self):
        users = ensure_generator_accounts()
        self.agent = users["generateur.agent"]
        self.handler = users["generateur.traitement"]
        self.head = users["generateur.responsable"]
        self.closer = users["generateur.cloture"]
        self.partner = users["generateur.partenaire"]


def ensure_generator_accounts() -> dict[str, User]:
    """The generator's accounts, each named on the programmes it generates for.

    Their roles are not project-wide, so « every programme » is one membership per
    programme (pmpp.models.Membership); one added since the account was made is added.
    """
    every_programme = tuple(Programme.objects.order_by("code").values_list("code", flat=True))
    users = {}
    for username, first_name, role_code, organisation_code, programme_codes in CAST:
        codes = programme_codes or every_programme
        user, _created = service_account_ensure(
            username=username,
            first_name=first_name,
            last_name="(données générées)",
            role_codes=(role_code,),
            organisation=organisation_code,
            programmes=codes,
            reason="Compte du générateur de données",
        )
        organisation = Organisation.objects.get(code=organisation_code)
        for programme in Programme.objects.filter(code__in=codes).exclude(memberships__user=user):
            membership = Membership(user=user, organisation=organisation, programme=programme)
            membership._change_reason = "Compte du générateur de données : un programme par affectation"
            membership.save()
        users[username] = user
    return users


def _at(day: date, seconds: float) -> datetime:
    # In UTC: adding a delay to a Casablanca time would count wall-clock hours, one off
    # across the Ramadan clock changes.
    return datetime.combine(day, time.min, tzinfo=MOROCCO).astimezone(UTC) + timedelta(seconds=seconds)


def _whole_days(moment: datetime, days: int) -> timedelta:
    """The time from `moment` to the same Moroccan wall-clock time `days` dates later: a delay
    of exactly `days` whole days as the metric dictionary counts them (local dates)."""
    local = moment.astimezone(MOROCCO)
    later = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=MOROCCO)
    return later.astimezone(UTC) - moment.astimezone(UTC)


def _spread_to_mean(rng: random.Random, count: int, *, low: float, high: float, mean: float) -> list[float]:
    """`count` durations between about `low` and `high` whose mean is exactly `mean` (to the second)."""
    values = [rng.uniform(low, high) for _ in range(count)]
    shift = mean - sum(values) / count
    values = [max(1.0, round(v + shift)) for v in values]
    values[-1] += round(mean * count - sum(values))
    return values


class _People:
    def __init__(self, rng: random.Random, regions: list):
        self.rng = rng
        self.regions = regions
        self.serial = rng.randint(0, 10**5)

    def identity(self, *, anonymous: bool) -> dict:
        rng = self.rng
        common = {
            "sex": rng.choice(("female", "female", "male", "male", "unknown")),
            "age_group": rng.choice(("18_35", "36_59", "36_59", "60_plus", "unknown")),
            "region": rng.choice(self.regions),
            "residence": rng.choice(("urban", "rural")),
        }
        if anonymous:
            return {"is_anonymous": True, **common}
        self.serial += 1
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        return {
            "cnie": f"{rng.choice(letters)}{rng.choice(letters)}{self.serial % 1_000_000:06d}",
            "phone": f"06{rng.randint(10_000_000, 99_999_999)}",
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "identity_verified": True,
            **common,
        }


class _Steps:
    """The step lists of the usual paths, timed within a treatment delay."""

    def __init__(self, cast: Cast, *, unit, reasons: list, kinds: list, rng: random.Random):
        self.cast, self.unit, self.reasons, self.kinds, self.rng = cast, unit, reasons, kinds, rng

    def qualify(self, at: datetime, category, anonymous: bool) -> Step:
        return Step(
            "qualify",
            self.cast.agent,
            at,
            {
                "category": category,
                "subject": category.name,
                "nature": "individual",
                "identity_verified": not anonymous,
            },
        )

    def answer_and_close(self, start: datetime, end: datetime, *, explanation: str = "") -> list[Step]:
        """Draft at `start`, approval by someone else, sending, and closure at `end`."""
        c = self.cast
        third = (end - start) / 3
        return [
            Step(
                "draft_answer",
                c.agent,
                start,
                {
                    "text": "Votre réclamation a été traitée.",
                    "explanation": explanation,
                    "answer_channel": None,
                    "exception": "",
                    "exception_reason": "",
                },
            ),
            Step("approve_answer", c.head, start + third, {"note": ""}),
            Step("send_answer", c.agent, start + 2 * third),
            Step("close", c.closer, end, {"synthesis": "Traitement vérifié, réponse transmise."}),
        ]

    def founded(self, received: datetime, delay: timedelta, category, anonymous: bool) -> list[Step]:
        """Founded, routed to the business unit, a commitment notified after `delay` and honoured.

        The notification of a commitment honoured at the first attempt is the closure date
        of §6.3.2, so the treatment delay is exactly `delay`.
        """
        c = self.cast
        done = received + delay
        return [
            self.qualify(received + delay * 0.1, category, anonymous),
            Step(
                "analyse",
                c.agent,
                received + delay * 0.2,
                {"conclusion": "Droit vérifié dans le SI.", "outcome": "founded", "unfounded_reason": None},
            ),
            Step("route_to_unit", c.agent, received + delay * 0.3, {"unit": self.unit, "assignee": c.handler}),
            Step(
                "give_commitment", c.handler, received + delay * 0.9, {"promised_on": (done + timedelta(days=5)).date()}
            ),
            Step(NOTIFY_COMMITMENT, c.agent, done),
            Step("honour_commitment", c.handler, done + timedelta(days=2)),
            *self.answer_and_close(done + timedelta(days=2, hours=1), done + timedelta(days=2, hours=4)),
        ]

    def unfounded(self, received: datetime, delay: timedelta, category, anonymous: bool) -> list[Step]:
        """Unfounded, answered with the reason; closed (the closure date) after `delay`."""
        ramed = self.rng.random() < RAMED_SHARE
        conclusion = (
            "Carte RAMED non valide à la date d'inscription." if ramed else "Conditions d'éligibilité non remplies."
        )
        close_at = received + delay
        steps = [
            self.qualify(received + delay * 0.1, category, anonymous),
            Step(
                "analyse",
                self.cast.agent,
                received + delay * 0.3,
                {"conclusion": conclusion, "outcome": "unfounded", "unfounded_reason": self.rng.choice(self.reasons)},
            ),
            *self.answer_and_close(received + delay * 0.6, close_at, explanation=conclusion),
        ]
        return steps

    def appeal(self, received: datetime, delay: timedelta, category, anonymous: bool, *, decision: str) -> list[Step]:
        """Unfounded and closed, appealed three days later; then, unless `decision` is
        « appealed » (pending), reviewed a week after the appeal (« upheld »: still unfounded;
        « reversed »: founded) and answered and closed again on the appeal's own clock."""
        c = self.cast
        closed = self.unfounded(received, delay, category, anonymous)
        appealed_at = closed[-1].at + timedelta(days=3)
        steps = [
            *closed,
            Step(
                "appeal",
                c.agent,
                appealed_at,
                {"reason": "Le réclamant conteste la réponse.", "due_on": (appealed_at + timedelta(days=10)).date()},
            ),
        ]
        if decision == "appealed":
            return steps
        reviewed_at = appealed_at + timedelta(days=7)
        outcome = "unfounded" if decision == "upheld" else "founded"
        steps.append(
            Step(
                "review_appeal",
                c.head,
                reviewed_at,
                {
                    "conclusion": "Réexamen : réponse confirmée."
                    if outcome == "unfounded"
                    else "Réexamen : droit rétabli.",
                    "outcome": outcome,
                    "unfounded_reason": self.rng.choice(self.reasons) if outcome == "unfounded" else None,
                },
            )
        )
        closing = self.answer_and_close(reviewed_at + timedelta(hours=2), reviewed_at + timedelta(days=1))
        closing[-1] = Step(
            "close",
            c.closer,
            closing[-1].at,
            {**closing[-1].data, "external_recourse_informed": outcome == "unfounded"},
        )
        return [*steps, *closing]

    def request(self, received: datetime, delay: timedelta, category, anonymous: bool) -> list[Step]:
        """Not a complaint: qualified, then answered and closed as an information request."""
        return [
            self.qualify(received + delay * 0.2, category, anonymous),
            Step(
                "reclassify_as_request",
                self.cast.agent,
                received + delay,
                {"not_complaint_kind": self.rng.choice(self.kinds), "answer_text": "Information communiquée."},
            ),
        ]


# --- Tayssir, first quarter of 2023 (§6.2.6) --------------------------------------------------------------

TAYSSIR_Q1_2023 = {
    "first_day": date(2023, 1, 10),
    "last_day": date(2023, 3, 29),
    "web": {"by_type": {1: 4588, 2: 25235, 3: 2950}, "founded": 7792, "average_delay_days": 10},
    # Payment splits between type 2 (not received) and type 3 (incomplete); the report only says « paiement ».
    "other": {
        "by_category": {"paiement-non-recu": 130, "montant-bourse": 33, "technique": 68, "inscription-rejetee": 10},
        "founded": 9,
        "unfounded": 80,
        "average_delay_hours": 24,
    },
}


def tayssir_q1_2023(*, seed: int = 2023) -> Iterator[Story]:
    """The stories behind the Tayssir figures of PMPP §6.2.6 (33,014 grievances)."""
    rng = random.Random(seed)  # noqa: S311 — reproducible data set, not a secret
    spec = TAYSSIR_Q1_2023
    cast = Cast()
    programme = Programme.objects.get(code="tayssir")
    categories = {c.code: c for c in ComplaintCategory.objects.filter(programme=programme)}
    by_type = {c.type_number: c for c in categories.values() if c.type_number}
    web_channels = [Channel.objects.get(code="web-portal")] * 6 + [Channel.objects.get(code="mobile-app")]
    other_channel = Channel.objects.get(code="social-media")
    people = _People(rng, list(Region.objects.all()))
    steps = _Steps(
        cast,
        unit=Unit.objects.get(code="cnra-paiements"),
        reasons=list(UnfoundedReason.objects.all()),
        kinds=list(NotComplaintKind.objects.all()),
        rng=rng,
    )
    days = (spec["last_day"] - spec["first_day"]).days + 1

    def received_at() -> datetime:
        return _at(spec["first_day"], rng.uniform(0, days * 86400 - 1))

    web = [by_type[number] for number, count in spec["web"]["by_type"].items() for _ in range(count)]
    rng.shuffle(web)
    founded = set(rng.sample(range(len(web)), spec["web"]["founded"]))
    # The report's « délai moyen de traitement de 10 jours », in the dictionary's unit: whole
    # days from the reception date to the date of the effective closure (docs/metrics.md).
    whole_days = _spread_to_mean(rng, len(web), low=2, high=18, mean=spec["web"]["average_delay_days"])
    for index, category in enumerate(web):
        anonymous = rng.random() < 0.02
        received = received_at()
        path = steps.founded if index in founded else steps.unfounded
        yield Story(
            programme=programme,
            channel=rng.choice(web_channels),
            received_at=received,
            description=DESCRIPTIONS[category.type_number],
            created_by=None,
            steps=tuple(path(received, _whole_days(received, int(whole_days[index])), category, anonymous)),
            category=category,
            **people.identity(anonymous=anonymous),
        )

    other = [categories[code] for code, count in spec["other"]["by_category"].items() for _ in range(count)]
    rng.shuffle(other)
    outcomes = ["founded"] * spec["other"]["founded"] + ["unfounded"] * spec["other"]["unfounded"]
    outcomes += ["request"] * (len(other) - len(outcomes))
    rng.shuffle(outcomes)
    # « Le délai moyen de traitement des réclamations hors web est de 24 h »: an average over
    # the complaints (founded or not); the other requests are answered on a clock of their own.
    complaints = [index for index, outcome in enumerate(outcomes) if outcome != "request"]
    delays = dict(
        zip(
            complaints,
            _spread_to_mean(
                rng, len(complaints), low=2 * 3600, high=46 * 3600, mean=spec["other"]["average_delay_hours"] * 3600
            ),
            strict=True,
        )
    )
    requests = [index for index, outcome in enumerate(outcomes) if outcome == "request"]
    delays |= dict(
        zip(requests, _spread_to_mean(rng, len(requests), low=3600, high=12 * 3600, mean=6 * 3600), strict=True)
    )
    paths = {"founded": steps.founded, "unfounded": steps.unfounded, "request": steps.request}
    for index, category in enumerate(other):
        received = received_at()
        yield Story(
            programme=programme,
            channel=other_channel,
            received_at=received,
            description=DESCRIPTIONS.get(category.type_number, DESCRIPTIONS[None]),
            created_by=cast.agent,
            steps=tuple(paths[outcomes[index]](received, timedelta(seconds=delays[index]), category, False)),
            category=category,
            **people.identity(anonymous=False),
        )


# --- Any number, in every state ---------------------------------------------------------------------------

PROGRAMME_WEIGHTS = {"tayssir": 40, "amo-tadamon": 25, "tadamon-covid": 15, "daam": 10, "allocations-familiales": 10}
# Where a generated grievance stops, with its weight: most are closed, the rest wait at every step.
STATE_WEIGHTS = {
    "closed_founded": 34,
    "closed_unfounded": 30,
    "closed_renewed": 3,
    "request": 8,
    "appealed": 1,
    "appeal_upheld": 1,
    "appeal_reversed": 1,
    "received": 6,
    "qualified": 4,
    "analysed": 3,
    "routed": 2,
    "committed": 3,
    "commitment_broken": 1,
    "at_partner": 1,
    "partner_answered": 1,
    "answer_drafted": 1,
    "answer_approved": 1,
}
_OPEN_STATES = {
    "received", "qualified", "analysed", "routed", "committed", "commitment_broken",
    "at_partner", "partner_answered", "answer_drafted", "answer_approved",
}  # fmt: skip


def realistic(*, count: int, seed: int = 1, now: datetime | None = None) -> Iterator[Story]:
    """`count` grievances across programmes, channels, categories and states, received over two years.

    Every state comes at least once when `count` allows (the first ones, in random order), so
    that a small data set, such as the templates of a bulk generation, has each kind of story;
    the rest are drawn by `STATE_WEIGHTS`.
    """
    rng = random.Random(seed)  # noqa: S311 — reproducible data set, not a secret
    now = now or timezone.now()
    cast = Cast()
    programmes = {p.code: p for p in Programme.objects.all()}
    categories: dict[int, list] = {}
    for category in ComplaintCategory.objects.filter(is_active=True):
        categories.setdefault(category.programme_id, []).append(category)
    channels = list(Channel.objects.filter(is_active=True).exclude(kind=Channel.Kind.MEDIATEUR))
    channel_weights = [30 if c.is_web else 10 for c in channels]
    steps = _Steps(
        cast,
        unit=Unit.objects.get(code="cnra-paiements"),
        reasons=list(UnfoundedReason.objects.all()),
        kinds=list(NotComplaintKind.objects.all()),
        rng=rng,
    )
    people = _People(rng, list(Region.objects.all()))
    codes, weights = list(PROGRAMME_WEIGHTS), list(PROGRAMME_WEIGHTS.values())
    states, state_weights = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
    every_state = rng.sample(states, len(states)) if count >= len(states) else []
    for index in range(count):
        state = every_state[index] if index < len(every_state) else rng.choices(states, state_weights)[0]
        programme = programmes[
            "tayssir" if state in ("at_partner", "partner_answered") else rng.choices(codes, weights)[0]
        ]
        pool = categories[programme.pk]
        if state in ("at_partner", "partner_answered"):
            category = rng.choice([c for c in pool if c.needs_partner])
        else:
            category = rng.choice([c for c in pool if not c.needs_partner])
        anonymous = rng.random() < 0.03
        if state in _OPEN_STATES:
            # Open cases were received in the last weeks; their steps so far are all in the past.
            received = now - timedelta(seconds=rng.uniform(4 * 86400, 20 * 86400))
            delay = (now - received - timedelta(days=3, hours=4)) * rng.uniform(0.2, 0.9)
        else:
            received = now - timedelta(seconds=rng.uniform(30 * 86400, 730 * 86400))
            delay = timedelta(seconds=rng.uniform(3600, 20 * 86400))
        yield Story(
            programme=programme,
            channel=rng.choices(channels, channel_weights)[0],
            received_at=received,
            description=DESCRIPTIONS.get(category.type_number, DESCRIPTIONS[None]),
            created_by=cast.agent,
            steps=tuple(_path(state, steps, received, delay, category, anonymous, cast=cast, rng=rng)),
            category=category,
            **people.identity(anonymous=anonymous),
        )


def _path(state: str, steps: _Steps, received, delay, category, anonymous, *, cast: Cast, rng) -> list[Step]:
    if state == "closed_founded":
        return steps.founded(received, delay, category, anonymous)
    if state == "closed_unfounded":
        return steps.unfounded(received, delay, category, anonymous)
    if state == "request":
        return steps.request(received, delay, category, anonymous)
    if state in ("appealed", "appeal_upheld", "appeal_reversed"):
        return steps.appeal(received, delay, category, anonymous, decision=state.removeprefix("appeal_"))
    founded = steps.founded(received, delay, category, anonymous)
    if state == "closed_renewed":
        give, notify = founded[3], founded[4]
        broken_at = notify.at + timedelta(days=1)
        renewed = [
            give,
            Step(NOTIFY_COMMITMENT, cast.agent, give.at + timedelta(hours=1)),
            Step("break_commitment", cast.handler, broken_at, {"reason": "Fichier de paiement rejeté par la banque."}),
            Step(
                "renew_commitment",
                cast.handler,
                broken_at + timedelta(hours=1),
                {"promised_on": (broken_at + timedelta(days=7)).date(), "reason": "Nouveau virement programmé."},
            ),
            Step(NOTIFY_COMMITMENT, cast.agent, broken_at + timedelta(hours=2)),
        ]
        return [*founded[:3], *renewed, *founded[5:]]
    open_paths = {
        "received": 0,
        "qualified": 1,
        "analysed": 2,
        "routed": 3,
        "committed": 5,
        "answer_drafted": 7,
        "answer_approved": 8,
    }
    if state in open_paths:
        return founded[: open_paths[state]]
    if state == "commitment_broken":
        return [
            *founded[:5],
            Step(
                "break_commitment", cast.handler, founded[4].at + timedelta(hours=1), {"reason": "Retard du virement."}
            ),
        ]
    qualify = steps.qualify(received + delay * 0.1, category, anonymous)
    transmit = Step("transmit_to_partner", cast.agent, received + delay * 0.2)
    if state == "at_partner":
        return [qualify, transmit]
    answer = Step(
        "record_partner_outcome",
        cast.partner,
        received + delay * 0.8,
        {"founded": True, "data_corrected": True, "note": "Donnée corrigée dans MASSAR.", "unfounded_reason": None},
    )
    return [qualify, transmit, answer]
