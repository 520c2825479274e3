"""Attachments of a grievance (SPEC: attachments checked by content type and size).

A file joins a grievance only through `attachment_add`. Its type is read from its first
bytes, never from its name or from the content type the browser sends: both are chosen
by whoever uploads, so an HTML page renamed `CNIE.pdf` would otherwise be stored and later
served to a colleague. Only document and image formats that a browser will not execute
are accepted. The stored file gets a random name (`attachment_path`): the original one,
often a CNIE number, is kept in the database only and never reaches the disk or a URL.
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grievances.access import user_can_see_grievance
from grievances.models import Attachment, Grievance
from pmpp.limits import format_size


@dataclass(frozen=True)
class FileType:
    """A format recognised by its magic number.

    `signatures` lists alternatives (TIFF has one per byte order); each alternative is a
    tuple of (offset, bytes) parts that must all match (WebP is `RIFF` at 0 and `WEBP` at 8).
    """

    content_type: str
    label: str
    signatures: tuple[tuple[tuple[int, bytes], ...], ...]

    def matches(self, head: bytes) -> bool:
        return any(
            all(head[offset : offset + len(magic)] == magic for offset, magic in signature)
            for signature in self.signatures
        )


ALLOWED_TYPES: tuple[FileType, ...] = (
    FileType("application/pdf", "PDF", (((0, b"%PDF-"),),)),
    FileType("image/png", "PNG", (((0, b"\x89PNG\r\n\x1a\n"),),)),
    FileType("image/jpeg", "JPEG", (((0, b"\xff\xd8\xff"),),)),
    FileType("image/tiff", "TIFF", (((0, b"II*\x00"),), ((0, b"MM\x00*"),))),
    FileType("image/webp", "WebP", (((0, b"RIFF"), (8, b"WEBP")),)),
)
# Enough bytes to read every signature above.
_HEAD_LENGTH = max(offset + len(magic) for t in ALLOWED_TYPES for s in t.signatures for offset, magic in s)

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_NAME_MAX_LENGTH = Attachment._meta.get_field("original_name").max_length
_DESCRIPTION_MAX_LENGTH = Attachment._meta.get_field("description").max_length
# Control characters (tab, newline, NUL…) have no place in a file name, and a newline
# would break the Content-Disposition header of the download.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

CHANGE_REASON = gettext_noop("Pièce jointe ajoutée")
_REFUSED = "Vous n'êtes pas autorisé·e à joindre un fichier à cette réclamation."


def detect_content_type(head: bytes) -> str | None:
    """The content type that the file's first bytes prove, or None when it is not accepted."""
    for file_type in ALLOWED_TYPES:
        if file_type.matches(head):
            return file_type.content_type
    return None


def accepted_types_label() -> str:
    """« PDF, PNG, JPEG, TIFF ou WebP »: the list a user reads in the refusal message."""
    labels = [file_type.label for file_type in ALLOWED_TYPES]
    return f"{', '.join(labels[:-1])} ou {labels[-1]}"


def max_upload_bytes() -> int:
    # Read at call time, not import time, so that a deployment (or a test) can change it.
    return getattr(settings, "PMPP_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def clean_original_name(name: str) -> str:
    """The file's own name without any folder, control character or excess length.

    Some browsers send the full client path (`C:\\Users\\…\\CNIE.pdf`): only the last
    component is kept. A name longer than the column keeps its extension.
    """
    name = re.split(r"[\\/]", name or "")[-1]
    name = _CONTROL_CHARACTERS.sub("", name).strip()
    if not name or name in {".", ".."}:
        name = "piece-jointe"
    if len(name) > _NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = f"{stem[: _NAME_MAX_LENGTH - len(extension) - 1]}.{extension}"
        else:
            name = name[:_NAME_MAX_LENGTH]
    return name


def validate_upload_size(uploaded_file: File) -> None:
    """Refuse a file over `PMPP_MAX_UPLOAD_BYTES`, the one maximum of every door that takes a file.

    The upload forms run it as a field validator, so the refusal lands on their file field;
    the services run it again, whatever door called them.
    """
    limit = max_upload_bytes()
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            _("Fichier trop volumineux : %(limit)s au plus.") % {"limit": format_size(limit)}, code="too_large"
        )


def _read_head(uploaded_file: File) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD_LENGTH)
    uploaded_file.seek(0)
    return head


def _sha256(uploaded_file: File) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str
    content: File


def read_checked_upload(uploaded_file: File) -> CheckedUpload:
    """Check an upload by its content and size (any app's attachments go through here).

    Refused (ValidationError on `file`): an empty file, a file over
    `PMPP_MAX_UPLOAD_BYTES`, and any file whose first bytes are not those of an accepted
    type, whatever its name or declared type says.
    """
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError({"file": "Le fichier est vide."})
    try:
        validate_upload_size(uploaded_file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    content_type = detect_content_type(_read_head(uploaded_file))
    if content_type is None:
        raise ValidationError({"file": f"Type de fichier non accepté : {accepted_types_label()}."})
    return CheckedUpload(
        original_name=clean_original_name(uploaded_file.name or ""),
        content_type=content_type,
        size=size,
        sha256=_sha256(uploaded_file),
        content=uploaded_file,
    )


@transaction.atomic
def attachment_add(*, grievance: Grievance, actor, uploaded_file: File, description: str = "") -> Attachment:
    """Join a file to a grievance: the actor may add attachments and sees the grievance.

    Refused (ValidationError on `file`): an empty file, a file over
    `PMPP_MAX_UPLOAD_BYTES` (10 Mo by default), and any file whose first bytes are not
    those of a PDF, PNG, JPEG, TIFF or WebP — whatever its name or declared type says.
    The stored content type is the detected one, so the download serves what was checked.
    The SHA-256 is kept so that the file can later be shown to be the one received.
    """
    if not actor.has_perm("grievances.add_attachment") or not user_can_see_grievance(actor, grievance):
        raise PermissionDenied(_REFUSED)

    checked = read_checked_upload(uploaded_file)
    description = (description or "").strip()
    if len(description) > _DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {"description": f"La description ne peut pas dépasser {_DESCRIPTION_MAX_LENGTH} caractères."}
        )

    attachment = Attachment(
        grievance=grievance,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        description=description,
        uploaded_by=actor,
    )
    # Written to storage first, under the random name `attachment_path` gives it.
    attachment.file.save(attachment.original_name, uploaded_file, save=False)
    attachment._change_reason = CHANGE_REASON
    attachment._history_user = actor
    try:
        attachment.save()
    except Exception:
        # The row was not inserted: remove the file rather than leave on disk an orphan
        # that no permission check will ever guard.
        attachment.file.delete(save=False)
        raise
    return attachment
