"""The bulk generator (PostgreSQL): templates checked step by step, clones written set-based."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from grievances import deadlines, generator
from grievances.models import Commitment, Grievance
from grievances.services import bulk
from grievances.services.intake import _CNIE, due_dates, name_key, normalise_phone
from grievances.services.references import _TRACKING_ALPHABET
from grievances.services.replay import ReplayError, Step, Story

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the bulk path is PostgreSQL's (CI)"),
]


def generate(count: int, *, templates: int, seed: int = 4) -> str:
    out = io.StringIO()
    call_command("generate_grievances", count=count, templates=templates, seed=seed, force=True, stdout=out)
    return out.getvalue()


def indexes() -> set[tuple]:
    """Each index of the four tables: name, columns, method, unique, partial (its text form may differ)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indkey::text, am.amname, i.indisunique, i.indpred IS NOT NULL "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_am am ON am.oid = c.relam WHERE t.relname IN ('grievances_grievance', "
            "'grievances_historicalgrievance', 'grievances_commitment', 'grievances_historicalcommitment')"
        )
        return set(cursor.fetchall())


def transitions() -> dict[int, tuple[str, ...]]:
    steps: dict[int, list[str]] = {}
    for row in Grievance.history.order_by("history_date", "history_id").values("id", "transition"):
        steps.setdefault(row["id"], []).append(row["transition"])
    return {pk: tuple(path) for pk, path in steps.items()}


def test_clones_follow_their_templates_paths_with_their_own_identity_and_dates():
    before = indexes()
    output = generate(600, templates=60)

    assert "60 réclamations vérifiées étape par étape" in output
    assert Grievance.objects.count() == 600
    assert indexes() == before  # every index dropped for the load is back, as it was
    paths = transitions()
    # Only the 60 templates' paths exist, each one many times; every clone starts with its registration.
    assert len(set(paths.values())) <= 60
    assert max(Counter(paths.values()).values()) > 10
    assert all(path[0] == "register" for path in paths.values())
    last = {}
    for row in Grievance.history.order_by("history_date", "history_id").values("id", "status", "history_date"):
        last[row["id"]] = row
    now = timezone.now()
    for grievance in Grievance.objects.select_related("programme", "channel"):
        assert last[grievance.pk]["status"] == grievance.status
        assert last[grievance.pk]["history_date"] <= now
        # The deadlines of reception are the intake's, for the clone's own day of reception.
        if grievance.status != "appealed":
            assert (grievance.due_on, grievance.acknowledgement_due_on) == due_dates(
                programme=grievance.programme, channel=grievance.channel, received_at=grievance.received_at
            )
        if grievance.status == "closed":
            assert now - timedelta(days=731) <= grievance.received_at <= now - timedelta(days=29)
        elif grievance.status not in ("appealed",):
            assert grievance.received_at >= now - timedelta(days=22)


def test_clones_are_distinct_people_with_valid_identities_and_unique_codes():
    generate(500, templates=40)

    rows = list(
        Grievance.objects.filter(is_anonymous=False).values_list(
            "complainant_cnie", "complainant_phone", "complainant_name", "search_name"
        )
    )
    assert len(rows) > 400
    for cnie, phone, name, key in rows:
        assert _CNIE.match(cnie)
        assert normalise_phone(phone) == phone
        assert key == name_key(name)
    assert len({cnie for cnie, *_ in rows}) == len(rows)
    assert len({name for _, _, name, _ in rows}) > 300  # drawn from 15,000 names, not from 40 templates
    assert not Grievance.objects.filter(is_anonymous=True).exclude(complainant_cnie="", complainant_name="").exists()
    codes = list(Grievance.objects.values_list("tracking_code", flat=True))
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 12 and set(code) <= set(_TRACKING_ALPHABET) for code in codes)


def test_references_continue_the_locked_counters_without_a_gap_or_a_duplicate():
    from grievances.models import ReferenceCounter

    generate(300, templates=30, seed=1)
    generate(300, templates=30, seed=2)

    references = list(Grievance.objects.values_list("reference", flat=True))
    assert len(set(references)) == 600
    numbers: dict[tuple[str, int], list[int]] = {}
    for reference in references:
        prefix, year, number = reference.split("-")
        numbers.setdefault((prefix, int(year)), []).append(int(number))
    for (prefix, year), issued in numbers.items():
        assert sorted(issued) == list(range(1, len(issued) + 1))
        assert ReferenceCounter.objects.get(prefix=prefix, year=year).last_value == len(issued)
    for grievance in Grievance.objects.all():
        assert grievance.reference.split("-")[1] == str(timezone.localdate(grievance.received_at).year)


def test_cloned_commitments_keep_their_chain_and_the_closure_date_rule():
    generate(800, templates=80)

    renewed = Commitment.objects.filter(renews__isnull=False).select_related("renews")
    assert renewed.exists()
    for commitment in renewed:
        assert commitment.renews.grievance_id == commitment.grievance_id
        assert commitment.renews.sequence == commitment.sequence - 1
    closed = Grievance.objects.filter(status="closed", outcome="founded").prefetch_related("commitments")
    assert closed.exists()
    for grievance in closed:
        facts = [
            deadlines.CommitmentFacts(status=c.status, notified_at=c.notified_at, realised_at=c.realised_at)
            for c in grievance.commitments.all()
        ]
        expected = deadlines.effective_closure_at(
            commitments=facts, closure_validated_at=grievance.closure_validated_at
        )
        assert grievance.effective_closed_at == max(expected, grievance.received_at)
    history = Commitment.history.values_list("id", flat=True)
    assert set(history) == set(Commitment.objects.values_list("pk", flat=True))


def test_a_template_that_breaks_a_rule_writes_nothing_and_keeps_the_indexes(walk):
    before = indexes()
    broken = Story(
        programme=walk.programme,
        channel=walk.channel,
        received_at=timezone.now() - timedelta(days=40),
        description="Bourse non versée.",
        created_by=walk.agent,
        cnie="AB123456",
        identity_verified=True,
        steps=(Step("close", walk.closer, timezone.now() - timedelta(days=39), {"synthesis": "?"}),),
    )
    with pytest.raises(ReplayError, match=r"n.est pas possible"):
        bulk.grievances_clone([broken], count=50, names=generator.full_names())
    assert not Grievance.objects.exists()
    assert not Grievance.history.exists()
    assert indexes() == before


def test_a_cloned_grievance_opens_like_any_other(client, leila):
    generate(120, templates=20)
    grievance = Grievance.objects.filter(status="closed", programme__code="tayssir").first()
    client.force_login(leila)
    page = client.get(reverse("grievances:detail", args=[grievance.pk])).content.decode()
    assert grievance.reference in page
    assert "Clôturer (opération 4)" in page


def test_references_past_a_million_keep_every_digit():
    from grievances.models import ReferenceCounter

    year = timezone.localdate().year
    for prefix in ("TAY", "AMO", "TAD", "DAA", "ALF"):
        ReferenceCounter.objects.create(prefix=prefix, year=year, last_value=999_990)
    generate(400, templates=40)

    references = list(Grievance.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    numbers = [
        int(r.split("-")[2])
        for r in Grievance.objects.filter(reference__contains=f"-{year}-").values_list("reference", flat=True)
    ]
    assert max(numbers) > 1_000_000
    assert Grievance.objects.filter(reference__regex=rf"-{year}-1[0-9]{{6}}$").exists()
