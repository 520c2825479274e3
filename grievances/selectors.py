"""Reads of the grievance mechanism, always through the visibility scope."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connections, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from grievances.models import Grievance, SensitiveCase
from grievances.services.intake import name_key, normalise_cnie, normalise_phone

# How many results a search shows; past that the user is told to narrow the search.
SEARCH_LIMIT = 25


def grievance_list_for_user(*, user):
    return Grievance.objects.visible_to(user).select_related("programme", "channel", "category", "assigned_to")


def grievance_get_for_user(*, user, pk: int) -> Grievance:
    """The grievance if the user may see it; 404 otherwise, so existence is not revealed."""
    return _visible_or_404(grievance_list_for_user(user=user), pk=pk)


def _visible_or_404(grievances: QuerySet, *, pk: int) -> Grievance:
    try:
        return grievances.get(pk=pk)
    except Grievance.DoesNotExist:
        raise Http404("Réclamation introuvable.") from None


# The columns a queue row shows (templates/grievances/queue.html). A page reads these and
# nothing else: not the description or the answer, nor the assignee's password hash.
QUEUE_ROW_FIELDS = (
    "reference",
    "received_at",
    "due_on",
    "appeal_due_on",
    "appeal_closed_at",
    "appeal_count",
    "current_due_on",
    "commitment_beyond_due",
    "status",
    "programme__reference_prefix",
    "category__name",
    "category__name_ar",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_unit__name",
    "assigned_unit__name_ar",
)


def grievance_queue_for_user(*, user, queue, today: date) -> QuerySet:
    """The grievances of a work queue the user may see, with the columns a queue row shows."""
    return (
        Grievance.objects.visible_to(user)
        .filter(queue.q(user=user, today=today))
        .select_related("programme", "category", "assigned_to", "assigned_unit")
        .only(*QUEUE_ROW_FIELDS)
    )


def grievance_queue_branches(*, user, queue, today: date) -> list[QuerySet] | None:
    """The queue's rows as disjoint parts read one index range each (`queues.page_branches`), or None."""
    from grievances.queues import page_branches

    parts = page_branches(queue, user=user, today=today)
    if parts is None:
        return None
    visible = Grievance.objects.visible_to(user)
    return [visible.filter(part) for part in parts]


def grievance_file_for_user(*, user, pk: int) -> Grievance:
    """The grievance file (its detail page) with every reference the page names, in one query.

    Read one by one, the assigned unit, the region, the partner, the answer channel… would
    each cost a query, and only on the grievances that have one: a page's query count would
    then depend on its data. Of the open file this one is a duplicate of, or is similar to,
    the page shows the reference only (`duplicate_of_reference`, `similar_to_reference`), and
    only if the user may open that file: not one flagged as sensitive since, nor, for a
    partner, one never sent to its organisation.
    """
    visible = Grievance.objects.visible_to(user)

    def reference_of(link: str) -> Subquery:
        return Subquery(visible.filter(pk=OuterRef(link)).values("reference")[:1])

    grievances = (
        grievance_list_for_user(user=user)
        .select_related(
            "assigned_unit",
            "region",
            "partner_organisation",
            "answer_channel",
            "unfounded_reason",
            "not_complaint_kind",
        )
        .annotate(duplicate_of_reference=reference_of("duplicate_of"), similar_to_reference=reference_of("similar_to"))
    )
    with _joins_in_written_order(grievances.db):
        return _visible_or_404(grievances, pk=pk)


@contextmanager
def _joins_in_written_order(using: str) -> Iterator[None]:
    """PostgreSQL plans the queries inside with their joins in the order the ORM writes them.

    The file page joins twelve tables: the grievance, then each reference it names by its
    primary key. That order is already the plan (one row, then a lookup per table); but
    PostgreSQL searched every join order first, 12 ms of planning at a million grievances
    for a query that runs in under 1 ms. `join_collapse_limit = 1` skips the search, for this
    transaction only (SET LOCAL), and is put back if an enclosing transaction goes on.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    enclosed = connection.in_atomic_block
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
        if enclosed:
            with connection.cursor() as cursor:
                cursor.execute("RESET join_collapse_limit")


def sensitive_case_get_for_user(*, user, pk: int) -> SensitiveCase:
    try:
        return SensitiveCase.objects.visible_to(user).select_related("programme", "channel").get(pk=pk)
    except SensitiveCase.DoesNotExist:
        raise Http404("Cas introuvable.") from None


def complainant_other_grievances(*, user, grievance: Grievance):
    """Operation 2 shows the beneficiary's previous complaints and open files (§6.3.6)."""
    if not grievance.complainant_cnie:
        return Grievance.objects.none()
    return (
        Grievance.objects.visible_to(user)
        .filter(complainant_cnie=grievance.complainant_cnie)
        .exclude(pk=grievance.pk)
        .select_related("category")
        .only("reference", "status", "received_at", "category__name", "category__name_ar")
        .order_by("-received_at")
    )


