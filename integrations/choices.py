from __future__ import annotations

from datetime import timedelta

from django.db import models


class EventType(models.TextChoices):
    """The events an endpoint can subscribe to (SPEC section 12)."""

    ORDER_CREATED = "order.created", "An order is placed"
    ORDER_UPDATED = "order.updated", "An order's status changes"
    SHIPMENT_CREATED = "shipment.created", "A shipment is recorded"
    PAYMENT_CAPTURED = "payment.captured", "A payment is captured"
    PAYMENT_FAILED = "payment.failed", "A payment fails"


# Sent only by "Send test event", to that one endpoint, whatever it subscribes to.
TEST_EVENT_TYPE = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Gave up"


class DisabledReason(models.TextChoices):
    RESELLER = "reseller", "Disabled by you"
    STAFF = "staff", "Disabled by the supplier's staff"
    FAILING = "failing", "Disabled after failing for a day"


# Wait before attempt n+1 after attempt n failed: the Standard Webhooks reference schedule
# (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), eight attempts over about 27 hours.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An endpoint whose deliveries have failed without a single success for this long is disabled
# and its reseller e-mailed.
DISABLE_AFTER = timedelta(days=1)
