from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import ApiKeyStatus, IdempotencyStatus


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now: datetime) -> ApiKeyQuerySet:
        """Keys that still authenticate at `now`: the database form of `ApiKey.is_usable`."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """A reseller's API key. Only the lookup prefix and a SHA-256 of the full key are stored."""

    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. Inventory Source.")
    prefix = models.CharField(
        max_length=32, unique=True, editable=False, help_text="rpk_ and the lookup part."
    )
    hash = models.CharField("SHA-256 of the key", max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set by a rotation with a grace period: the key keeps working until then.
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rotated_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The key this one replaced.",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["reseller", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status_at(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return ApiKeyStatus.REVOKED
        if self.expires_at is not None:
            return ApiKeyStatus.EXPIRING if self.expires_at > now else ApiKeyStatus.EXPIRED
        return ApiKeyStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    @property
    def status_label(self) -> str:
        return ApiKeyStatus(self.status).label

    @property
    def is_usable(self) -> bool:
        return self.status in (ApiKeyStatus.ACTIVE, ApiKeyStatus.EXPIRING)


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a reseller sent on POST, with the answer to replay on a retry.

    The unique (reseller, key) constraint is the lock: the first request inserts the row as
    in flight; a concurrent duplicate's INSERT fails and it reads the row instead.
    """

    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical JSON request body."
    )
    status = models.CharField(
        max_length=20, choices=IdempotencyStatus.choices, default=IdempotencyStatus.IN_FLIGHT
    )
    # When the current attempt claimed the key; an in-flight row older than the abandonment
    # timeout belongs to a crashed request and may be taken over.
    locked_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The exact bytes sent the first time (as text), so a replay is byte-for-byte the same;
    # a JSON column would reorder keys on PostgreSQL.
    response_body = models.TextField(blank=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "idempotency key"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reseller", "key"], name="apikeys_idempotency_key_unique_per_reseller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"
