from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .choices import DeliveryStatus, DisabledReason


class FeedToken(models.Model):
    """The secret in a reseller's product feed URL. Only a SHA-256 of it is stored."""

    reseller = models.OneToOneField(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="feed_token"
    )
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to tell it.")
    hash = models.CharField("SHA-256 of the token", max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.reseller_id})"


class WebhookEndpoint(models.Model):
    """A URL of the reseller's that receives signed events."""

    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    # Checked by transport.parse_url (https only in production, no credentials) rather than
    # URLValidator, so the save-time and send-time checks are the same code.
    url = models.CharField("URL", max_length=500)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    # Kept in clear because every delivery is signed with it (HMAC needs the key itself);
    # shown to the reseller only when it is created or rotated.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField("active", default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(
        max_length=20, choices=DisabledReason.choices, blank=True, default=""
    )
    # Consecutive failed attempts since the last success; failing_since is the first of them.
    failure_count = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # A worker delivering this endpoint's queue holds it until then (see tasks.deliver_webhooks).
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…"


def _event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEvent(models.Model):
    """The outbox: one event, written in the transaction that made the change."""

    event_id = models.CharField(max_length=40, unique=True, default=_event_id, editable=False)
    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(max_length=40)
    # The whole JSON body sent ({id, type, timestamp, data}), frozen when the change happened.
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    """One event owed to one endpoint, until it is delivered or given up on."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "status", "id"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """The delivery log: one HTTP request and what came of it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField(help_text="1 for the first attempt.")
    attempted_at = models.DateTimeField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"])]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
