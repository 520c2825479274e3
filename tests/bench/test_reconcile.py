"""The load test's verdict (bench/reconcile.py): a grievance lost or doubled under load is flagged."""

from bench.reconcile import Filing, reconcile


def _verdict(filings, *, stored, created, external=None):
    return reconcile(filings, stored=stored, created=created, external_references=external or {})


def test_every_acknowledged_grievance_stored_once_passes():
    filings = [
        Filing("api", "TAY-2026-000001", external_reference="BENCH-1"),
        Filing("portal", "AMO-2026-000001"),
        Filing("api", "TAY-2026-000001", external_reference="BENCH-1", replay_of="TAY-2026-000001"),
    ]

    result = _verdict(
        filings,
        stored={"TAY-2026-000001": 1, "AMO-2026-000001": 1},
        created={"api": 1, "portal": 1},
        external={"BENCH-1": 1},
    )

    assert result.ok
    assert result.acknowledged == {"api": 1, "portal": 1}
    assert result.replays == 1
    assert result.lines()[-1] == "nothing lost, nothing duplicated"


def test_a_reference_given_to_a_client_but_not_in_the_database_is_missing():
    filings = [Filing("portal", "AMO-2026-000001"), Filing("portal", "AMO-2026-000002")]

    result = _verdict(filings, stored={"AMO-2026-000001": 1}, created={"portal": 1})

    assert not result.ok
    assert result.missing == ["AMO-2026-000002"]
    assert result.unacknowledged == {"portal": -1}
    assert any("missing" in line and "AMO-2026-000002" in line for line in result.lines())


def test_a_grievance_recorded_without_its_client_being_told_is_flagged():
    result = _verdict([Filing("api", "TAY-2026-000001")], stored={"TAY-2026-000001": 1}, created={"api": 2})

    assert not result.ok
    assert result.unacknowledged == {"api": 1}


def test_a_replay_answered_with_a_new_reference_is_a_duplicate():
    filings = [
        Filing("portal", "AMO-2026-000001"),
        Filing("portal", "AMO-2026-000002", replay_of="AMO-2026-000001"),
    ]

    result = _verdict(filings, stored={"AMO-2026-000001": 1, "AMO-2026-000002": 1}, created={"portal": 1})

    assert not result.ok
    assert result.replays_answered_otherwise == ["AMO-2026-000001"]


def test_one_reference_given_to_two_requests_and_a_doubled_external_reference_are_flagged():
    filings = [
        Filing("api", "TAY-2026-000001", external_reference="BENCH-1"),
        Filing("api", "TAY-2026-000001", external_reference="BENCH-2"),
    ]

    result = _verdict(filings, stored={"TAY-2026-000001": 1}, created={"api": 1}, external={"BENCH-1": 2, "BENCH-2": 0})

    assert not result.ok
    assert result.given_twice == ["TAY-2026-000001"]
    assert result.duplicate_external_references == ["BENCH-1"]
