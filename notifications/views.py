"""The SMS gateway's delivery receipts (issue 18): « this message reached the handset »."""

import hmac
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.models import OutboxMessage
from notifications.services import notification_mark_delivered


@csrf_exempt
@require_POST
def delivery_receipt(request: HttpRequest) -> HttpResponse:
    """POST {"key": "<idempotency key>"} with « Authorization: Bearer <PMPP_DELIVERY_WEBHOOK_TOKEN> ».

    The message is named by the key the gateway was given with it, never by a number. 204
    when recorded (again or for the first time), 404 for an unknown key, 409 for a message
    not sent yet; off (404) while no token is configured. No session, no CSRF: the token is
    the gateway's credential, compared in constant time.
    """
    token = settings.PMPP_DELIVERY_WEBHOOK_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse(status=401)
    try:
        key = str(json.loads(request.body or b"{}").get("key", ""))
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    try:
        notification_mark_delivered(key=key)
    except OutboxMessage.DoesNotExist:
        return HttpResponse(status=404)
    except ValidationError:
        return HttpResponse(status=409)
    return HttpResponse(status=204)
