"""After a load test: was every grievance a client was told about recorded once, and nothing more?

Pure functions over what the clients were answered and what the database holds, so that a
test can check that a missing or doubled grievance is flagged (tests/bench/test_reconcile.py).
`bench/load.py` gathers both sides and prints the verdict.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filing:
    """A grievance a client was told was recorded (API 201, portal receipt after its 302).

    A replay is the same request sent again (the same `Idempotency-Key` and body, or the same
    portal form with its submission token): it must be answered with the first reference,
    `replay_of`, and record nothing.
    """

    channel: str  # "api" or "portal"
    reference: str
    external_reference: str = ""  # the channel's own file number (API)
    replay_of: str = ""


@dataclass
class Reconciliation:
    acknowledged: dict[str, int]  # channel → distinct references the clients were given
    created: dict[str, int]  # channel → grievances the database gained during the run
    missing: list[str] = field(default_factory=list)  # acknowledged, not in the database
    duplicated: list[str] = field(default_factory=list)  # acknowledged, stored more than once
    replays_answered_otherwise: list[str] = field(default_factory=list)  # a replay given another reference
    given_twice: list[str] = field(default_factory=list)  # one reference given to two different requests
    duplicate_external_references: list[str] = field(default_factory=list)
    replays: int = 0

    @property
    def unacknowledged(self) -> dict[str, int]:
        """Channel → grievances recorded whose client was never told (its answer lost: a
        timeout, a reset). Not lost, but a client retrying with a new key would file it twice."""
        return {
            channel: self.created.get(channel, 0) - self.acknowledged.get(channel, 0)
            for channel in sorted(set(self.created) | set(self.acknowledged))
            if self.created.get(channel, 0) != self.acknowledged.get(channel, 0)
        }

    @property
    def ok(self) -> bool:
        return not (
            self.missing
            or self.duplicated
            or self.replays_answered_otherwise
            or self.given_twice
            or self.duplicate_external_references
            or self.unacknowledged
        )

    def lines(self) -> list[str]:
        """The verdict, one line per finding; the references themselves are not personal data."""

        def some(items: list[str]) -> str:
            return ", ".join(items[:5]) + (f" … ({len(items)} in all)" if len(items) > 5 else "")

        given = ", ".join(f"{channel} {count:,}" for channel, count in sorted(self.acknowledged.items()))
        created = ", ".join(f"{channel} {count:,}" for channel, count in sorted(self.created.items()))
        lines = [
            f"references given to the clients: {given or 'none'}; grievances created: {created or 'none'}; "
            f"{self.replays:,} replays answered with the first reference"
        ]
        findings = [
            ("**missing** from the database", self.missing),
            ("**stored more than once**", self.duplicated),
            ("**replay answered with another reference** (first reference)", self.replays_answered_otherwise),
            ("**one reference given to two different requests**", self.given_twice),
            ("**external reference stored more than once**", self.duplicate_external_references),
        ]
        lines += [f"{label}: {some(items)}" for label, items in findings if items]
        lines += [
            f"**{count:+,} grievances** of channel {channel} created but never acknowledged to a client"
            if count > 0
            else f"**{-count:,} acknowledged {channel} grievances not created** during the run"
            for channel, count in self.unacknowledged.items()
        ]
        lines.append("nothing lost, nothing duplicated" if self.ok else "**FAILED**")
        return lines


def reconcile(
    filings: Iterable[Filing],
    *,
    stored: Mapping[str, int],
    created: Mapping[str, int],
    external_references: Mapping[str, int],
) -> Reconciliation:
    """Compare what the clients were answered with what the database holds.

    `stored` counts the database's rows for each reference the clients were given;
    `created` counts, per channel, the grievances added during the run; `external_references`
    counts the rows of each external reference used during the run.
    """
    filings = list(filings)
    firsts = [f for f in filings if not f.replay_of]
    replays = [f for f in filings if f.replay_of]
    references = Counter(f.reference for f in firsts)
    acknowledged = Counter(f.channel for f in {(f.channel, f.reference): f for f in firsts}.values())
    return Reconciliation(
        acknowledged=dict(acknowledged),
        created=dict(created),
        missing=sorted(r for r in references if stored.get(r, 0) == 0),
        duplicated=sorted(r for r in references if stored.get(r, 0) > 1),
        replays_answered_otherwise=sorted(f.replay_of for f in replays if f.reference != f.replay_of),
        given_twice=sorted(r for r, n in references.items() if n > 1),
        duplicate_external_references=sorted(e for e, n in external_references.items() if n > 1),
        replays=len(replays),
    )
