"""Queue pages follow a cursor: every row once, in order, whatever the depth, for a constant cost."""

import html
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance
from grievances.queues import queue_cursor
from pmpp.models import Channel, Programme

pytestmark = pytest.mark.django_db
S = Grievance.Status

_NEXT = re.compile(r'href="([^"]*)" rel="next"')
_PREVIOUS = re.compile(r'href="([^"]*)" rel="prev"')
_ROW = re.compile(r'<td><a href="/reclamations/\d+/">([^<]+)</a></td>')


def _copies(original: Grievance, count: int, *, start: int = 0, **fields) -> list[Grievance]:
    """`count` grievances like `original` (bulk, no history): many rows share a due date."""
    today = timezone.localdate()
    columns = [f for f in Grievance._meta.concrete_fields if not (f.primary_key or f.generated)]
    values = {f.attname: getattr(original, f.attname) for f in columns}
    copies = []
    for n in range(start, start + count):
        copies.append(
            Grievance(
                **values
                | {
                    "reference": f"TAY-C-{n:05d}",
                    "tracking_code": f"COPY{n:08d}",
                    "due_on": today + timedelta(days=n % 3),  # three dates: ties on every page
                    "received_at": original.received_at - timedelta(minutes=n % 7),
                    "external_reference": "",
                }
                | fields
            )
        )
    return Grievance.objects.bulk_create(copies)


@pytest.fixture
def queue_of_33(walk):
    """33 grievances Salma may see, a sensitive one she may not, and one of another programme."""
    original = walk.register()
    _copies(original, 32)
    sensitive = _copies(original, 1, start=900, status=Grievance.Status.SENSITIVE)[0]
    return sensitive


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _walk(client, first_url: str, link: re.Pattern, *, slug: str = "toutes") -> list[list[str]]:
    pages, url = [], first_url
    while True:
        page = _get(client, url)
        pages.append(_ROW.findall(page))
        found = link.search(page)
        if not found:
            return pages
        url = reverse("grievances:queue", args=[slug]) + html.unescape(found.group(1))


def _expected(user, order: str) -> list[str]:
    path = {"programme": "programme__reference_prefix"}.get(order.lstrip("-"), order.lstrip("-"))
    desc = order.startswith("-")
    rows = Grievance.objects.visible_to(user).order_by(f"-{path}" if desc else path, "-pk" if desc else "pk")
    return list(rows.values_list("reference", flat=True))


@pytest.mark.parametrize(
    "sort", ["due_on", "-due_on", "received_at", "-received_at", "reference", "status", "-programme"]
)
def test_walking_a_queue_forward_then_back_shows_every_visible_row_once_in_order(client, salma, queue_of_33, sort):
    client.force_login(salma)
    expected = _expected(salma, sort)
    assert len(expected) == 33
    url = reverse("grievances:queue", args=["toutes"]) + f"?per_page=10&sort={sort}"

    forward = _walk(client, url, _NEXT)

    assert [len(rows) for rows in forward] == [10, 10, 10, 3]
    assert [ref for rows in forward for ref in rows] == expected
    # From the last page, « Précédent » leads back through the same pages to the first.
    last = _get(client, url)
    for _ in range(3):
        last_url = reverse("grievances:queue", args=["toutes"]) + html.unescape(_NEXT.search(last).group(1))
        last = _get(client, last_url)
    backward = _walk(client, last_url, _PREVIOUS)
    assert backward == forward[::-1]
    assert queue_of_33.reference not in "".join(ref for rows in forward for ref in rows)


def test_the_first_page_has_no_previous_link_and_the_last_no_next(client, salma, queue_of_33):
    client.force_login(salma)
    url = reverse("grievances:queue", args=["toutes"]) + "?per_page=25"
    first = _get(client, url)
    assert 'rel="prev"' not in first
    assert 'data-page="first"' not in first
    second = _get(client, reverse("grievances:queue", args=["toutes"]) + html.unescape(_NEXT.search(first).group(1)))
    assert 'rel="next"' not in second
    assert 'data-page="first"' in second
    assert len(_ROW.findall(second)) == 8


def test_a_sensitive_case_is_on_no_page_of_any_queue(client, salma, leila, queue_of_33):
    for user in (salma, leila):
        client.force_login(user)
        for queue in ("toutes", "a-qualifier", "echeance-proche"):
            if queue == "a-qualifier" and user is leila:
                continue
            url = reverse("grievances:queue", args=[queue]) + "?per_page=10"
            assert queue_of_33.reference not in str(_walk_any(client, url, queue))


