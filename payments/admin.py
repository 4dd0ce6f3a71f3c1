from __future__ import annotations

from django.contrib import admin

from .models import PaymentAttempt, PaymentMethod, PaymentProfile, ProcessedWebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Payment rows are written by payments.services only; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = ["order", "kind", "status", "gateway", "amount", "currency", "created_at"]
    list_filter = ["kind", "status", "gateway"]
    search_fields = ["reference", "order__reference_number"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdmin):
    list_display = ["reseller", "brand", "last4", "exp_month", "exp_year", "is_default"]


@admin.register(PaymentProfile)
class PaymentProfileAdmin(ReadOnlyAdmin):
    list_display = ["reseller", "stripe_customer_id", "auto_authorize_limit"]


@admin.register(ProcessedWebhookEvent)
class ProcessedWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at"]
