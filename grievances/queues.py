"""Work queues: what each role has to do now (SPEC §5.3: nothing waits silently).

A queue is a named filter over the grievances the user may see. `queue_counts` answers
every queue's count in one query, capped, for the navigation and the home page.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import Commitment, Grievance
from pmpp import roles

S = Grievance.Status
_OPEN = ~Q(status__in=Grievance.TERMINAL_STATES)


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str
    roles: frozenset[str]
    description: str = ""
    # Each of its parts names one state: a page is then read state by state and programme by
    # programme (`page_branches`), each from its own range of `grievance_queue_idx`.
    by_state: bool = False
    # A deadline queue: read programme by programme from `grievance_open_due_prog_idx`.
    by_programme: bool = False

    def q(self, *, user, today: date) -> Q:
        return reduce(or_, self.parts(user=user, today=today))

    def parts(self, *, user, today: date) -> list[Q]:
        """The queue's filter as disjoint parts whose OR is the queue: one for most queues.

        A queue over two states is counted part by part (`queue_counts`): each part reads its
        own index range and stops at the cap, where the OR made PostgreSQL fetch the rows of
        both states of the programme from the table (« engagements échus »: 20 ms at a
        million grievances, on every page of the three roles that have the queue).
        """
        parts = _QUEUE_FILTERS[self.slug](user, today)
        return parts if isinstance(parts, list) else [parts]


def _commitment_due(today: date) -> LessThanOrEqual:
    """The date of the grievance's pending commitment has come.

    A grievance has at most one pending commitment (a constraint, whose index this reads), so
    its date is compared directly: for the count, PostgreSQL probes that index for each of
    the programme's committed grievances until the cap, where an EXISTS made it first hash
    the due commitments of every programme (11 ms → 5 ms at a million grievances).
    """
    pending = Commitment.objects.filter(grievance=OuterRef("pk"), status=Commitment.Status.PENDING)
    return LessThanOrEqual(Subquery(pending.order_by().values("promised_on")[:1]), today)


def _failed_message() -> Q:
    from notifications.selectors import failed_message_q

    return failed_message_q()


def _commitment_not_notified() -> Q:
    """The pending commitment (at most one, read from its unique partial index) not yet told."""
    pending = Commitment.objects.filter(
        grievance=OuterRef("pk"), status=Commitment.Status.PENDING, notified_at__isnull=True
    )
    return Q(Exists(pending))


def _mentioned_unseen(user) -> Q:
    """A note mentions the user and they have not opened the file since (issue 18).

    Read from the user's unseen mentions (a partial index), then the grievances by id: an
    EXISTS per visible grievance would probe every grievance of the user's programmes to
    count a queue that is almost always short.
    """
    from grievances.models import NoteMention

    return Q(pk__in=NoteMention.objects.filter(user=user, seen_at__isnull=True).values("grievance_id"))


_QUEUE_FILTERS = {
    "a-qualifier": lambda user, today: Q(status=S.RECEIVED),
    "a-analyser": lambda user, today: Q(status=S.QUALIFIED),
    # One part per state: each is read (and counted) from its own index range.
    "a-repondre": lambda user, today: [
        Q(status=state) for state in (S.ANALYSED, S.TREATED, S.PARTNER_ANSWERED, S.ANSWER_REJECTED)
    ],
    "attente-engagement": lambda user, today: Q(status=S.ROUTED),
    # Two disjoint parts: broken, or committed with its pending commitment due.
    "engagements-echus": lambda user, today: [
        Q(status=S.COMMITMENT_BROKEN),
        Q(status=S.COMMITTED) & _commitment_due(today),
    ],
    "chez-le-partenaire": lambda user, today: Q(status=S.AT_PARTNER),
    "a-approuver": lambda user, today: Q(status=S.ANSWER_DRAFTED),
    "a-envoyer": lambda user, today: Q(status=S.ANSWER_APPROVED),
    "a-cloturer": lambda user, today: Q(status=S.ANSWER_SENT),
    "recours": lambda user, today: Q(status=S.APPEALED),
    "mes-dossiers": lambda user, today: _OPEN & Q(assigned_to=user),
    # The deadline queues follow the clock that runs now: an appeal's once appealed.
    "en-retard": lambda user, today: _OPEN & Q(current_due_on__lt=today),
    "echeance-proche": lambda user, today: (
        _OPEN & Q(current_due_on__gte=today, current_due_on__lte=today + timedelta(days=settings.PMPP_DUE_SOON_DAYS))
    ),
    "echeance-aujourdhui": lambda user, today: _OPEN & Q(current_due_on=today),
    "toutes": lambda user, today: Q(),
    # Issue 18: what was promised or sent to the complainant and did not reach them.
    "messages-en-echec": lambda user, today: ~Q(status=S.SENSITIVE) & _failed_message(),
    "engagements-a-notifier": lambda user, today: Q(status=S.COMMITTED) & _commitment_not_notified(),
    "mentions": lambda user, today: _mentioned_unseen(user),
}

_WORKERS = frozenset({roles.AGENT, roles.CASE_HANDLER, roles.HEAD_OF_BENEFICIARY_SERVICES, roles.CLOSING_OFFICER})
# Ministry staff read figures, not files: no queue (SECURITY.md).
_READERS = frozenset({roles.ES_FOCAL_POINT, roles.HEAD_OF_BENEFICIARY_SERVICES})
QUEUES = [
    Queue(
        "a-qualifier",
        _("À qualifier"),
        frozenset({roles.AGENT}),
        _("Opération 1 : réclamations reçues."),
        by_state=True,
    ),
    Queue(
        "a-analyser",
        _("À analyser"),
        frozenset({roles.AGENT}),
        _("Opération 2 : réclamations qualifiées."),
        by_state=True,
    ),
    Queue(
        "a-repondre",
        _("Réponse à rédiger"),
        frozenset({roles.AGENT}),
        _("Analysées, traitées, retour du partenaire ou réponse à reprendre."),
        by_state=True,
    ),
    Queue(
        "attente-engagement",
        _("En attente d'engagement"),
        frozenset({roles.CASE_HANDLER, roles.AGENT}),
        _("Transmises au service métier, sans engagement."),
        by_state=True,
    ),
    Queue(
        "engagements-echus",
        _("Engagements échus ou non honorés"),
        frozenset({roles.CASE_HANDLER, roles.AGENT, roles.HEAD_OF_BENEFICIARY_SERVICES}),
        _("Date promise atteinte, ou engagement non honoré à renouveler."),
        by_state=True,
    ),
    Queue(
        "chez-le-partenaire",
        _("Chez l'organisme partenaire"),
        frozenset({roles.PARTNER_LIAISON, roles.AGENT}),
        _("Transmises au partenaire (MENPS pour MASSAR)."),
        by_state=True,
    ),
    Queue(
        "a-approuver",
        _("Réponses à approuver"),
        frozenset({roles.HEAD_OF_BENEFICIARY_SERVICES}),
        _("Opération 3 : approbation avant envoi."),
        by_state=True,
    ),
    Queue("a-envoyer", _("Réponses à envoyer"), frozenset({roles.AGENT}), _("Réponses approuvées."), by_state=True),
    Queue(
        "a-cloturer",
        _("À clôturer"),
        frozenset({roles.CLOSING_OFFICER}),
        _("Opération 4 : réponse envoyée."),
        by_state=True,
    ),
    Queue(
        "recours",
        _("Recours"),
        frozenset({roles.HEAD_OF_BENEFICIARY_SERVICES, roles.AGENT}),
        _("Second examen."),
        by_state=True,
    ),
    Queue("mes-dossiers", _("Mes dossiers"), _WORKERS, _("Réclamations ouvertes qui vous sont attribuées.")),
    Queue("en-retard", _("En retard"), _WORKERS | _READERS, _("Échéance dépassée."), by_programme=True),
    Queue(
        "echeance-proche",
        _("Échéance proche"),
        _WORKERS | _READERS,
        _("Échéance dans les prochains jours."),
        by_programme=True,
    ),
    Queue(
        "echeance-aujourdhui",
        _("Échéance aujourd'hui"),
        _WORKERS | _READERS,
        _("À traiter aujourd'hui."),
        by_programme=True,
    ),
    Queue(
        "messages-en-echec",
        _("Messages en échec"),
        frozenset({roles.AGENT, roles.HEAD_OF_BENEFICIARY_SERVICES}),
        _("Un message au réclamant n'a pas pu partir : à renvoyer ou à remplacer par un appel."),
    ),
    Queue(
        "engagements-a-notifier",
        _("Engagements à notifier"),
        frozenset({roles.AGENT, roles.HEAD_OF_BENEFICIARY_SERVICES}),
        _("Engagement en cours dont le réclamant n'a pas encore été informé."),
        by_state=True,
    ),
    Queue(
        "mentions",
        _("Mentions"),
        # Who reads internal notes (pmpp.roles, _NOTES), and so may be mentioned in one.
        _WORKERS | {roles.ES_FOCAL_POINT},
        _("Un collègue vous a mentionné·e dans une note interne : le dossier n'a pas encore été ouvert depuis."),
    ),
    Queue(
        "toutes",
        _("Toutes les réclamations"),
        _WORKERS | _READERS | {roles.PARTNER_LIAISON},
        _("Toutes les réclamations visibles."),
    ),
]
QUEUES_BY_SLUG = {queue.slug: queue for queue in QUEUES}


def queues_for(user) -> list[Queue]:
    codes = roles.role_codes_for(user)
    if user.is_superuser:
        return list(QUEUES)
    return [queue for queue in QUEUES if queue.roles & codes]


# Past this many, a queue's count reads « 1 000+ »: a worker needs to know a queue is long,
# not its exact length, and counting a million rows on every page would cost half a second.
QUEUE_COUNT_CAP = 1000


def queue_counts(
    *, user, queues: list[Queue] | None = None, today: date | None = None, cap: int = QUEUE_COUNT_CAP
) -> dict[str, int]:
    """Every queue's count for this user in one query, each counted up to `cap` + 1 rows only.

    A count above `cap` means « more than `cap` » (see `count_label`). Each queue's count is
    a scalar subquery over at most `cap` + 1 of its rows (or the sum of its parts', see
    `Queue.parts`), so the cost no longer grows with the number of grievances.
    """
    queues = queues_for(user) if queues is None else queues
    if not queues:
        return {}
    today = today or timezone.localdate()
    sql, params, widths = _counts_query(user=user, queues=queues, today=today, cap=cap)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = iter(cursor.fetchone())
    return {
        queue.slug: min(sum(next(counts) for _ in range(width)), cap + 1)
        for queue, width in zip(queues, widths, strict=True)
    }


# The counts' SQL by what it depends on: built by the ORM once per user, scope and day, not on
# every page (compiling some twenty subqueries cost more than running them, issue 19).
_COUNTS_SQL: dict[tuple, tuple[str, tuple, list[int]]] = {}
_COUNTS_SQL_SIZE = 2048


def _counts_query(*, user, queues: list[Queue], today: date, cap: int) -> tuple[str, tuple, list[int]]:
    key = (
        user.pk,
        user.is_active,
        user.is_superuser,
        frozenset(roles.role_codes_for(user)),
        user.programme_scope(),
        today,
        tuple(queue.slug for queue in queues),
        cap,
        settings.PMPP_DUE_SOON_DAYS,
    )
    cached = _COUNTS_SQL.get(key)
    if cached is not None:
        return cached
    visible = Grievance.objects.visible_to(user).order_by()
    parts, params, widths = [], [], []
    for queue in queues:
        filters = queue.parts(user=user, today=today)
        for q in filters:
            sql, values = visible.filter(q).values("pk")[: cap + 1].query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608 — ORM-built SQL, values as parameters
            params.extend(values)
        widths.append(len(filters))
    if len(_COUNTS_SQL) >= _COUNTS_SQL_SIZE:
        _COUNTS_SQL.clear()
    _COUNTS_SQL[key] = built = (f"SELECT {', '.join(parts)}", tuple(params), widths)
    return built


def capped_count(parts: list[QuerySet], *, cap: int) -> int:
    """How many rows the disjoint querysets `parts` hold together, counted up to `cap` + 1 each.

    One query: a capped scalar subquery per part, added up. A queue made of parts (say
    « broken commitments » OR « committed and overdue ») is then counted over each part's own
    index range instead of a bitmap scan of both and a filter over their rows.
    """
    selects, params = [], []
    for part in parts:
        sql, values = part.order_by().values("pk")[: cap + 1].query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608 — ORM-built SQL, values as parameters
        params.extend(values)
    if not selects:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {' + '.join(selects)}", params)
        return cursor.fetchone()[0]


def count_label(count: int, *, cap: int = QUEUE_COUNT_CAP) -> str:
    """« 12 », or « 1 000+ » past the cap."""
    from django.utils.formats import number_format

    return f"{number_format(cap, force_grouping=True)}+" if count > cap else number_format(count, force_grouping=True)


# --- Pages: keyset pagination in the queue's order ------------------------------------------
#
# A page is found by where the previous one ended (its last row's sort value and id), never
# by an OFFSET: page 2,000 of a million-row queue costs what page 1 costs, because the
# database starts reading its index at that position instead of sorting and skipping 50,000
# rows. The position travels as an opaque signed cursor; it holds a sort value (a date, a
# reference, a state or a programme prefix) and an id, never personal data.

# The columns a queue sorts by: query-string key → field. Every one is NOT NULL, so that
# (value, id) orders the rows totally and a cursor never has to compare with NULL.
QUEUE_SORTS = {
    "due_on": "current_due_on",
    "received_at": "received_at",
    "reference": "reference",
    "status": "status",
    "programme": "programme__reference_prefix",
}
DEFAULT_QUEUE_SORT = "due_on"
_CURSOR_SALT = "grievances.queue-cursor"


def queue_sort(value: str | None) -> str:
    """The `sort` of the query string (« due_on », « -received_at »…), or the queue order."""
    value = (value or "").strip()
    return value if value.lstrip("-") in QUEUE_SORTS else DEFAULT_QUEUE_SORT


@dataclass(frozen=True)
class QueuePage:
    rows: list[Grievance]
    sort: str
    first: bool = True
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def _sort_field(path: str):
    model, field = Grievance, None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model
    # A generated column (the running deadline) reads its values as its output field does.
    return field.output_field if field.generated else field


def queue_cursor(*, sort: str, value, pk: int, backwards: bool = False) -> str:
    """The cursor of the page after (or, `backwards`, before) the row with this sort value and id."""
    return signing.dumps(
        {"s": sort, "v": value.isoformat() if hasattr(value, "isoformat") else value, "i": pk, "b": backwards},
        salt=_CURSOR_SALT,
    )


def _read_cursor(token: str, *, sort: str) -> tuple[object, int, bool] | None:
    """(sort value, id, backwards) of a cursor made for this sort; None if it is not one."""
    try:
        data = signing.loads(token, salt=_CURSOR_SALT)
        if data["s"] != sort or not isinstance(data["i"], int) or not isinstance(data["b"], bool):
            return None
        value = _sort_field(QUEUE_SORTS[sort.lstrip("-")]).to_python(data["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        return None
    if value is None:
        return None
    return value, data["i"], data["b"]


def page_branches(queue: Queue, *, user, today: date) -> list[Q] | None:
    """The disjoint parts a queue's page is read by, one ordered index range each; None for one read.

    A queue over several states (« réponse à rédiger », « engagements échus ») or several
    programmes has no index that gives its rows in due order: PostgreSQL either sorted all of
    them or walked every grievance by due date, discarding ~765,000 rows at a million to find
    26 (1.5–2.8 s for a two-programme agent, issue 19). Read state by state and programme by
    programme, each part is an ordered range of `grievance_queue_idx` (programme, state, due
    date) or, for the deadline queues, `grievance_open_due_prog_idx`; `queue_page` merges them.
    """
    if not (queue.by_state or queue.by_programme):
        return None
    if roles.PARTNER_LIAISON in roles.role_codes_for(user):
        # Read by partner organisation, from one range of `grievance_partner_due_idx`.
        return None
    every_programme = _reads_every_programme(user)
    if queue.by_state:
        parts = queue.parts(user=user, today=today)
        if every_programme:
            # One state of every programme is one range of `grievance_open_state_due_idx`.
            return parts if len(parts) > 1 else None
    else:
        parts = [queue.q(user=user, today=today)]
    branches = [part & Q(programme_id=programme) for part in parts for programme in _page_programmes(user)]
    return branches if len(branches) > 1 else None


def _reads_every_programme(user) -> bool:
    scope = user.programme_scope()
    return user.is_superuser or scope.all_programmes or bool(roles.role_codes_for(user) & _BEYOND_PROGRAMMES)


def _page_programmes(user) -> list[int]:
    """The programmes whose grievances the user may see: theirs, or all for a project-wide reader."""
    from pmpp.models import Programme

    if _reads_every_programme(user):
        return list(Programme.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(user.programme_scope().programme_ids)


# Roles whose grievance scope is not (only) their programmes (grievances.access): the focal point
# reads every programme, an integration what it filed.
_BEYOND_PROGRAMMES = frozenset({roles.ES_FOCAL_POINT, roles.INTEGRATION_ACCOUNT})


def _merged_page_ids(branches: list[QuerySet], *, reverse: bool, limit: int) -> RawSQL:
    """The ids of the page: `limit` rows of each branch in order, merged in order, `limit` kept.

    `(SELECT … ORDER BY … LIMIT n) UNION ALL (…)`: each branch stops after `limit` rows of its
    own index range, so a page reads at most `limit` × branches index entries, wherever the
    cursor is. Raw only in its frame: every branch is the ORM's own SQL with its parameters.
    """
    selects, params = [], []
    for number, branch in enumerate(branches):
        sql, values = branch.values(page_id=F("pk"), page_sort=F("queue_sort_value"))[:limit].query.sql_with_params()
        # A derived table, not a parenthesised SELECT, which SQLite refuses in a compound.
        selects.append(f"SELECT * FROM ({sql}) AS branch_{number}")  # noqa: S608 — ORM-built SQL
        params.extend(values)
    direction = "DESC" if reverse else "ASC"
    merged = (
        f"SELECT merged.page_id FROM ({' UNION ALL '.join(selects)}) AS merged "  # noqa: S608 — ORM-built SQL
        f"ORDER BY merged.page_sort {direction}, merged.page_id {direction} LIMIT {int(limit)}"
    )
    return RawSQL(merged, params)  # noqa: S611 — ORM-built SQL, values as parameters


def _in_page_order(rows: QuerySet, *, path: str, reverse: bool, position) -> QuerySet:
    """`rows` in the page's order, from the cursor's position on (if any)."""
    rows = rows.annotate(queue_sort_value=F(path)).order_by(
        F(path).desc() if reverse else F(path).asc(), "-pk" if reverse else "pk"
    )
    if position is None:
        return rows
    value, pk, _ = position
    after, at_or_after = ("lt", "lte") if reverse else ("gt", "gte")
    # `value >= v` lets the database start its index scan at the cursor; the OR only
    # sorts out the rows that share the cursor's value.
    return rows.filter(
        Q(**{f"{path}__{at_or_after}": value}),
        Q(**{f"{path}__{after}": value}) | Q(**{f"pk__{after}": pk}),
    )


def queue_page(
    rows: QuerySet, *, sort: str, cursor: str = "", per_page: int = 25, branches: list[QuerySet] | None = None
) -> QueuePage:
    """One page of `rows` in `sort` order, after (or, going back, before) the cursor's row.

    One query: `per_page` + 1 rows are read, the extra one only to know whether a page
    follows. A cursor that is invalid, tampered with or made for another sort gives the
    first page. In the queue's own order (due date), `branches` (the same rows as disjoint
    querysets, see `page_branches`) are read one index range each and merged, inside the
    same query.
    """
    sort = queue_sort(sort)
    path, descending = QUEUE_SORTS[sort.lstrip("-")], sort.startswith("-")
    position = _read_cursor(cursor, sort=sort) if cursor else None
    backwards = bool(position and position[2])
    # Reading backwards walks the same index the other way, then puts the page back in order.
    reverse = descending != backwards
    ordered = _in_page_order(rows, path=path, reverse=reverse, position=position)
    if branches and path == QUEUE_SORTS[DEFAULT_QUEUE_SORT]:
        branches = [_in_page_order(branch, path=path, reverse=reverse, position=position) for branch in branches]
        ordered = ordered.filter(pk__in=_merged_page_ids(branches, reverse=reverse, limit=per_page + 1))
    rows = ordered
    found = list(rows[: per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    if backwards:
        found.reverse()
    if not found:
        return QueuePage(rows=[], sort=sort, first=position is None)
    has_next = more if not backwards else True
    has_previous = more if backwards else position is not None
    return QueuePage(
        rows=found,
        sort=sort,
        first=not has_previous,
        next_cursor=queue_cursor(sort=sort, value=found[-1].queue_sort_value, pk=found[-1].pk) if has_next else "",
        previous_cursor=(
            queue_cursor(sort=sort, value=found[0].queue_sort_value, pk=found[0].pk, backwards=True)
            if has_previous
            else ""
        ),
    )
