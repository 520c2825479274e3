"""Replay: record, in bulk, grievances whose whole history happened elsewhere or in the past.

The live services (`intake`, `workflow`) take one step at a time, now, one transaction per
click. Some callers hold a complete story instead: the test data set that reproduces the
Tayssir Q1 2023 report (§6.2.6), the generator for the benchmarks, and later the import of
historical complaints. `grievances_replay` takes such stories and writes them in bulk,
without giving up any of the rules the live services enforce:

- each grievance gets its reference from the locked counter (a block per programme and
  year, never `Max()+1`), a random tracking code, and its deadlines from the programme's
  policy and the public holidays, exactly as `grievance_register` computes them;
- each step goes through the same check as a live step (`workflow.check_step`: the state
  machine's source states, the role's permission on a grievance the actor can see, the
  four-eyes rules, the transition's conditions) and then the model's own transition method;
- the closure date follows the same rule (§6.3.2, `deadlines.effective_closure_at`);
- every step writes its history row, with the step's name, its reason, its author and its
  date, the same columns the live services write through django-simple-history.

Only the writing differs: rows are gathered per batch and written with PostgreSQL's COPY
(plain `executemany` on SQLite), history rows included, instead of one INSERT per save.
A batch is one transaction: it is written whole or not at all.
"""

import copy
import inspect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from grievances import deadlines
from grievances.models import Commitment, Grievance
from grievances.services.intake import (
    due_dates_under,
    intake_errors,
    name_key,
    normalise_cnie,
    normalise_phone,
    pick_deadline_policy,
)
from grievances.services.references import format_reference, new_tracking_code, reserve_reference_numbers
from grievances.services.workflow.answer import default_answer_channel
from grievances.services.workflow.steps import check_step
from grievances.workflow import TRANSITION_LABELS
from pmpp.models import DeadlinePolicy, PublicHoliday

# Steps on the commitment chain that are not grievance transitions of their own.
NOTIFY_COMMITMENT = "notify_commitment"
_COMMITMENT_REASONS = {
    "give_commitment": ("Engagement de traitement", "give"),
    NOTIFY_COMMITMENT: ("Engagement notifié au réclamant", "notify"),
    "honour_commitment": ("Engagement honoré", "honour"),
    "break_commitment": ("Engagement non honoré", "break"),
    "renew_commitment": ("Engagement renouvelé", "renew"),
}


@dataclass(frozen=True)
class Step:
    """One workflow step of a story: the model transition's name, who took it, when, its data.

    `data` holds the transition method's arguments other than `actor` and `when`, which the
    replay fills in. Commitment steps take `promised_on` (give, renew), `reason` (break,
    renew) and `note` (give).
    """

    name: str
    actor: object
    at: datetime
    data: dict = field(default_factory=dict)
    comment: str = ""


@dataclass(frozen=True)
class Story:
    """A grievance as received (the intake fields of `grievance_register`) and its steps, in order."""

    programme: object
    channel: object
    received_at: datetime
    description: str
    created_by: object
    steps: tuple[Step, ...] = ()
    category: object = None
    is_anonymous: bool = False
    cnie: str = ""
    phone: str = ""
    name: str = ""
    sex: str = "unknown"
    age_group: str = "unknown"
    region: object = None
    residence: str = ""
    identity_verified: bool = False
    external_reference: str = ""


class ReplayError(ValidationError):
    """A story that breaks a rule; names the story (its position) and the step."""


def _transition_arguments() -> dict[str, set[str]]:
    return {name: set(inspect.signature(getattr(Grievance, name)).parameters) - {"self"} for name in TRANSITION_LABELS}


_ARGUMENTS = _transition_arguments()


class _Deadlines:
    """Policies and holidays read once for the whole replay, then the intake's own rules."""

    def __init__(self):
        self.policies = list(DeadlinePolicy.objects.all())
        self.holidays = frozenset(PublicHoliday.objects.values_list("date", flat=True))

    def due_dates(self, *, programme, channel, received_at: datetime):
        policy = pick_deadline_policy(self.policies, programme=programme, channel=channel)
        return due_dates_under(policy=policy, holidays=self.holidays, received_at=received_at)


