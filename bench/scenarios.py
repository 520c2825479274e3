"""Who the bench reads the queues as: one account per role and scope shape the demo has.

A queue's cost depends on the reader's scope as much as on the queue: one programme reads
one range of an index, two programmes or a whole organisation read two, the focal point
reads every programme, a partner liaison reads by partner organisation. Issue 19 found
multi-programme accounts 30× slower than the single-programme agent the bench measured.
`tests/bench/test_scenarios.py` checks that every (queue, role, scope shape) that a demo
account has is measured here. Importing this module has no side effect (no Django set-up).
"""

from dataclasses import dataclass

from pmpp import roles

ONE_PROGRAMME = "un programme"
SEVERAL_PROGRAMMES = "plusieurs programmes (organisation)"
ALL_PROGRAMMES = "tous les programmes"
PARTNER = "organisme partenaire"
NO_PROGRAMME = "aucun programme"
SUPERUSER = "superuser"


@dataclass(frozen=True)
class BenchAccount:
    username: str
    role: str  # SUPERUSER for the administrator
    organisation: str
    programmes: tuple[str | None, ...]  # programme codes; None is « tous les programmes »

    @property
    def label(self) -> str:
        name = "Superutilisateur" if self.role == SUPERUSER else roles.ROLES_BY_CODE[self.role].group_name
        shape = ", ".join(self.programmes) if self.shape in (ONE_PROGRAMME, SEVERAL_PROGRAMMES) else self.shape
        return f"{name}, {shape}"

    @property
    def shape(self) -> str:
        """What `scope_shape` answers for the account once created."""
        if self.role == SUPERUSER or None in self.programmes:
            return ALL_PROGRAMMES
        if self.role == roles.PARTNER_LIAISON:
            return PARTNER
        return SEVERAL_PROGRAMMES if len(self.programmes) > 1 else ONE_PROGRAMME

    def queues(self) -> list:
        from grievances.queues import QUEUES

        return [queue for queue in QUEUES if self.role == SUPERUSER or self.role in queue.roles]


# CNRA works Tayssir and DAAM (its whole organisation), CNSS works AMO TADAMON alone: the two
# shapes of every programme-scoped role in the demo (pmpp/management/commands/load_demo.py).
CNRA = ("tayssir", "daam")
CNSS = ("amo-tadamon",)
ACCOUNTS = [
    BenchAccount("bench.agent", roles.AGENT, "cdg-cnra", ("tayssir",)),
    BenchAccount("bench.agent.cnra", roles.AGENT, "cdg-cnra", CNRA),
    BenchAccount("bench.traitement", roles.CASE_HANDLER, "cdg-cnra", CNRA),
    BenchAccount("bench.traitement.cnss", roles.CASE_HANDLER, "cnss", CNSS),
    BenchAccount("bench.responsable", roles.HEAD_OF_BENEFICIARY_SERVICES, "cdg-cnra", CNRA),
    BenchAccount("bench.responsable.cnss", roles.HEAD_OF_BENEFICIARY_SERVICES, "cnss", CNSS),
    BenchAccount("bench.cloture", roles.CLOSING_OFFICER, "cdg-cnra", CNRA),
    BenchAccount("bench.cloture.cnss", roles.CLOSING_OFFICER, "cnss", CNSS),
    BenchAccount("bench.partenaire", roles.PARTNER_LIAISON, "menps", ("tayssir",)),
    BenchAccount("bench.pointfocal", roles.ES_FOCAL_POINT, "mef-db", (None,)),
    BenchAccount("bench.referent", roles.GBV_REFERENT, "cdg-cnra", CNRA),
    BenchAccount("bench.referent.cnss", roles.GBV_REFERENT, "cnss", CNSS),
    BenchAccount("bench.ministere", roles.MINISTRY_VIEWER, "mef-db", (None,)),
    # The administrator reads every queue of every programme: status queues with no programme.
    BenchAccount("bench.admin", SUPERUSER, "mef-db", (None,)),
]
ACCOUNTS_BY_USERNAME = {account.username: account for account in ACCOUNTS}


def create(spec: BenchAccount):
    """The bench account, created with its role and memberships the first time."""
    from pmpp.accounts import service_account_ensure

    user = service_account_ensure(
        username=spec.username,
        first_name=spec.username,
        role_codes=() if spec.role == SUPERUSER else (spec.role,),
        organisation=spec.organisation,
        programmes=spec.programmes,
        reason="Compte des mesures de performance",
    )[0]
    if spec.role == SUPERUSER and not user.is_superuser:
        user.is_superuser = True
        user._change_reason = "Compte des mesures de performance"
        user.save(update_fields=["is_superuser"])
    return user


def scope_shape(user) -> str:
    """The shape of a user's grievance scope: what decides which index ranges a queue reads."""
    scope = user.programme_scope()
    if user.is_superuser or scope.all_programmes:
        return ALL_PROGRAMMES
    if roles.PARTNER_LIAISON in roles.role_codes_for(user):
        return PARTNER
    if len(scope.programme_ids) > 1:
        return SEVERAL_PROGRAMMES
    return ONE_PROGRAMME if scope.programme_ids else NO_PROGRAMME


def role_of(user) -> str:
    """The one role of a bench or demo account (each has exactly one), or SUPERUSER."""
    if user.is_superuser:
        return SUPERUSER
    (code,) = roles.role_codes_for(user)
    return code
