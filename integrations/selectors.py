from __future__ import annotations

from django.db.models import QuerySet

from resellers.models import Reseller

from .choices import DeliveryStatus
from .models import FeedToken, WebhookAttempt, WebhookEndpoint

# The delivery log shows this many most recent attempts per endpoint.
LOG_LENGTH = 50


def feed_token_for(*, reseller: Reseller) -> FeedToken | None:
    return FeedToken.objects.filter(reseller=reseller).first()


def feed_token_by_plaintext_hash(*, token_hash: str) -> FeedToken | None:
    return FeedToken.objects.select_related("reseller__channel").filter(hash=token_hash).first()


def webhook_endpoint_list(*, reseller: Reseller) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(reseller=reseller).order_by("created_at", "id")


def webhook_endpoint_get(*, reseller: Reseller, pk: int) -> WebhookEndpoint:
    """One of `reseller`'s endpoints; WebhookEndpoint.DoesNotExist for anyone else's."""
    return webhook_endpoint_list(reseller=reseller).select_related("reseller").get(pk=pk)


def webhook_endpoint_get_any(*, pk: int) -> WebhookEndpoint:
    """Back office: any reseller's endpoint."""
    return WebhookEndpoint.objects.select_related("reseller").get(pk=pk)


def webhook_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookAttempt]:
    return (
        WebhookAttempt.objects.filter(endpoint=endpoint)
        .select_related("delivery__event")
        .order_by("-attempted_at", "-id")[:LOG_LENGTH]
    )


def pending_count(*, endpoint: WebhookEndpoint) -> int:
    return endpoint.deliveries.filter(status=DeliveryStatus.PENDING).count()
