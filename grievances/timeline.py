"""The grievance's timeline, built from history: who, when, what changed, why (SPEC §5.6).

Three history queries whatever the length of the story (grievance, commitments,
attachments), a fourth for its internal notes when the reader may read them, and at most
one per kind of object the rows point to that is not already loaded; the differences
between consecutive rows are computed in Python.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, override

from grievances.models import Attachment, Commitment, Grievance, InternalNote
from grievances.workflow import TRANSITION_LABELS
from pmpp.bidi import isolate

# Columns of history rows that are bookkeeping, not content.
_NOISE = {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "transition", "id"}
# Secrets, search keys, and the sensitive case a file moved to: never on a grievance's timeline.
_HIDDEN = {
    "search_name", "pin_hash", "tracking_code", "tracking_cnie_digest", "tracking_phone_digest", "sensitive_case",
    "commitment_beyond_due",
}  # fmt: skip
# Links between rows of the story itself: labelled from the rows already loaded, not queried.
_INTERNAL = {"grievance", "renews", "duplicate_of", "similar_to"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Event:
    when: datetime
    who: str
    what: str
    why: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    # What an internal note says, shown as written (never sent to the complainant).
    text: str = ""


def _display(record, name: str) -> str:
    value = getattr(record, name, None)
    if value is None or value == "":
        return "—"
    display = getattr(record, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return str(value)


def _fields(model) -> list:
    # A generated column (the running deadline) is not kept in history: its parts are.
    return [
        f for f in model._meta.concrete_fields if f.attname not in _NOISE and f.name not in _HIDDEN and not f.generated
    ]


def _events(
    rows: list, *, model, subject: str, foreign_labels: dict[str, dict], created: str = "", text: str = ""
) -> list[Event]:
    """`created`: what a creation row is called (« Note interne »); `text`: the column a
    creation row shows whole."""
    events, previous_by_object = [], {}
    fields = _fields(model)
    for row in rows:
        previous = previous_by_object.get(row.id)
        changes = []
        if previous is not None:
            for f in fields:
                old, new = getattr(previous, f.attname), getattr(row, f.attname)
                if old != new:
                    changes.append(
                        Change(
                            label=str(f.verbose_name),
                            old=_label(previous, f, foreign_labels),
                            new=_label(row, f, foreign_labels),
                        )
                    )
        previous_by_object[row.id] = row
        user = row.history_user
        creation = row.history_type == "+"
        events.append(
            Event(
                when=row.history_date,
                who=(user.get_full_name() or user.username) if user else gettext("Système"),
                what=(created if creation and created else "")
                or str(TRANSITION_LABELS.get(row.transition, ""))
                or str(_KIND.get(row.history_type, "")),
                why=_reason(row.history_change_reason or "", transition=row.transition),
                subject=subject if not callable(subject) else subject(row),
                changes=changes,
                text=getattr(row, text) if creation and text else "",
            )
        )
    return events


def _label(record, f, foreign_labels: dict[str, dict]) -> str:
    if f.is_relation:
        value = getattr(record, f.attname)
        return foreign_labels.get(f.name, {}).get(value, "—" if value is None else f"#{value}")
    return _display(record, f.name)


_KIND = {"+": gettext_lazy("Création"), "~": gettext_lazy("Modification"), "-": gettext_lazy("Suppression")}


def _isolated(template: str, **values: str) -> SafeString:
    """A translated sentence around user text (a file's name): the text isolated in <bdi>, so
    a French name keeps its punctuation in place inside an Arabic sentence and vice versa."""
    isolated = {name: isolate(value) for name, value in values.items()}
    return mark_safe(conditional_escape(template) % isolated)  # noqa: S308 - both parts are escaped


def _reason(stored: str, *, transition: str) -> str:
    """The why of a history row in the reader's language. It was stored as written at the time,
    in French (« Qualifier (opération 1) — rappel prévu »): a head that is a translatable label
    is shown translated and the user's comment after « — » as written; the transition's own
    label, already shown as the event, is not repeated."""
    head, sep, comment = stored.partition(" — ")
    label = TRANSITION_LABELS.get(transition)
    if label is not None and head in (_french_label(transition), str(label)):
        return comment
    return f"{gettext(head)}{sep}{comment}" if head else stored


@functools.cache
def _french_label(transition: str) -> str:
    """A transition's label as stored in the history (French): switched to once per process,
    not for every row of every file page."""
    with override("fr"):
        return str(TRANSITION_LABELS[transition])


def _foreign_labels(rows_by_model: list[tuple], *, known: dict[type, dict]) -> dict[str, dict]:
    """Labels of every object a history row points to: one query per related model, for the
    objects not already in `known` (those the file page has loaded with the grievance)."""
    wanted: dict[type, set] = {}
    fields_by_name: dict[str, type] = {}
    for model, rows in rows_by_model:
        for f in _fields(model):
            if f.is_relation and f.name not in _INTERNAL:
                related = f.related_model
                fields_by_name[f.name] = related
                ids = wanted.setdefault(related, set())
                ids |= {value for row in rows if (value := getattr(row, f.attname)) is not None}
    objects = {}
    for related, ids in wanted.items():
        loaded = known.get(related, {})
        missing = ids - loaded.keys()
        objects[related] = loaded | (related._default_manager.in_bulk(missing) if missing else {})
    labels: dict[str, dict] = {}
    for name, related in fields_by_name.items():
        labels[name] = {pk: _object_label(obj) for pk, obj in objects.get(related, {}).items()}
    return labels


def _loaded_objects(grievance: Grievance, rows: list) -> dict[type, dict]:
    """The objects already in memory: the grievance's references it was read with (the file
    page reads them in its one query) and the users of the history rows. Their labels cost
    no query; a row pointing elsewhere (an earlier programme, another agent) still gets one."""
    known: dict[type, dict] = defaultdict(dict)
    for f in Grievance._meta.concrete_fields:
        if f.is_relation and f.is_cached(grievance) and (obj := getattr(grievance, f.name)) is not None:
            known[f.related_model][obj.pk] = obj
    for row in rows:
        if (user := row.history_user) is not None:
            known[type(user)][user.pk] = user
    return known


def _object_label(obj) -> str:
    if hasattr(obj, "get_full_name"):
        return obj.get_full_name() or obj.get_username()
    return getattr(obj, "label", None) or str(obj)


def grievance_timeline(grievance: Grievance, *, with_notes: bool = False) -> list[Event]:
    """All events of a grievance and its commitments and attachments, newest first; its internal
    notes too when `with_notes` (a reader who may read them: the partner's liaison may not)."""
    grievance_rows = list(grievance.history.select_related("history_user").order_by("history_id"))
    commitment_rows = list(
        Commitment.history.filter(grievance_id=grievance.pk).select_related("history_user").order_by("history_id")
    )
    attachment_rows = list(
        Attachment.history.filter(grievance_id=grievance.pk).select_related("history_user").order_by("history_id")
    )
    note_rows = (
        list(
            InternalNote.history.filter(grievance_id=grievance.pk).select_related("history_user").order_by("history_id")
        )
        if with_notes
        else []
    )
    labels = _foreign_labels(
        [(Grievance, grievance_rows), (Commitment, commitment_rows), (Attachment, attachment_rows)],
        known=_loaded_objects(grievance, [*grievance_rows, *commitment_rows, *attachment_rows, *note_rows]),
    )
    labels["renews"] = {row.id: f"n° {row.sequence}" for row in commitment_rows}
    labels["grievance"] = {grievance.pk: grievance.reference}
    events = _events(grievance_rows, model=Grievance, subject=gettext("Réclamation"), foreign_labels=labels)
    events += _events(
        commitment_rows,
        model=Commitment,
        subject=lambda row: gettext("Engagement n° %(sequence)s") % {"sequence": row.sequence},
        foreign_labels=labels,
    )
    events += _events(
        attachment_rows,
        model=Attachment,
        subject=lambda row: _isolated(gettext("Pièce jointe « %(name)s »"), name=row.original_name),
        foreign_labels=labels,
    )
    events += _events(
        note_rows,
        model=InternalNote,
        subject=gettext("Note interne"),
        foreign_labels=labels,
        created=gettext("Note interne"),
        text="body",
    )
    return sorted(events, key=lambda event: event.when, reverse=True)