class _Table:
    """Columns of a table and of its history table, and a fast row getter for each."""

    def __init__(self, model):
        self.model = model
        self.table = model._meta.db_table
        # A generated column (the running deadline) is the database's to write.
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        self.columns = [f.column for f in fields]
        self.row = attrgetter(*(f.attname for f in fields))
        history = model.history.model
        self.history_table = history._meta.db_table
        own = {f.attname for f in fields}
        # COPY names its columns, so the history row is the instance's snapshot, then the extras.
        history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
        history_fields.sort(key=lambda f: f.attname not in own)
        self.history_columns = [f.column for f in history_fields]
        self.snapshot = attrgetter(*(f.attname for f in history_fields if f.attname in own))
        self.extras = [f.attname for f in history_fields if f.attname not in own]
        self.date_columns = [
            (i, f.get_internal_type()) for i, f in enumerate(fields) if f.get_internal_type() in _DATE_TYPES
        ]
        self.history_date_columns = [
            (i, f.get_internal_type()) for i, f in enumerate(history_fields) if f.get_internal_type() in _DATE_TYPES
        ]

    def written_to(self, table: str, history_table: str) -> "_Table":
        """The same columns, written to other tables (the bulk generator's template tables)."""
        other = copy.copy(self)
        other.table, other.history_table = table, history_table
        return other

    def history_row(self, instance, *, at, reason: str, kind: str, user, transition: str) -> tuple:
        extras = {
            "history_date": at,
            "history_change_reason": reason,
            "history_type": kind,
            "history_user_id": getattr(user, "pk", None),
            "transition": transition,
        }
        return (*self.snapshot(instance), *(extras[name] for name in self.extras))


_DATE_TYPES = {"DateTimeField", "DateField"}


