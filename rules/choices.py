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


# Order vocabulary the rules decide in; orders.choices re-exports these.
class OrderSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    INVENTORY_SOURCE = "inventory_source", "Inventory Source"


class CaptureMode(models.TextChoices):
    CAPTURE_NOW = "capture_now", "Capture now"
    ON_SHIPMENT = "on_shipment", "Authorize, capture on shipment"
    DEFERRED = "deferred", "Deferred (net terms)"
    RESELLER_AUTHORIZATION = "reseller_authorization", "Needs reseller authorization"


class PaymentStatus(models.TextChoices):
    AWAITING_CAPTURE = "awaiting_capture", "Awaiting capture"
    AWAITING_AUTHORIZATION = "awaiting_authorization", "Awaiting reseller authorization"
    AUTHORIZED = "authorized", "Authorized"
    CAPTURED = "captured", "Captured"
    ON_TERMS = "on_terms", "Invoiced on terms"
    VOIDED = "voided", "Voided"


class InvoiceLineKind(models.TextChoices):
    SHIPPING = "shipping", "Shipping"
    FEE = "fee", "Fees"
    OTHER = "other", "Other"
    DISCOUNT = "discount", "Discounts and credits"
    TAX = "tax", "Tax"
