"""Every API error is JSON with the fields it concerns; no bad input ends in a server error."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from grievances.services.workflow import StaleGrievance
from pmpp.error_pages import api_body_too_large_detail


def validation_error_data(error: DjangoValidationError) -> dict:
    """{field: [messages]} from a service's ValidationError; errors without a field under `detail`."""
    if hasattr(error, "error_dict"):
        data = {}
        for field, messages in error.message_dict.items():
            data["detail" if field == "__all__" else field] = messages
        return data
    return {"detail": error.messages}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_data(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleGrievance):
        return Response(
            {"detail": str(exc), "status": exc.grievance.status, "code": "stale"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # A concurrent request won a race the service could not foresee: nothing was saved.
        return Response(
            {"detail": _("La requête entre en conflit avec une modification simultanée : rien n'a été enregistré.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, SuspiciousOperation):
        # Django's refusals of a body (too large, too many fields or files), in JSON; logged where
        # Django logs them when it answers them itself.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        if isinstance(exc, RequestDataTooBig):
            # A body that announced no size (chunked), or an API limit set above Django's own:
            # the same answer as a body announced too large (pmpp.middleware).
            return Response({"detail": api_body_too_large_detail(), "code": "too_large"}, status=413)
        detail = _("Requête refusée : elle dépasse les limites du serveur ou est mal formée.")
        return Response({"detail": detail, "code": "refused"}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
