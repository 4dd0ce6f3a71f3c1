from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..webhooks import webhook_event_process

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe signs the request instead; the signature is checked below.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"detail": "Stripe webhooks are not configured."}, status=404)
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), secret
        )
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("stripe webhook refused: bad payload or signature")
        return JsonResponse({"detail": "Invalid payload or signature."}, status=400)
    data = event.data.object.to_dict() if hasattr(event.data.object, "to_dict") else {}
    first_time = webhook_event_process(event_id=event.id, event_type=event.type, data=data)
    return JsonResponse({"received": True, "duplicate": not first_time})
