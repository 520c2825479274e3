"""Everything held about one person, found by CNIE (Moroccan Law 09-08, art. 7: right of access).

An authorised officer answers a person's request: the E&S focal point, who reads every
ordinary grievance of the project (SPEC §1), or the GBV referent, the only one who may read
sensitive GBV/SEA/SH cases (SPEC §5.5). Each gets what their role may read, nothing more:
the focal point's export leaves out the sensitive cases (and does not reveal that one
exists); the referent's export holds the sensitive cases that came from a grievance carrying
this CNIE, and the husk of that grievance with its history. A survivor is entitled to their
data, but only through the referent. Every export is recorded in the personal-data access
log, with the ids it showed.

What is exported, per grievance carrying the CNIE now or in any history row: every field
(the PIN's hash and the search key excepted), commitments, attachments (list; the files in
the ZIP form), history rows of the grievance and its commitments, and the messages sent to
the complainant. Staff accounts appear by nothing but their presence in a step's label:
they are the staff's personal data, not the complainant's. Not found by CNIE, so not
exported: sensitive cases registered directly (they hold no identity by design), rows of an
import file (the file is not linked to the grievances it created), stakeholder contacts
(they carry no CNIE).
"""

import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils import timezone

from grievances.models import Commitment, Grievance, SensitiveCase
from grievances.services.intake import is_cnie, normalise_cnie
from notifications.models import OutboxMessage
from pmpp import roles
from privacy.access import AccessChannel, record_views
from privacy.selectors import accesses_to_grievance

# Who answers a request for access: see the module docstring.
EXPORTING_ROLES = frozenset({roles.ES_FOCAL_POINT, roles.GBV_REFERENT})
WHERE = "privacy.subject_export"
_NOT_EXPORTED = {"pin_hash", "search_name", "tracking_cnie_digest", "tracking_phone_digest"}


def may_export_personal_data(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or roles.role_codes_for(user) & EXPORTING_ROLES)
    )


@dataclass
class SubjectExport:
    data: dict
    grievances: list[Grievance] = field(default_factory=list)
    sensitive_cases: list[SensitiveCase] = field(default_factory=list)

    @property
    def attachment_count(self) -> int:
        files = [*self.data["grievances"], *self.data["sensitive_cases"]]
        return sum(len(record["attachments"]) for record in files)


def subject_export(*, cnie: str, actor) -> SubjectExport:
    """What `actor` may read about the person holding `cnie`, recorded in the access log.

    Raises PermissionDenied for a user who may not answer such requests, ValidationError
    for a value that is not a CNIE (the message does not repeat it).
    """
    if not may_export_personal_data(actor):
        raise PermissionDenied(
            "Seuls le point focal E&S et le référent VBG peuvent exporter les données d'une personne."
        )
    cnie = normalise_cnie(cnie)
    if not is_cnie(cnie):
        raise ValidationError(
            "Le numéro de CNIE saisi n'a pas la forme attendue (une ou deux lettres, puis des chiffres)."
        )

    history = Grievance.history.model
    ids = set(Grievance.objects.filter(complainant_cnie=cnie).values_list("pk", flat=True))
    # A CNIE corrected since, or erased when the grievance became a sensitive case, is still
    # in the rows that history kept.
    ids |= set(history.objects.filter(complainant_cnie=cnie).values_list("id", flat=True))
    # A grievance flagged as a sensitive case left its identity to the case, for the referent.
    ids |= set(
        SensitiveCase.objects.visible_to(actor)
        .filter(complainant_cnie=cnie, source_grievance__isnull=False)
        .values_list("source_grievance_id", flat=True)
    )
    grievances = list(
        Grievance.objects.visible_to(actor)
        .filter(pk__in=ids)
        .select_related("programme", "channel", "category", "region", "not_complaint_kind", "unfounded_reason")
        .order_by("received_at", "pk")
    )
    cases = list(
        SensitiveCase.objects.visible_to(actor)
        .filter(source_grievance_id__in=ids)
        .select_related("programme", "channel", "source_grievance")
        .order_by("received_at", "pk")
    )
    labels = _Labels()
    data = {
        "generated_at": timezone.now(),
        "legal_basis": "Loi 09-08, article 7 (droit d'accès)",
        "cnie": cnie,
        "grievances": [_grievance(g, labels) for g in grievances],
        "sensitive_cases": [_sensitive_case(case, labels) for case in cases],
    }
    record_views(actor, channel=AccessChannel.EXPORT, grievances=grievances, sensitive_cases=cases, where=WHERE)
    return SubjectExport(data=data, grievances=grievances, sensitive_cases=cases)


