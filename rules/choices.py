from __future__ import annotations

from django.db import models


class RuleKind(models.TextChoices):
    PAYMENT_CAPTURE = "payment_capture", "Payment capture"
    INVOICING = "invoicing", "Invoicing"


class RuleScope(models.TextChoices):
    GLOBAL = "global", "Global"
    CHANNEL = "channel", "Channel"
    RESELLER = "reseller", "Reseller"


class RuleMatch(models.TextChoices):
    ALL = "all", "All conditions"
    ANY = "any", "Any condition"


class RuleChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Disabled"
    MOVED = "moved", "Priority changed"
    DELETED = "deleted", "Deleted"