def _walk_any(client, url, queue) -> list[str]:
    seen = []
    while url:
        page = _get(client, url)
        seen += _ROW.findall(page)
        found = _NEXT.search(page)
        url = reverse("grievances:queue", args=[queue]) + html.unescape(found.group(1)) if found else None
    return seen


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "e30:1vAbCd:forged",
        signing.dumps({"s": "due_on", "v": "2026-01-01", "i": 1, "b": False}, salt="another-salt"),
        signing.dumps({"s": "due_on", "v": "not a date", "i": 1, "b": False}, salt="grievances.queue-cursor"),
        signing.dumps({"s": "due_on", "v": "2026-01-01", "i": "1", "b": False}, salt="grievances.queue-cursor"),
        signing.dumps(["a list"], salt="grievances.queue-cursor"),
    ],
)
def test_a_tampered_or_invalid_cursor_gives_the_first_page(client, salma, queue_of_33, cursor):
    client.force_login(salma)
    url = reverse("grievances:queue", args=["toutes"])
    first = _ROW.findall(_get(client, url + "?per_page=10"))
    response = client.get(url, {"per_page": 10, "cursor": cursor})
    assert response.status_code == 200
    assert _ROW.findall(response.content.decode()) == first


def test_a_cursor_made_for_another_sort_gives_that_sorts_first_page(client, salma, queue_of_33):
    client.force_login(salma)
    url = reverse("grievances:queue", args=["toutes"])
    by_reference = _ROW.findall(_get(client, url + "?per_page=10&sort=reference"))
    last = Grievance.objects.visible_to(salma).order_by("due_on", "pk").last()
    cursor = queue_cursor(sort="due_on", value=last.due_on, pk=last.pk)
    response = client.get(url, {"per_page": 10, "sort": "reference", "cursor": cursor})
    assert _ROW.findall(response.content.decode()) == by_reference


def test_paging_keeps_the_filters_and_the_sort(client, walk, salma):
    postal = Channel.objects.get(code="postal")
    original = walk.register(channel=postal)
    _copies(original, 14)
    _copies(walk.register(), 5, start=100)  # by phone: filtered out
    client.force_login(salma)
    url = reverse("grievances:queue", args=["toutes"]) + f"?per_page=10&channel={postal.pk}&sort=-due_on"
    pages = _walk(client, url, _NEXT)
    assert [len(rows) for rows in pages] == [10, 5]
    assert {ref for rows in pages for ref in rows} == set(
        Grievance.objects.filter(channel=postal).values_list("reference", flat=True)
    )