def _next_ids(model, count: int) -> Iterator[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return iter([row[0] for row in cursor.fetchall()])
        # SQLite has one writer at a time, and this runs inside the batch's transaction.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 — a model's table name
        start = cursor.fetchone()[0] + 1
        return iter(range(start, start + count))


def _write(table: str, columns: list[str], rows: list[tuple], date_columns) -> None:
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = {"DateTimeField": _sqlite_datetime, "DateField": _sqlite_date}
        if date_columns:
            converted = []
            for row in rows:
                row = list(row)
                for index, kind in date_columns:
                    row[index] = adapt[kind](row[index])
                converted.append(row)
            rows = converted
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What Django's SQLite backend stores: naive UTC, ISO format with a space.
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _sqlite_date(value) -> str | None:
    return None if value is None else value.isoformat()


class _Batch:
    def __init__(self):
        self.grievances: list[tuple] = []
        self.grievance_history: list[tuple] = []
        self.commitments: list[Commitment] = []
        self.commitment_history: list[tuple] = []


def _label(name: str) -> str:
    # Resolved once per language: a replay writes millions of history rows.
    from django.utils.translation import get_language

    key = (name, get_language())
    if key not in _LABELS:
        _LABELS[key] = str(TRANSITION_LABELS[name])
    return _LABELS[key]


_LABELS: dict[tuple[str, str | None], str] = {}


def _fail(position: int, message: str, step: str | None = None) -> ReplayError:
    where = f"réclamation n° {position + 1}" + (f", étape « {step} »" if step else "")
    return ReplayError(f"{where} : {message}")


def grievances_replay(stories: Iterable[Story], *, batch_size: int = 5000, progress=None) -> int:
    """Record the stories, `batch_size` per transaction; return how many grievances were written.

    A story that breaks a rule raises `ReplayError` naming it; its batch is not written.
    `progress(done)` is called after each batch.
    """
    grievance_table, commitment_table = _Table(Grievance), _Table(Commitment)
    rules = _Deadlines()
    done = 0
    batch: list[Story] = []
    for story in stories:
        batch.append(story)
        if len(batch) >= batch_size:
            done += _replay_batch(batch, offset=done, rules=rules, tables=(grievance_table, commitment_table))
            batch = []
            if progress:
                progress(done)
    if batch:
        done += _replay_batch(batch, offset=done, rules=rules, tables=(grievance_table, commitment_table))
        if progress:
            progress(done)
    return done


def _replay_batch(stories: list[Story], *, offset: int, rules: _Deadlines, tables) -> int:
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    for story in stories:
        numbers[story.programme.reference_prefix, timezone.localdate(story.received_at).year] += 1
    # The numbers are reserved in a short transaction of their own, so that parallel writers
    # do not queue behind each other's batches on the counter row. A batch that then fails
    # leaves a gap in the numbering, never a duplicate.
    with transaction.atomic():
        next_number = {
            key: reserve_reference_numbers(prefix=key[0], year=key[1], count=count)
            for key, count in sorted(numbers.items())
        }
    with transaction.atomic():
        return _write_batch(stories, offset=offset, rules=rules, tables=tables, next_number=next_number)


def _write_batch(stories: list[Story], *, offset: int, rules: _Deadlines, tables, next_number: dict, ids=None) -> int:
    """Check and write the stories; `ids` (grievance ids, commitment ids) defaults to the sequences'."""
    grievance_table, commitment_table = tables
    if ids is None:
        commitment_count = sum(
            1 for s in stories for step in s.steps if step.name in ("give_commitment", "renew_commitment")
        )
        ids = (
            _next_ids(Grievance, len(stories)),
            _next_ids(Commitment, commitment_count) if commitment_count else iter(()),
        )
    grievance_ids, commitment_ids = ids
    out = _Batch()
    for position, story in enumerate(stories, start=offset):
        key = (story.programme.reference_prefix, timezone.localdate(story.received_at).year)
        number = next_number[key]
        next_number[key] += 1
        grievance = _register(
            story, position=position, rules=rules, reference=format_reference(prefix=key[0], year=key[1], number=number)
        )
        grievance.id = next(grievance_ids)
        out.grievance_history.append(
            grievance_table.history_row(
                grievance,
                at=grievance.created_at,
                reason=f"Enregistrement ({story.channel.name})",
                kind="+",
                user=story.created_by,
                transition="register",
            )
        )
        _play_steps(story, grievance, position=position, out=out, tables=tables, commitment_ids=commitment_ids)
        out.grievances.append(grievance_table.row(grievance))
    _write(grievance_table.table, grievance_table.columns, out.grievances, grievance_table.date_columns)
    _write(
        grievance_table.history_table,
        grievance_table.history_columns,
        out.grievance_history,
        grievance_table.history_date_columns,
    )
    _write(
        commitment_table.table,
        commitment_table.columns,
        [commitment_table.row(c) for c in out.commitments],
        commitment_table.date_columns,
    )
    _write(
        commitment_table.history_table,
        commitment_table.history_columns,
        out.commitment_history,
        commitment_table.history_date_columns,
    )
    return len(stories)


def _register(story: Story, *, position: int, rules: _Deadlines, reference: str) -> Grievance:
    cnie, phone, name = normalise_cnie(story.cnie), normalise_phone(story.phone), (story.name or "").strip()
    errors = intake_errors(
        programme=story.programme,
        channel=story.channel,
        description=(story.description or "").strip(),
        is_anonymous=story.is_anonymous,
        cnie=cnie,
        phone=phone,
        name=name,
        email="",
        preferred_contact="",
        sex=story.sex,
        age_group=story.age_group,
        residence=story.residence,
        identity_verified=story.identity_verified,
        category=story.category,
        external_reference=story.external_reference,
    )
    if timezone.is_naive(story.received_at):
        errors["received_at"] = "La date de réception doit préciser le fuseau horaire."
    if errors:
        raise _fail(position, " ; ".join(f"{field_name} : {message}" for field_name, message in errors.items()))
    due_on, acknowledgement_due_on = rules.due_dates(
        programme=story.programme, channel=story.channel, received_at=story.received_at
    )
    grievance = Grievance(
        reference=reference,
        tracking_code=new_tracking_code(),
        programme=story.programme,
        channel=story.channel,
        received_at=story.received_at,
        created_at=story.received_at,
        created_by=story.created_by,
        external_reference=story.external_reference.strip(),
        is_anonymous=story.is_anonymous,
        complainant_cnie=cnie,
        complainant_phone=phone,
        complainant_name=name,
        search_name=name_key(name),
        complainant_sex=story.sex,
        complainant_age_group=story.age_group,
        region=story.region,
        residence=story.residence,
        identity_verified=story.identity_verified,
        description=story.description.strip(),
        category=story.category,
        due_on=due_on,
        acknowledgement_due_on=acknowledgement_due_on,
    )
    return grievance


def _play_steps(story: Story, grievance: Grievance, *, position: int, out: _Batch, tables, commitment_ids) -> None:
    grievance_table, commitment_table = tables
    commitments: list[Commitment] = []
    previous_at = story.received_at
    for step in story.steps:
        if step.at < previous_at:
            raise _fail(position, "les étapes doivent se suivre dans le temps.", step.name)
        previous_at = step.at
        if step.name == NOTIFY_COMMITMENT:
            if not commitments or commitments[-1].notified_at is not None:
                raise _fail(position, "aucun engagement à notifier.", step.name)
            if not step.actor.has_perm("grievances.notify_commitment"):
                raise _fail(position, "permission refusée.", step.name)
            commitments[-1].notified_at = step.at
            _commitment_history(commitments[-1], step, out=out, table=commitment_table)
            continue
        if step.name not in _ARGUMENTS:
            raise _fail(position, "étape inconnue.", step.name)
        try:
            check_step(grievance, name=step.name, actor=step.actor)
        except Exception as error:  # PermissionDenied or ValidationError, with the user's message
            raise _fail(position, " ".join(getattr(error, "messages", [str(error)])), step.name) from error
        arguments = {k: v for k, v in step.data.items() if k in _ARGUMENTS[step.name]}
        if "actor" in _ARGUMENTS[step.name]:
            arguments["actor"] = step.actor
        if "when" in _ARGUMENTS[step.name]:
            arguments["when"] = step.at
        if step.name == "draft_answer" and arguments.get("answer_channel") is None:
            arguments["answer_channel"] = default_answer_channel(grievance, arguments.get("exception", ""))
        if step.name == "close" and grievance.appeal_count:
            # The appeal's own closure: the first instance's effective closure stays.
            arguments["effective_closed_at"] = grievance.effective_closed_at
            arguments.setdefault("external_recourse_informed", bool(step.data.get("external_recourse_informed")))
        elif step.name == "close":
            facts = [
                deadlines.CommitmentFacts(status=c.status, notified_at=c.notified_at, realised_at=c.realised_at)
                for c in commitments
            ]
            try:
                effective = deadlines.effective_closure_at(commitments=facts, closure_validated_at=step.at)
            except ValueError as error:
                raise _fail(position, "l'engagement honoré n'a pas été notifié au réclamant.", step.name) from error
            arguments["effective_closed_at"] = max(effective, grievance.received_at)
            arguments.setdefault("external_recourse_informed", bool(step.data.get("external_recourse_informed")))
        getattr(grievance, step.name)(**arguments)
        label = _label(step.name)
        out.grievance_history.append(
            grievance_table.history_row(
                grievance,
                at=step.at,
                reason=f"{label} — {step.comment.strip()}" if step.comment.strip() else label,
                kind="~",
                user=step.actor,
                transition=step.name,
            )
        )
        if step.name in _COMMITMENT_REASONS:
            _commitment_step(step, grievance, commitments, out=out, table=commitment_table, ids=commitment_ids)


def _commitment_step(step: Step, grievance: Grievance, commitments: list, *, out: _Batch, table, ids) -> None:
    if step.name in ("give_commitment", "renew_commitment"):
        previous = commitments[-1] if commitments else None
        commitment = Commitment(
            id=next(ids),
            grievance=grievance,
            sequence=len(commitments) + 1,
            renews=previous if step.name == "renew_commitment" else None,
            promised_on=step.data["promised_on"],
            given_by=step.actor,
            given_at=step.at,
            note=step.data.get("note", ""),
            renewal_reason=step.data.get("reason", "") if step.name == "renew_commitment" else "",
        )
        commitments.append(commitment)
        out.commitments.append(commitment)
    elif step.name == "honour_commitment":
        commitments[-1].honour(realised_at=step.at)
    else:
        commitments[-1].break_(reason=step.data.get("reason", ""))
    _commitment_history(commitments[-1], step, out=out, table=table)


def _commitment_history(commitment: Commitment, step: Step, *, out: _Batch, table) -> None:
    reason, transition = _COMMITMENT_REASONS[step.name]
    detail = step.data.get("reason", "") if step.name in ("break_commitment", "renew_commitment") else ""
    out.commitment_history.append(
        table.history_row(
            commitment,
            at=step.at,
            reason=f"{reason} — {detail}" if detail else reason,
            kind="+" if transition in ("give", "renew") else "~",
            user=step.actor,
            transition=transition,
        )
    )
