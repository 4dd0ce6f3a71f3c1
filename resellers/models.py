from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse

from .choices import ORDERING_STATUSES, PaymentTerms, ResellerStatus, StatusChangeKind


class Reseller(models.Model):
    company_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=150)
    email = models.EmailField(help_text="Where the portal sends notices about this account.")
    phone = models.CharField(max_length=32, blank=True)
    website = models.URLField(blank=True)
    tax_id = models.CharField("tax ID", max_length=64, blank=True)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="Two-letter ISO country code, e.g. US."
    )
    tier = models.CharField(
        max_length=50, blank=True, help_text="A free label rules can match on, e.g. gold."
    )
    tags = models.JSONField(
        default=list, blank=True, help_text='Free labels rules can match on, e.g. ["eu"].'
    )
    channel = models.ForeignKey(
        "channels.Channel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resellers",
    )
    status = models.CharField(
        max_length=20, choices=ResellerStatus.choices, default=ResellerStatus.PENDING
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the reseller was denied or suspended; shown to the reseller."
    )
    notes = models.TextField(blank=True, help_text="Internal notes, never shown to the reseller.")
    payment_terms = models.PositiveSmallIntegerField(
        choices=PaymentTerms.choices,
        default=PaymentTerms.NET_30,
        help_text="Days a net-terms (deferred capture) invoice has before it is due.",
    )
    tax_exempt = models.BooleanField(
        "tax-exempt", default=False, help_text="Tax rules skip this reseller's orders."
    )
    tax_exempt_note = models.CharField(
        "exemption note",
        max_length=200,
        blank=True,
        help_text="Shown on the invoice, e.g. the resale certificate number.",
    )
    tax_exempt_until = models.DateField(
        "exemption expires",
        null=True,
        blank=True,
        help_text="Last day the exemption applies; empty for no expiry.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The profile's version: bumped by every profile save; the edit form sends it back
    # (core.concurrency). Status moves have their own check (the newest status change).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["company_name"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.company_name

    def get_absolute_url(self) -> str:
        return reverse("backoffice:reseller_detail", args=[self.pk])

    @property
    def may_order(self) -> bool:
        return self.status in ORDERING_STATUSES

    def tax_exempt_on(self, day: datetime.date) -> bool:
        """Whether the exemption covers an order placed on `day` (the expiry day included)."""
        return self.tax_exempt and (self.tax_exempt_until is None or day <= self.tax_exempt_until)

    @property
    def labels(self) -> list[str]:
        """Tier and tags together, as rules see them."""
        return ([self.tier] if self.tier else []) + [str(tag) for tag in self.tags or []]


SYSTEM_SENTENCES = {
    StatusChangeKind.SIGNED_UP: "Signed up.",
    StatusChangeKind.AUTO_APPROVED: "Approved automatically on signup.",
    StatusChangeKind.ACTIVATED: "First order placed.",
}


class StatusChange(models.Model):
    """The audit trail of a reseller's status: who moved it, from what, to what, and why."""

    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ResellerStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ResellerStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system made the change.",
    )
    kind = models.CharField(max_length=20, choices=StatusChangeKind.choices)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reseller}: {self.from_status or '—'} → {self.to_status}"

    @property
    def reason(self) -> str:
        """The reason the staff member gave (deny, suspend), as they wrote it."""
        return (self.params or {}).get("reason", "")

    @property
    def sentence(self) -> str:
        """What the history shows: the system's moves read as a fixed sentence, staff moves
        as the reason given. Rendered from kind and params, never stored."""
        if self.kind == StatusChangeKind.CHANNEL_CHANGED:
            params = self.params or {}
            return (
                f"Channel changed from {params.get('from_channel') or 'none'} to "
                f"{params.get('to_channel')}: {self.reason}"
            )
        return SYSTEM_SENTENCES.get(self.kind, "") or self.reason

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else "system"


class PortalSettings(models.Model):
    """Site-wide switches staff change from the back office. Always exactly one row."""

    SINGLETON_PK = 1

    auto_approve_resellers = models.BooleanField(
        "auto-approve resellers",
        default=False,
        help_text="Approve new signups at once instead of waiting for staff.",
    )
    # Bumped by every change through the services; edit forms send it back (core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "portal settings"
        verbose_name_plural = "portal settings"

    def __str__(self) -> str:
        return "Portal settings"

    @classmethod
    def load(cls) -> PortalSettings:
        settings_row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return settings_row
