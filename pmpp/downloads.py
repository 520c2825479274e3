"""Serving a stored upload (grievance attachment, minutes attachment) to a user already
checked by the caller: always as a download that the browser may neither sniff nor run."""

import logging

from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)

# Served as an attachment; if a browser rendered it anyway, it could run nothing, load
# no style, no plugin, no same-origin access (sandbox), and not guess another type.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def sealed_file_response(stored_file, *, filename: str, content_type: str) -> FileResponse:
    """The file as an attachment, typed with the content type detected at upload."""
    if not stored_file:
        # Deleted on purpose: the grievance was anonymised (Law 09-08); its row stays as a placeholder.
        raise Http404("Ce fichier a été supprimé.")
    try:
        handle = stored_file.storage.open(stored_file.name, "rb")
    except FileNotFoundError:
        # The row exists but storage lost the file: an operations problem to fix, not a 500.
        logger.error("Stored file %s missing from storage", stored_file.name)
        raise Http404("Pièce jointe introuvable.") from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    # Personal documents: no copy in a shared proxy or in the browser's cache.
    response["Cache-Control"] = "private, no-store"
    return response