def _page_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_queue_page_issues_the_same_queries_with_30_or_300_grievances(client, walk, salma, youssef):
    original = walk.register()
    _copies(original, 29)
    client.force_login(salma)
    url = reverse("grievances:queue", args=["toutes"]) + "?per_page=10"
    first_small, page = _page_queries(client, url)
    next_small, _ = _page_queries(
        client, reverse("grievances:queue", args=["toutes"]) + html.unescape(_NEXT.search(page).group(1))
    )

    _copies(original, 270, start=1000, assigned_to_id=youssef.pk)
    first_large, page = _page_queries(client, url)
    deep = Grievance.objects.visible_to(salma).order_by("due_on", "pk")[250]
    deep_url = url + "&" + f"cursor={queue_cursor(sort='due_on', value=deep.due_on, pk=deep.pk)}"
    deep_large, deep_page = _page_queries(client, deep_url)

    assert first_small == first_large == next_small == deep_large
    assert len(_ROW.findall(deep_page)) == 10


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="index choice is PostgreSQL's (CI)")
@pytest.mark.parametrize("slug", ["echeance-proche", "echeance-aujourdhui"])
def test_the_deadline_queues_are_counted_from_the_open_grievances_index(salma, walk, slug):
    from grievances.queues import QUEUE_COUNT_CAP, QUEUES_BY_SLUG

    # Mostly closed rows, as in production: on an empty table every index costs the same and
    # the planner's pick among them is arbitrary (it once took another index than expected).
    original = walk.register()
    closed = timezone.now()
    _copies(original, 300, start=1000, status=S.CLOSED, closure_validated_at=closed, effective_closed_at=closed)
    _copies(original, 20, start=2000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Grievance._meta.db_table}")
    today = timezone.localdate()
    queue = QUEUES_BY_SLUG[slug]
    rows = Grievance.objects.visible_to(salma).order_by().filter(queue.q(user=salma, today=today))
    sql, params = rows.values("pk")[: QUEUE_COUNT_CAP + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        # On a handful of test rows a table scan is cheapest; forbid it to see what the
        # planner can use at a million rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")  # nor a bitmap over a few pages
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S608 — ORM-built SQL
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # An index of the open grievances only, never one over every row. Which of the two the
    # planner takes on twenty rows is a tie; at a million rows it takes the due-date one
    # (the plan table of bench/RESULTS.md).
    assert re.search(r"Index (Only )?Scan using (grievance_open_due_prog_idx|grievance_open_state_due_idx)", plan), plan


@pytest.fixture
def several_states_and_programmes(walk):
    """« Réponse à rédiger » rows in its four states on Tayssir and DAAM, sharing due dates."""
    original = walk.register()
    daam = original.programme.__class__.objects.get(code="daam")
    states = [S.ANALYSED, S.TREATED, S.PARTNER_ANSWERED, S.ANSWER_REJECTED]
    for n, state in enumerate(states):
        _copies(original, 4, start=100 + 10 * n, status=state)
        _copies(original, 3, start=200 + 10 * n, status=state, programme_id=daam.pk)
    _copies(original, 5, start=300, status=S.QUALIFIED)  # not in the queue


@pytest.mark.parametrize("sort", ["due_on", "-due_on"])
def test_a_queue_read_state_by_state_and_programme_by_programme_shows_every_row_once_in_order(
    client, salma, several_states_and_programmes, sort
):
    client.force_login(salma)
    rows = Grievance.objects.visible_to(salma).filter(
        status__in=[S.ANALYSED, S.TREATED, S.PARTNER_ANSWERED, S.ANSWER_REJECTED]
    )
    desc = sort.startswith("-")
    expected = list(
        rows.order_by("-current_due_on" if desc else "current_due_on", "-pk" if desc else "pk").values_list(
            "reference", flat=True
        )
    )
    assert len(expected) == 28
    url = reverse("grievances:queue", args=["a-repondre"]) + f"?per_page=10&sort={sort}"

    forward = _walk(client, url, _NEXT, slug="a-repondre")

    assert [len(rows) for rows in forward] == [10, 10, 8]
    assert [ref for rows in forward for ref in rows] == expected
    last_url = reverse("grievances:queue", args=["a-repondre"]) + html.unescape(
        _NEXT.search(
            _get(
                client,
                reverse("grievances:queue", args=["a-repondre"])
                + html.unescape(_NEXT.search(_get(client, url)).group(1)),
            )
        ).group(1)
    )
    assert _walk(client, last_url, _PREVIOUS, slug="a-repondre") == forward[::-1]


def test_a_filtered_queue_read_in_parts_keeps_the_filter_on_every_part(client, salma, several_states_and_programmes):
    # The page's one filter form applies to each state-and-programme part (issue 19).
    client.force_login(salma)
    daam = Programme.objects.get(code="daam")
    rows = Grievance.objects.visible_to(salma).filter(
        status__in=[S.ANALYSED, S.TREATED, S.PARTNER_ANSWERED, S.ANSWER_REJECTED]
    )
    expected = list(rows.filter(programme=daam).order_by("current_due_on", "pk").values_list("reference", flat=True))
    assert 0 < len(expected) < rows.count()
    url = reverse("grievances:queue", args=["a-repondre"]) + f"?per_page=5&programme={daam.pk}"

    pages = _walk(client, url, _NEXT, slug="a-repondre")

    assert [ref for rows in pages for ref in rows] == expected


def test_the_deadline_queue_of_a_two_programme_agent_merges_both_programmes_in_order(client, salma, walk):
    original = walk.register()
    daam = original.programme.__class__.objects.get(code="daam")
    _copies(original, 12)
    _copies(original, 12, start=500, programme_id=daam.pk)
    client.force_login(salma)
    today = timezone.localdate()
    soon = (
        Grievance.objects.visible_to(salma)
        .filter(current_due_on__gte=today, current_due_on__lte=today + timedelta(days=settings.PMPP_DUE_SOON_DAYS))
        .exclude(status__in=Grievance.TERMINAL_STATES)
    )
    expected = list(soon.order_by("current_due_on", "pk").values_list("reference", flat=True))
    assert set(soon.values_list("programme__code", flat=True)) == {"tayssir", "daam"}

    pages = _walk(
        client, reverse("grievances:queue", args=["echeance-proche"]) + "?per_page=10", _NEXT, slug="echeance-proche"
    )

    assert [ref for rows in pages for ref in rows] == expected
