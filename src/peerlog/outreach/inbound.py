"""Inbound text messages: "STOP" stops a person's reminders and "START" restarts them
(the reminder text says "Reply STOP").

The SMS provider posts each inbound text to ``/sms/inbound/`` as JSON
(``{"from": "+447700900123", "text": "STOP"}``), signed in the ``X-PeerLog-Signature``
header as ``sha256=`` + the hex HMAC-SHA256 of the raw body under
``PEERLOG_SMS_WEBHOOK_SECRET``. An unsigned or wrongly signed request (or any request while
no secret is set) is refused with 403 before anything is read or changed. The sender is found
by the keyed hash of their number (``ContactDetails.phone_lookup``), since numbers are
stored encrypted. Every signed request gets the same answer, known number or not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from peerlog.capture import contact_changes
from peerlog.capture.crypto import lookup_hash
from peerlog.capture.forms import normalise_phone
from peerlog.capture.models import ContactDetails

logger = logging.getLogger(__name__)

HEADER = "HTTP_X_PEERLOG_SIGNATURE"
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}


def signature(body: bytes, secret: str) -> str:
    """The header value a provider sends for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(request: HttpRequest) -> bool:
    secret = settings.PEERLOG_SMS.get("WEBHOOK_SECRET", "")
    if not secret:
        return False
    return hmac.compare_digest(request.META.get(HEADER, "").encode(),
                               signature(request.body, secret).encode())


def keyword(text: str) -> str:
    """``"stop"``, ``"start"`` or ``""`` from the first word of a text."""
    words = str(text).strip().upper().split()
    first = words[0].strip(".!") if words else ""
    return "stop" if first in STOP_WORDS else "start" if first in START_WORDS else ""


@csrf_exempt  # the provider has no CSRF token: the signature is what authenticates it
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    if not signed(request):
        logger.warning("inbound SMS refused: missing or wrong signature")
        return HttpResponseForbidden("signature")
    try:
        payload = json.loads(request.body or b"{}")
        number = normalise_phone(str(payload.get("from", "")))
    except (ValueError, AttributeError, ValidationError):
        return JsonResponse({"ok": True})  # nothing to act on; the number is never logged
    action = keyword(payload.get("text", ""))
    if action:
        for contact in (ContactDetails.objects.select_related("participant")
                        .filter(phone_lookup=lookup_hash(number))):
            if contact.phone == number and not contact.participant.withdrawal:
                contact_changes.change(contact.participant, "sms", "sms",
                                       reminders_opt_out=action == "stop")
    return JsonResponse({"ok": True})
