from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.access import staff_required

from .. import selectors, services
from ..choices import DisabledReason
from ..models import WebhookEndpoint


@staff_required
@require_POST
def webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        endpoint = selectors.webhook_endpoint_get_any(pk=pk)
    except WebhookEndpoint.DoesNotExist as error:
        raise Http404("No such webhook endpoint.") from error
    if services.webhook_endpoint_disable(
        endpoint=endpoint, actor=request.user, reason=DisabledReason.STAFF
    ):
        messages.success(request, f"Webhook endpoint {endpoint.url} is disabled.")
    return redirect(endpoint.reseller)