def write_subject_export(export: SubjectExport, path: Path) -> Path:
    """Write the export to `path`: JSON, or a ZIP (JSON plus the attachment files) for *.zip.

    The file is created readable by its owner only: it holds a person's whole file.
    """
    path = Path(path)
    text = json.dumps(export.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        if path.suffix.lower() != ".zip":
            out.write(text.encode())
            return path
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("donnees.json", text)
            for owner in [*export.grievances, *export.sensitive_cases]:
                for attachment in owner.attachments.exclude(file=""):
                    with attachment.file.open("rb") as content:
                        archive.writestr(_archive_name(attachment), content.read())
        out.write(buffer.getvalue())
    return path


def _archive_name(attachment) -> str:
    safe = re.sub(r"[^\w.-]+", "_", attachment.original_name)[:80] or "fichier"
    owner = attachment.grievance or attachment.sensitive_case
    return f"pieces-jointes/{owner.reference}/{attachment.pk}-{safe}"


def _grievance(grievance: Grievance, labels: "_Labels") -> dict:
    commitments = list(grievance.commitments.order_by("sequence"))
    attachments = list(grievance.attachments.order_by("uploaded_at", "pk"))
    messages = grievance.outbox_messages.filter(recipient_kind=OutboxMessage.RecipientKind.COMPLAINANT)
    return {
        **_record(grievance, labels),
        "commitments": [_record(c, labels) for c in commitments],
        "attachments": [_record(a, labels) | {"file": _archive_name(a) if a.file else ""} for a in attachments],
        "history": [_record(row, labels) for row in grievance.history.order_by("history_date", "history_id")],
        "commitment_history": [
            _record(row, labels)
            for row in Commitment.history.filter(grievance_id=grievance.pk).order_by("history_date", "history_id")
        ],
        "messages": [
            _record(m, labels, exclude={"grievance", "alert", "recipient_user", "event_key"})
            for m in messages.order_by("created_at", "pk")
        ],
        "accesses": [
            {"at": access.at, "channel": access.channel, "where": access.where}
            for access in accesses_to_grievance(grievance_id=grievance.pk)
        ],
    }


def _sensitive_case(case: SensitiveCase, labels: "_Labels") -> dict:
    """The case, with the files its source grievance left to it when it was flagged."""
    attachments = list(case.attachments.order_by("uploaded_at", "pk"))
    return _record(case, labels) | {
        "attachments": [_record(a, labels) | {"file": _archive_name(a) if a.file else ""} for a in attachments]
    }


class _Labels(dict):
    """Related rows by their name, each read once per export.

    Every history row names the same programme, channel, category and region as its
    neighbours: read one by one, a person's file would cost a query per row and per relation.
    """

    def of(self, obj: Model, relation, pk) -> str | None:
        key = (relation.related_model, pk)
        if key not in self:
            related = getattr(obj, relation.name, None)
            self[key] = str(related) if related is not None else None
        return self[key]


def _record(obj: Model, labels: _Labels, *, exclude: set[str] = frozenset()) -> dict:
    """The object's fields: reference data by its name, staff accounts left out."""
    user_model = get_user_model()
    out = {}
    for f in obj._meta.concrete_fields:
        if f.name in _NOT_EXPORTED or f.name in exclude:
            continue
        if f.is_relation:
            if f.related_model is user_model:
                continue
            pk = getattr(obj, f.attname)
            out[f.name] = labels.of(obj, f, pk) if pk is not None else None
        elif f.get_internal_type() == "FileField":
            continue
        else:
            out[f.name] = f.value_from_object(obj)
    return out
