"""Anonymisation of long-closed grievances (Moroccan Law 09-08, art. 3-1-e).

Law 09-08 lets personal data be kept "no longer than is necessary for the purposes for which
they were collected". The PMPP (source document) sets no retention period: it asks for a
register of every complaint (§6.1) and for statistics in the semester reports to the World
Bank (§6.2.6, §7). So once a grievance has left the flow for good and the retention period
(`PMPP_RETENTION_DAYS`, five years by default: see the settings) has passed since its last
change, the identity of the complainant and every free text that may quote it are erased,
in the grievance AND in its history rows and related rows, while what the statistics count
stays: programme, channel, category, region, residence, sex, age group, dates, states,
outcome, deadlines, commitments' dates, satisfaction.

One grievance is never half done: each batch of grievances is one transaction, inside
`history_rewrite_allowed()` (the one sanctioned way to rewrite history, SPEC §5.6), and a
grievance is marked `anonymised_at` in the same transaction as its erasure, with the reason
appended to its history. A second run finds nothing left to do. Attachment files are deleted
from storage only after the batch commits; their rows stay as placeholders.

A sensitive GBV/SEA/SH case holds no identity by design, but the allegation in the
complainant's words (`nature`) and the referent's closing remarks may name the survivor, the
alleged perpetrator or a place: once the case is closed and the retention period has passed,
they are erased the same way, history included (issue 17).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Case, Exists, Model, OuterRef, QuerySet, Value, When
from django.utils import timezone

from grievances.models import Attachment, Commitment, Grievance, InternalNote, SensitiveCase
from notifications.models import Exchange
from notifications.services import notification_forget
from pmpp.audit import history_rewrite_allowed
from pmpp.audit_chain import record_rewrite

PLACEHOLDER = "[anonymisé]"
ATTACHMENT_PLACEHOLDER_NAME = "[pièce jointe supprimée]"
TRANSITION = "anonymise"
# Below a year a closed grievance may still be appealed, counted in the semester report or
# read by the Médiateur: a retention that short is a configuration mistake, refused.
MINIMUM_RETENTION_DAYS = 365

# The complainant's identity, erased outright: Grievance.IDENTITY_FIELDS.
# Texts written by the complainant or by staff about the complainant: they may quote a name,
# a CNIE, an address, a household situation. Replaced by the placeholder when not empty, so
# that "there was an answer" stays visible.
GRIEVANCE_TEXT_FIELDS = (
    "description",
    "subject",
    "duplicate_override_reason",
    "analysis_conclusion",
    "partner_note",
    "regularisation_note",
    "answer_text",
    "outcome_explanation",
    "answer_channel_exception_reason",
    "answer_review_note",
    "final_synthesis",
    "appeal_reason",
)
COMMITMENT_TEXT_FIELDS = ("note", "renewal_reason", "broken_reason")
# What an agent wrote down of a call, a visit or a letter: it may quote the person.
EXCHANGE_TEXT_FIELDS = ("summary",)
# Internal notes (issue 18): staff write about the case, and may quote the complainant.
NOTE_TEXT_FIELDS = ("body",)
# A sensitive case's free texts. What the statistics and the referral register count stays:
# programme, channel, dates, perpetrator linked or not, age group, sex, referral and consents.
SENSITIVE_CASE_TEXT_FIELDS = ("nature", "closing_note")
# History change reasons read "<step> — <comment typed by the user>": the step stays.
_REASON_SEPARATOR = " — "


def retention_days() -> int:
    days = settings.PMPP_RETENTION_DAYS
    if days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"PMPP_RETENTION_DAYS vaut {days} : la durée de conservation doit être d'au moins "
            f"{MINIMUM_RETENTION_DAYS} jours (recours, rapports semestriels)."
        )
    return days


def anonymisation_reason(days: int) -> str:
    return f"Anonymisation (loi 09-08) : durée de conservation de {days} jours écoulée depuis la dernière modification"


def grievances_due_for_anonymisation(*, now: datetime | None = None, days: int | None = None) -> QuerySet:
    """Grievances out of the flow for good, unchanged for `days`, and not yet anonymised.

    "Out of the flow": closed, duplicate, or sensitive (the ordinary record of a case moved to
    the GBV referent keeps, in its history rows, the identity given before it was flagged).
    An appealed grievance is open again, so it is not taken; a closure re-validated after an
    appeal, a satisfaction rating, any later step writes a history row and restarts the clock.
    """
    days = retention_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    history = Grievance.history.model
    return (
        Grievance.objects.filter(
            status__in=Grievance.TERMINAL_STATES, anonymised_at__isnull=True, received_at__lt=cutoff
        )
        .exclude(Exists(history.objects.filter(id=OuterRef("pk"), history_date__gte=cutoff)))
        .order_by("pk")
    )


@dataclass
class _Totals:
    """Counters of a run, summed batch by batch (lists are concatenated)."""

    def add(self, other: "_Totals") -> None:
        for counter in fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))


def _in_batches(
    ids: list[int],
    anonymise: Callable[[list[int]], _Totals],
    result: _Totals,
    *,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> _Totals:
    """Run `anonymise` on `ids`, `batch_size` at a time (one transaction each), adding up `result`."""
    for start in range(0, len(ids), batch_size):
        result.add(anonymise(ids[start : start + batch_size]))
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    return result


@dataclass
class AnonymisationResult(_Totals):
    grievances: int = 0
    history_rows: int = 0
    commitments: int = 0
    attachments: int = 0
    messages: int = 0
    exchanges: int = 0
    notes: int = 0
    files_deleted: int = 0
    files_missing: int = 0
    grievance_ids: list[int] = field(default_factory=list)


def anonymise_due_grievances(
    *,
    now: datetime | None = None,
    batch_size: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> AnonymisationResult:
    """Anonymise every grievance due, `batch_size` grievances per transaction.

    `progress(done, total)` is called after each batch. The candidates are read once, by id:
    a grievance that changes meanwhile (an appeal) is checked again under its lock and left.
    """
    now = now or timezone.now()
    days = retention_days()
    ids = list(grievances_due_for_anonymisation(now=now, days=days).values_list("pk", flat=True))
    return _in_batches(
        ids,
        lambda batch: anonymise_grievances(ids=batch, now=now, days=days),
        AnonymisationResult(),
        batch_size=batch_size,
        progress=progress,
    )


def anonymise_grievances(*, ids: Iterable[int], now: datetime, days: int) -> AnonymisationResult:
    """One batch, in one transaction: every grievance in `ids` still due is anonymised whole."""
    batch = AnonymisationResult()
    files: list[str] = []
    reason = anonymisation_reason(days)
    with history_rewrite_allowed():
        grievances = list(
            grievances_due_for_anonymisation(now=now, days=days)
            .filter(pk__in=list(ids))
            .select_for_update(of=("self",))
        )
        if not grievances:
            return batch
        pks = [g.pk for g in grievances]
        rewritten: dict[type[Model], list[int]] = {}

        # The grievance's own history rows, then its commitments, attachments and notes, and theirs.
        grievance_history = Grievance.history.model.objects.filter(id__in=pks)
        rewritten[grievance_history.model] = _rewrite_history(
            grievance_history, blank=Grievance.IDENTITY_FIELDS, texts=GRIEVANCE_TEXT_FIELDS
        )
        commitments = Commitment.objects.filter(grievance_id__in=pks)
        batch.commitments = commitments.update(**_erased({}, COMMITMENT_TEXT_FIELDS))
        rewritten[Commitment.history.model] = _rewrite_history(
            Commitment.history.model.objects.filter(grievance_id__in=pks), blank=(), texts=COMMITMENT_TEXT_FIELDS
        )
        batch.attachments, files, rewritten[Attachment.history.model] = _erase_attachments(grievance_id__in=pks)
        batch.exchanges = Exchange.objects.filter(grievance_id__in=pks).update(**_erased({}, EXCHANGE_TEXT_FIELDS))
        rewritten[Exchange.history.model] = _rewrite_history(
            Exchange.history.model.objects.filter(grievance_id__in=pks), blank=(), texts=EXCHANGE_TEXT_FIELDS
        )
        # Internal notes: staff's words about the case, which may quote the complainant.
        batch.notes = InternalNote.objects.filter(grievance_id__in=pks).update(**_erased({}, NOTE_TEXT_FIELDS))
        rewritten[InternalNote.history.model] = _rewrite_history(
            InternalNote.history.model.objects.filter(grievance_id__in=pks), blank=(), texts=NOTE_TEXT_FIELDS
        )

        # Messages keep their event, channel, state and dates; where they went and what they
        # said go. One still pending for a grievance closed years ago is withdrawn rather than
        # sent to an address that is being erased.
        batch.messages = notification_forget(
            grievance_ids=pks, why="Retiré : données personnelles anonymisées (loi 09-08)."
        )

        # Last, the grievance itself, through save(): its new history row (a row of the
        # anonymised record) says why, and marks the point from which the erasure holds.
        for grievance in grievances:
            grievance.forget_identity()
            for name in GRIEVANCE_TEXT_FIELDS:
                if getattr(grievance, name):
                    setattr(grievance, name, PLACEHOLDER)
            grievance.pin_hash = ""
            grievance.anonymised_at = now
            grievance._change_reason = reason
            grievance._history_transition = TRANSITION
            grievance._history_user = None
            grievance.save()

        batch.grievances = len(grievances)
        batch.grievance_ids = pks
        batch.history_rows = sum(len(rows) for rows in rewritten.values())
        _reseal(rewritten, reason=reason)
        # The files go once the erasure is committed: a rolled-back batch keeps them, and the
        # next run takes the grievance again. A failed deletion leaves an orphan file, not a
        # grievance half erased.
        transaction.on_commit(lambda: _delete_files(files, result=batch), robust=True)
    return batch


# --- sensitive GBV/SEA/SH cases ---------------------------------------------------------------------


def sensitive_cases_due_for_anonymisation(*, now: datetime | None = None, days: int | None = None) -> QuerySet:
    """Closed sensitive cases unchanged for `days`, and not anonymised yet.

    Only a closed case is out of the flow: an open or referred one is still the referent's
    work, however old. A case has no `anonymised_at`: the history row its anonymisation writes
    (transition « anonymise ») marks it, so a second run, years later, leaves it alone.
    """
    days = retention_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    history = SensitiveCase.history.model.objects
    return (
        SensitiveCase.objects.filter(status=SensitiveCase.Status.CLOSED, received_at__lt=cutoff)
        .exclude(Exists(history.filter(id=OuterRef("pk"), history_date__gte=cutoff)))
        .exclude(Exists(history.filter(id=OuterRef("pk"), transition=TRANSITION)))
        .order_by("pk")
    )


@dataclass
class SensitiveCaseAnonymisationResult(_Totals):
    cases: int = 0
    history_rows: int = 0
    attachments: int = 0
    files_deleted: int = 0
    files_missing: int = 0
    case_ids: list[int] = field(default_factory=list)


def anonymise_due_sensitive_cases(
    *,
    now: datetime | None = None,
    batch_size: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> SensitiveCaseAnonymisationResult:
    """Anonymise every sensitive case due, `batch_size` cases per transaction (as the grievances)."""
    now = now or timezone.now()
    days = retention_days()
    ids = list(sensitive_cases_due_for_anonymisation(now=now, days=days).values_list("pk", flat=True))
    return _in_batches(
        ids,
        lambda batch: anonymise_sensitive_cases(ids=batch, now=now, days=days),
        SensitiveCaseAnonymisationResult(),
        batch_size=batch_size,
        progress=progress,
    )


def anonymise_sensitive_cases(*, ids: Iterable[int], now: datetime, days: int) -> SensitiveCaseAnonymisationResult:
    """One batch, in one transaction: the free texts of every case in `ids` still due, history included."""
    batch = SensitiveCaseAnonymisationResult()
    reason = anonymisation_reason(days)
    with history_rewrite_allowed():
        cases = list(
            sensitive_cases_due_for_anonymisation(now=now, days=days)
            .filter(pk__in=list(ids))
            .select_for_update(of=("self",))
        )
        if not cases:
            return batch
        pks = [case.pk for case in cases]
        history = SensitiveCase.history.model
        rewritten = _rewrite_history(
            history.objects.filter(id__in=pks), blank=SensitiveCase.IDENTITY_FIELDS, texts=SENSITIVE_CASE_TEXT_FIELDS
        )
        # The files it took over from the grievance it was flagged from, or was given by its referent.
        batch.attachments, files, attachment_rows = _erase_attachments(sensitive_case_id__in=pks)
        # Last, the case itself, through save(): its new history row says why, and marks it done.
        for case in cases:
            case.forget_identity()  # taken over from the grievance it was flagged from, if any
            for name in SENSITIVE_CASE_TEXT_FIELDS:
                if getattr(case, name):
                    setattr(case, name, PLACEHOLDER)
            case._change_reason = reason
            case._history_transition = TRANSITION
            case._history_user = None
            case.save()
        batch.cases = len(cases)
        batch.case_ids = pks
        batch.history_rows = len(rewritten) + len(attachment_rows)
        _reseal({history: rewritten, Attachment.history.model: attachment_rows}, reason=reason)
        transaction.on_commit(lambda: _delete_files(files, result=batch), robust=True)
    return batch


def _erase_attachments(**owner) -> tuple[int, list[str], list[int]]:
    """Put the placeholder in the attachments of `owner` (a lookup) and their history rows.

    Returns how many attachments, the names of their stored files (to delete once the erasure
    is committed) and the ids of the history rows rewritten (to re-seal).
    """
    placeholder = {"file": "", "original_name": ATTACHMENT_PLACEHOLDER_NAME, "description": "", "sha256": ""}
    attachments = Attachment.objects.filter(**owner)
    files = list(attachments.exclude(file="").values_list("file", flat=True))
    count = attachments.update(**placeholder)
    history = Attachment.history.model.objects.filter(**owner)
    rewritten = _rewrite_history(history, blank=(), texts=())
    history.update(**placeholder)
    return count, files, rewritten


def _erased(values: dict, texts: Iterable[str]) -> dict:
    """UPDATE values: the placeholder for each non-empty text field, "" for an empty one."""
    return values | {name: Case(When(**{name: ""}, then=Value("")), default=Value(PLACEHOLDER)) for name in texts}


def _rewrite_history(rows: QuerySet, *, blank: Iterable[str], texts: Iterable[str]) -> list[int]:
    """Erase identity and texts in these history rows; keep only the step of each reason.

    Returns the ids of the rows rewritten, for the audit chain.
    """
    ids = list(rows.values_list("history_id", flat=True))
    if not ids:
        return ids
    values = _erased(dict.fromkeys(blank, ""), texts)
    if values:
        rows.model.objects.filter(history_id__in=ids).update(**values)
    commented = rows.model.objects.filter(history_id__in=ids, history_change_reason__contains=_REASON_SEPARATOR)
    # One UPDATE per step label (a few dozen exist), not one per row.
    by_reason: dict[str, list[int]] = defaultdict(list)
    for history_id, reason in commented.values_list("history_id", "history_change_reason"):
        step = reason.split(_REASON_SEPARATOR, 1)[0]
        by_reason[f"{step}{_REASON_SEPARATOR}{PLACEHOLDER}"].append(history_id)
    for reason, history_ids in by_reason.items():
        rows.model.objects.filter(history_id__in=history_ids).update(history_change_reason=reason)
    return ids


def _reseal(rewritten: dict[type[Model], list[int]], *, reason: str) -> None:
    """Tell the audit hash chain which history rows were rewritten, and why (issue 9 §4)."""
    for model, ids in rewritten.items():
        if ids:
            record_rewrite(model, ids, reason)


def history_rows_erase(
    rows: QuerySet, *, reason: str, blank: Iterable[str] = (), texts: Iterable[str] = (), values: dict | None = None
) -> int:
    """Erase identity and texts in these history rows as the anonymisation does, set `values`
    on them, and re-seal them in the audit chain with `reason` (no personal data in it).

    For a rewrite outside the retention run: a grievance flagged as a GBV/SEA/SH case leaves
    its identity and its files to the sensitive case (`grievance_flag_sensitive`). One
    transaction, inside `history_rewrite_allowed()`. Returns the number of rows rewritten.
    """
    with history_rewrite_allowed():
        ids = _rewrite_history(rows, blank=blank, texts=texts)
        if ids and values:
            rows.model.objects.filter(history_id__in=ids).update(**values)
        _reseal({rows.model: ids}, reason=reason)
    return len(ids)


def exchange_texts_erase(*, grievance_id: int, reason: str) -> int:
    """Erase what agents wrote of the exchanges on this grievance, history rows included, and
    re-seal them with `reason`: a grievance flagged as a GBV/SEA/SH case keeps no account of
    the calls and visits that may name the survivor. Returns the number of exchanges erased.
    """
    erased = Exchange.objects.filter(grievance_id=grievance_id).update(**_erased({}, EXCHANGE_TEXT_FIELDS))
    history_rows_erase(
        Exchange.history.model.objects.filter(grievance_id=grievance_id), reason=reason, texts=EXCHANGE_TEXT_FIELDS
    )
    return erased


def _delete_files(names: list[str], *, result: _Totals) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        if storage.exists(name):
            storage.delete(name)
            result.files_deleted += 1
        else:
            result.files_missing += 1
