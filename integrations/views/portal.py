from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import portal_view
from resellers.models import Reseller

from .. import feed, selectors, services
from ..exceptions import IntegrationError
from ..forms import WebhookEndpointForm
from ..models import WebhookDelivery, WebhookEndpoint


def _may_use_catalog(reseller: Reseller) -> None:
    if not reseller.may_order:
        # The same rule as the Catalog page: channel prices are for approved accounts.
        raise Http404("Your catalog is available once your account is approved.")


# --- Catalog downloads and the feed token -----------------------------------------------


@require_GET
@portal_view
def catalog_csv(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    _may_use_catalog(reseller)
    response = StreamingHttpResponse(
        feed.csv_chunks(reseller.channel, byte_order_mark=True),
        content_type=feed.CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        True, feed.filename(reseller.channel, "csv")
    )
    return response


@require_GET
@portal_view
def catalog_xlsx(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    _may_use_catalog(reseller)
    return FileResponse(
        feed.xlsx_file(reseller.channel),
        as_attachment=True,
        filename=feed.filename(reseller.channel, "xlsx"),
        content_type=feed.XLSX_CONTENT_TYPE,
    )


@never_cache
@require_POST
@portal_view
def feed_token_issue(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    """Create or rotate the feed URL and show it in this response, once (never cached)."""
    replaced = selectors.feed_token_for(reseller=reseller) is not None
    try:
        token, plaintext = services.feed_token_issue(reseller=reseller, actor=request.user)
    except IntegrationError as error:
        messages.error(request, str(error))
        return redirect("portal:catalog")
    feed_url = request.build_absolute_uri(f"/feeds/{plaintext}/products.csv")
    return render(
        request,
        "portal/integrations/feed_url.html",
        {"reseller": reseller, "feed_url": feed_url, "token": token, "replaced": replaced},
    )


@require_POST
@portal_view
def feed_token_revoke(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    if services.feed_token_revoke(reseller=reseller):
        messages.success(request, "The feed URL is revoked; fetching it now answers 404.")
    return redirect("portal:catalog")


# --- Webhooks -----------------------------------------------------------------------------


def _own_endpoint(reseller: Reseller, pk: int) -> WebhookEndpoint:
    try:
        return selectors.webhook_endpoint_get(reseller=reseller, pk=pk)
    except WebhookEndpoint.DoesNotExist as error:
        raise Http404("No such webhook endpoint.") from error


def _render_endpoint(
    request: HttpRequest, reseller: Reseller, endpoint: WebhookEndpoint, *, new_secret: str = ""
) -> HttpResponse:
    return render(
        request,
        "portal/integrations/endpoint.html",
        {
            "reseller": reseller,
            "endpoint": endpoint,
            "new_secret": new_secret,
            "log": selectors.webhook_log(endpoint=endpoint),
            "pending": selectors.pending_count(endpoint=endpoint),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@portal_view
def webhook_create(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    """Add an endpoint and show its signing secret in this very response, once."""
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                reseller=reseller,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                actor=request.user,
            )
        except IntegrationError as error:
            form.add_error(error.field or None, str(error))
        else:
            return _render_endpoint(request, reseller, endpoint, new_secret=secret)
    return render(
        request,
        "portal/integrations/endpoint_form.html",
        {"reseller": reseller, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
@portal_view
def webhook_detail(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    return _render_endpoint(request, reseller, _own_endpoint(reseller, pk))


@never_cache
@require_POST
@portal_view
def webhook_rotate(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    endpoint = _own_endpoint(reseller, pk)
    secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _render_endpoint(request, reseller, endpoint, new_secret=secret)


@require_POST
@portal_view
def webhook_disable(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    endpoint = _own_endpoint(reseller, pk)
    if services.webhook_endpoint_disable(endpoint=endpoint, actor=request.user):
        messages.success(request, "The endpoint is disabled; events for it wait until enabled.")
    return redirect("portal:webhook_detail", pk=endpoint.pk)


@require_POST
@portal_view
def webhook_enable(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    endpoint = _own_endpoint(reseller, pk)
    try:
        if services.webhook_endpoint_enable(endpoint=endpoint, actor=request.user):
            messages.success(request, "The endpoint is enabled; waiting events are on their way.")
    except IntegrationError as error:
        messages.error(request, str(error))
    return redirect("portal:webhook_detail", pk=endpoint.pk)


@require_POST
@portal_view
def webhook_delete(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    endpoint = _own_endpoint(reseller, pk)
    url = endpoint.url
    services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, f"The endpoint {url} is deleted; it receives nothing more.")
    return redirect("portal:settings")


@require_POST
@portal_view
def webhook_test(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    endpoint = _own_endpoint(reseller, pk)
    try:
        services.webhook_send_test(endpoint=endpoint, actor=request.user)
    except IntegrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "A test event is queued; its attempts appear in the log.")
    return redirect("portal:webhook_detail", pk=endpoint.pk)


@require_POST
@portal_view
def webhook_resend(
    request: HttpRequest, pk: int, delivery_pk: int, *, reseller: Reseller
) -> HttpResponse:
    endpoint = _own_endpoint(reseller, pk)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_pk).first()
    if delivery is None:
        raise Http404("No such delivery.")
    delivery.endpoint = endpoint
    try:
        services.webhook_delivery_resend(delivery=delivery, actor=request.user)
    except IntegrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{delivery.event.type} {delivery.event.event_id} is queued again."
        )
    return redirect("portal:webhook_detail", pk=endpoint.pk)
