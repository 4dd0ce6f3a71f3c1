from __future__ import annotations

from django.db import models


class ResellerStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class PaymentTerms(models.IntegerChoices):
    """Days a net-terms (deferred capture) invoice has before it is due."""

    NET_15 = 15, "Net 15"
    NET_30 = 30, "Net 30"
    NET_60 = 60, "Net 60"


class StatusChangeKind(models.TextChoices):
    """What a reseller status-history row records. Staff actions carry the reason the staff
    member gave (`params["reason"]`); the system's own moves carry nothing and read as a fixed
    sentence (StatusChange.sentence)."""

    SIGNED_UP = "signed_up", "Signed up"
    APPROVED = "approved", "Approved"
    AUTO_APPROVED = "auto_approved", "Approved automatically"
    DENIED = "denied", "Denied"
    SUSPENDED = "suspended", "Suspended"
    REINSTATED = "reinstated", "Reinstated"
    ACTIVATED = "activated", "Activated by first order"
    CHANNEL_CHANGED = "channel_changed", "Channel changed"


# The one place that says which status may follow which.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ResellerStatus.PENDING: frozenset({ResellerStatus.APPROVED, ResellerStatus.DENIED}),
    ResellerStatus.DENIED: frozenset({ResellerStatus.APPROVED}),
    ResellerStatus.APPROVED: frozenset({ResellerStatus.ACTIVE, ResellerStatus.SUSPENDED}),
    ResellerStatus.ACTIVE: frozenset({ResellerStatus.SUSPENDED}),
    ResellerStatus.SUSPENDED: frozenset({ResellerStatus.APPROVED, ResellerStatus.ACTIVE}),
}

# Statuses that may place orders and use the API.
ORDERING_STATUSES = frozenset({ResellerStatus.APPROVED, ResellerStatus.ACTIVE})

# "Approve" and "Reinstate" both lead from a status to `approved`, so ALLOWED_TRANSITIONS alone
# cannot tell them apart: each action also names the statuses it may start from.
APPROVE_FROM = frozenset({ResellerStatus.PENDING, ResellerStatus.DENIED})
REINSTATE_FROM = frozenset({ResellerStatus.SUSPENDED})

# Whose channel staff may change (before approval the channel is chosen by approving; a denied
# or suspended reseller does not order).
CHANNEL_CHANGE_FROM = frozenset({ResellerStatus.APPROVED, ResellerStatus.ACTIVE})

# Moves the reseller must be told the reason for; the reason is shown in the portal.
REASON_REQUIRED = frozenset({ResellerStatus.DENIED, ResellerStatus.SUSPENDED})
