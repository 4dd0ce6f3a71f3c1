from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import AttemptKind, AttemptStatus, GatewayName


class PaymentProfile(models.Model):
    """A reseller's payment settings and its Customer at the gateway (created lazily)."""

    reseller = models.OneToOneField(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="payment_profile"
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    # Orders needing the reseller's authorization are authorized without a click at or under
    # this total (none: never automatically).
    auto_authorize_limit = models.DecimalField(
        "auto-authorize up to", max_digits=14, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"payment profile of reseller {self.reseller_id}"


class PaymentMethod(models.Model):
    """A card on file. The card itself stays at the gateway; we keep what a person reads."""

    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="payment_methods"
    )
    gateway_id = models.CharField(max_length=255)
    brand = models.CharField(max_length=30)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reseller", "gateway_id"], name="payments_method_unique_per_reseller"
            ),
            models.UniqueConstraint(
                fields=["reseller"],
                condition=Q(is_default=True),
                name="payments_one_default_method_per_reseller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand_display} ending in {self.last4}, expires {self.expiry}"

    @property
    def brand_display(self) -> str:
        names = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}
        return names.get(self.brand.lower(), self.brand.replace("_", " ").title())

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year}"


class PaymentAttempt(models.Model):
    """One call to a gateway, written before the call and completed with its outcome.

    The row exists before any network call, so a crashed worker leaves a pending attempt
    that the retry (or the sweep) finishes; `idempotency_key` goes with every gateway call made
    for it, so the gateway never does the same thing twice.
    """

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payment_attempts"
    )
    kind = models.CharField(max_length=20, choices=AttemptKind.choices)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.PENDING
    )
    gateway = models.CharField(max_length=20, choices=GatewayName.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The authorization a capture or void acts on; a refund's captured payment.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The gateway's id of what this attempt made or acted on (a PaymentIntent, a refund).
    reference = models.CharField(max_length=255, blank=True, db_index=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Capture on a partial shipment: the rest stays authorized (re-authorized as a new hold).
    final = models.BooleanField(default=True)
    reason = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount} {self.currency} ({self.status})"

    @property
    def minor_units(self) -> int:
        """The amount in the currency's minor units, as gateways count money."""
        return int((self.amount * 100).to_integral_value())

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else "system"


class ProcessedWebhookEvent(models.Model):
    """A gateway event already handled: the unique id makes a redelivered event a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
