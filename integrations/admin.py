from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import FeedToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


class ViewOnlyAdmin(admin.ModelAdmin):
    """For looking only: tokens, endpoints and deliveries change through the services (portal,
    back office, tasks), which keep the secrets unseen and the queues in order."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(FeedToken)
class FeedTokenAdmin(ViewOnlyAdmin):
    list_display = ["prefix", "reseller", "created_at", "last_fetched_at"]
    list_select_related = ["reseller"]
    exclude = ["hash"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ViewOnlyAdmin):
    list_display = ["url", "reseller", "is_active", "disabled_reason", "failure_count"]
    list_filter = ["is_active", "disabled_reason"]
    search_fields = ["url", "reseller__company_name"]
    list_select_related = ["reseller"]
    exclude = ["secret"]  # the signing secret is shown to the reseller only


@admin.register(WebhookEvent)
class WebhookEventAdmin(ViewOnlyAdmin):
    list_display = ["event_id", "type", "reseller", "created_at"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    list_select_related = ["reseller"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ViewOnlyAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ViewOnlyAdmin):
    list_display = ["delivery", "number", "attempted_at", "response_code", "duration_ms"]
    list_filter = ["succeeded"]
    list_select_related = ["delivery__event", "delivery__endpoint"]
