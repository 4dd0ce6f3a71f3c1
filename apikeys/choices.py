from __future__ import annotations

from datetime import timedelta

from django.db import models


class ApiKeyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRING = "expiring", "Expiring"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class GracePeriod(models.TextChoices):
    """How long the old key keeps working after a rotation, chosen by the reseller."""

    NONE = "none", "Stop the old key now"
    ONE_HOUR = "1h", "Keep the old key for 1 hour"
    ONE_DAY = "24h", "Keep the old key for 24 hours"
    ONE_WEEK = "7d", "Keep the old key for 7 days"


GRACE_PERIOD_DURATIONS: dict[str, timedelta] = {
    GracePeriod.NONE: timedelta(0),
    GracePeriod.ONE_HOUR: timedelta(hours=1),
    GracePeriod.ONE_DAY: timedelta(hours=24),
    GracePeriod.ONE_WEEK: timedelta(days=7),
}


class IdempotencyStatus(models.TextChoices):
    IN_FLIGHT = "in_flight", "In flight"
    COMPLETED = "completed", "Completed"
