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
    """The order's payment status (orders.Order.payment_status). Declared down here with the
    rest of the order vocabulary so the order model and the rule preview can label it; only
    payments.services writes it, and payments.choices.ALLOWED_TRANSITIONS says which may follow
    which."""

    PROCESSING = "processing", "Processing"
    AWAITING_PAYMENT_METHOD = "awaiting_payment_method", "Awaiting payment method"
    AWAITING_CAPTURE = "awaiting_capture", "Awaiting capture"
    AWAITING_AUTHORIZATION = "awaiting_authorization", "Awaiting reseller authorization"
    AUTHORIZED = "authorized", "Authorized"
    CAPTURED = "captured", "Captured"
    ON_TERMS = "on_terms", "Invoiced on terms"
    FAILED = "failed", "Payment failed"
    VOIDED = "voided", "Voided"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


class InvoiceLineKind(models.TextChoices):
    SHIPPING = "shipping", "Shipping"
    FEE = "fee", "Fees"
    OTHER = "other", "Other"
    DISCOUNT = "discount", "Discounts and credits"
    TAX = "tax", "Tax"