def _handles_q(term: str) -> Q:
    """A reference (« tay-2026-000123 »), a tracking code (read over the phone: spaces and
    dashes do not count), a CNIE or a phone number, in whatever form it was typed."""
    compact = term.replace(" ", "").upper()
    code = "".join(ch for ch in compact if ch.isalnum())
    handles = Q(reference=compact) | Q(tracking_code=code) | Q(complainant_cnie=normalise_cnie(term))
    phone = normalise_phone(term)
    if phone.startswith("+212"):
        handles |= Q(complainant_phone=phone)
    return handles


def grievance_designated(*, user, term: str) -> Grievance | None:
    """The one grievance the user may see that a reference or a tracking code names, else None.

    What the header's search box opens directly. A file the user may not see is answered
    like a reference that does not exist: nothing is designated, and the search lists nothing.
    """
    compact = term.strip().replace(" ", "").upper()
    if not compact:
        return None
    code = "".join(ch for ch in compact if ch.isalnum())
    found = list(Grievance.objects.visible_to(user).filter(Q(reference=compact) | Q(tracking_code=code)).only("pk")[:2])
    return found[0] if len(found) == 1 else None


def _name_tiers(term: str) -> list[Q]:
    """The same name in any order of its words, then the names that contain each word.

    Both read an index: the first is one equality on the name's key (its words in
    alphabetical order, `name_key`), served with its order by the name and reception date
    btree; the second is one `LIKE` per word, which the trigram index answers together.
    A word of one or two letters (« el », « ba ») has no trigram and would match nearly every
    name inside another word: it must be a whole word of the name, and at least one word of
    three letters or more is needed for the second tier at all.
    """
    key = name_key(term)
    if len(key) < 3 or any(ch.isdigit() for ch in key):
        return []
    words = key.split()
    tiers = [Q(search_name=key)]
    if max(len(word) for word in words) < 3:
        return tiers
    every_word = Q()
    for word in words:
        if len(word) >= 3:
            every_word &= Q(search_name__contains=word)
        else:
            every_word &= (
                Q(search_name=word)
                | Q(search_name__startswith=f"{word} ")
                | Q(search_name__endswith=f" {word}")
                | Q(search_name__contains=f" {word} ")
            )
    return [*tiers, every_word & ~Q(search_name=key)]


def grievance_search(*, user, term: str, limit: int = SEARCH_LIMIT) -> tuple[list[Grievance], bool]:
    """The visible grievances a term designates, best match first, and whether more were left out.

    A handle (reference, tracking code, CNIE, phone) designates its grievances exactly. A name
    matches without accents or case and in any order of its words (« zerouali fatima », the
    surname first as on the CNIE, finds « Fatima Zérouali »), each word anywhere in the name
    (« zahra bena » finds « Fatima Zahra Benaïssa »): the same full name comes first, then the
    names that contain every word, newest first in each tier. Each tier reads at most
    `limit + 1` rows through an index (see `_name_tiers`), and nothing is counted: a name
    thousands of complainants share costs no more than a rare one, and the page says « more
    than `limit` » instead of a total.
    """
    term = term.strip()
    tiers = [_handles_q(term), *_name_tiers(term)]
    visible = grievance_list_for_user(user=user).select_related("assigned_unit").order_by("-received_at", "-pk")
    found: list[Grievance] = []
    for tier in tiers:
        rows = visible.filter(tier)
        if found:
            rows = rows.exclude(pk__in=[g.pk for g in found])
        found += rows[: limit + 1 - len(found)]
        if len(found) > limit:
            return found[:limit], True
    return found, False


# How many of one person's grievances their page lists; past that it says there are more.
COMPLAINANT_LIMIT = 100


def complainant_grievances(
    *, user, grievance: Grievance, limit: int = COMPLAINANT_LIMIT
) -> tuple[list[Grievance], bool]:
    """Every grievance of the person who filed `grievance` that the user may see, newest first,
    and whether more than `limit` were left out.

    One person is one CNIE, else (no CNIE given) one phone number: a name is not an identity,
    two Fatima Zerouali are two people. An anonymous complainant, or one who left neither, has
    only this grievance. Sensitive cases are outside the scope as everywhere else.
    """
    if grievance.complainant_cnie:
        same_person = Q(complainant_cnie=grievance.complainant_cnie)
    elif grievance.complainant_phone:
        same_person = Q(complainant_phone=grievance.complainant_phone)
    else:
        same_person = Q(pk=grievance.pk)
    rows = list(
        grievance_list_for_user(user=user)
        .select_related("assigned_unit")
        .filter(same_person)
        .order_by("-received_at", "-pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit
