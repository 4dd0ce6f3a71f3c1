"""The JSON API at /api/v1/ (SPEC section 7): account, products, orders.

Every operation authenticates an API key, resolves the reseller from it (never from the
request), and reads through the same selectors as the portal. Orders are placed by the same
`order_place` service as the portal, so validation, prices, invoice rules and first-order
activation are identical whichever way an order arrives.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from channels.models import Listing
from channels.selectors import listing_list_for_channel
from orders.exceptions import OrderValidationError, ResellerCannotOrder
from orders.filters import OrderFilter
from orders.models import SHIP_TO_FIELDS, Order
from orders.selectors import order_get, order_list
from orders.services import LineRequest, OrderRequest, ShipTo
from resellers.models import Reseller

from . import services
from .exceptions import IdempotencyConflict, IdempotencyMismatch
from .models import ApiKey
from .schemas import (
    AccountOut,
    ErrorOut,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderQuery,
    PageQuery,
    ProductPage,
    ProductQuery,
)
from .security import (
    TOKEN_HEADER,
    ApiKeyRateThrottle,
    ApiTokenBearer,
    ApiTokenHeader,
    authentication_failure_message,
)

logger = logging.getLogger(__name__)

DESCRIPTION = f"""
Place and track orders from your own systems or an order automation service such as
Inventory Source.

**Authentication.** Create a key in the portal under **Settings** and send it in the
`{TOKEN_HEADER}` header (`Authorization: Bearer <key>` works too). Keys look like
`rpk_…`. A missing, unknown, revoked or expired key is a `401`.

**Account status.** `GET /account` answers for every account status, so an integration can
see why it is refused. The catalog and order operations are for approved and active accounts
only; pending, denied and suspended accounts get `403`.

**Idempotency.** Send an `Idempotency-Key` header (any printable string up to 255 characters,
e.g. a UUID) with `POST /orders`. A retry with the same key and body within 24 hours returns
the first answer (with `Idempotent-Replayed: true`) instead of placing a second order; the same
key with a different body is `422`; a retry while the first request is still running is `409`.
Failed attempts are not remembered, so after fixing the problem you may retry with the same
key.

**Errors** are JSON: `{{"detail": "…", "errors": [{{"field": "…", "message": "…"}}]}}`.
Field paths look like `shipping_address.city` or `items[0].quantity`.

**Rate limit.** Each key may make a fixed number of requests per minute; past it the answer is
`429` with a `Retry-After` header in seconds.

**Lists** are paginated with `page` and `page_size` (at most 200) and report `count` and
`pages`.
"""

api = NinjaAPI(
    title="Reseller Portal API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[ApiTokenHeader(), ApiTokenBearer()],
    throttle=[ApiKeyRateThrottle()],
)


def errors(*status_codes: int) -> dict[frozenset[int], type]:
    """The error answers an operation documents, all in the ErrorOut shape. Every operation can
    be refused a key (401) or throttled (429)."""
    return {frozenset({401, 429, *status_codes}): ErrorOut}


INVALID_REQUEST = "The request is not valid; see errors for each field. Nothing was saved."


# --- Errors: one JSON shape for every 4xx -------------------------------------------------


def error_response(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    body = {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}
    return api.create_response(request, body, status=status)


def _field_path(location: Iterable[Any]) -> str:
    """("body", "payload", "items", 0, "sku") -> "items[0].sku", as order_place names fields."""
    parts = list(location)
    if parts[:1] == ["body"]:
        parts = parts[2:]  # the "payload" argument name is not part of the document
    elif parts[:1] in (["query"], ["path"], ["header"]):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden":
        return "Unknown field; remove it. The accepted fields are listed at /api/v1/docs."
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ").rstrip(".") + "."


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_field_path(error.get("loc", ())), _field_message(error)) for error in exc.errors]
    return error_response(request, 422, INVALID_REQUEST, errors)


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = error_response(request, 401, authentication_failure_message(request))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, Throttled):
        return error_response(
            request,
            429,
            f"Too many requests: each API key may make {settings.API_RATE_LIMIT_PER_MINUTE} "
            "requests a minute. Retry after the number of seconds in the Retry-After header.",
        )
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:
        # ninja could not parse the body; say exactly why, whatever DEBUG is.
        if isinstance(cause, json.JSONDecodeError):
            reason = f"{cause.msg} at line {cause.lineno}, column {cause.colno}"
        elif isinstance(cause, UnicodeDecodeError):
            reason = "it is not UTF-8 text"
        else:
            reason = "it could not be read"
        return error_response(
            request,
            400,
            f"The request body is not valid JSON ({reason}). Send a JSON object with "
            "Content-Type: application/json.",
            [("body", reason)],
        )
    return error_response(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Not found.")


@api.exception_handler(OrderValidationError)
def _on_order_invalid(request: HttpRequest, exc: OrderValidationError) -> HttpResponse:
    return error_response(request, 422, "The order is not valid; nothing was saved.", exc.errors)


@api.exception_handler(ResellerCannotOrder)
def _on_cannot_order(request: HttpRequest, exc: ResellerCannotOrder) -> HttpResponse:
    return error_response(request, 403, str(exc))


@api.exception_handler(IdempotencyConflict)
def _on_idempotency_conflict(request: HttpRequest, exc: IdempotencyConflict) -> HttpResponse:
    response = error_response(request, 409, str(exc), [("Idempotency-Key", str(exc))])
    response["Retry-After"] = "1"
    return response


@api.exception_handler(IdempotencyMismatch)
def _on_idempotency_mismatch(request: HttpRequest, exc: IdempotencyMismatch) -> HttpResponse:
    return error_response(request, 422, str(exc), [("Idempotency-Key", str(exc))])


@api.exception_handler(RequestDataTooBig)
def _on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises this when request.body is first read with a Content-Length over
    # DATA_UPLOAD_MAX_MEMORY_SIZE, before a byte of the body is read into memory.
    return error_response(
        request,
        413,
        f"The request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} "
        "bytes. Send fewer lines per order.",
    )


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Still a bug, and logged as one, but the client gets JSON rather than an HTML page.
    logger.error("unhandled API error path=%s", request.path, exc_info=exc)
    return error_response(
        request, 500, "Something went wrong on our side; it has been logged. Retry later."
    )


# --- Helpers ------------------------------------------------------------------------------


def _api_key(request: HttpRequest) -> ApiKey:
    return request.auth  # type: ignore[attr-defined,return-value]


def _ordering_reseller(request: HttpRequest) -> Reseller:
    """The caller's reseller, if its status allows using the catalog and orders API."""
    reseller = _api_key(request).reseller
    if not reseller.may_order:
        raise HttpError(
            403,
            f"This account is {reseller.get_status_display().lower()}; only approved or active "
            "accounts can use the catalog and orders API. GET /api/v1/account shows the status.",
        )
    return reseller


def _page(queryset: QuerySet, query: PageQuery, to_item: Callable[[Any], dict]) -> dict:
    count = queryset.count()
    offset = (query.page - 1) * query.page_size
    rows = queryset[offset : offset + query.page_size] if offset < count else []
    return {
        "items": [to_item(row) for row in rows],
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, math.ceil(count / query.page_size)),
    }


def _product_out(listing: Listing) -> dict:
    product = listing.product
    return {
        "sku": product.sku,
        "title": product.title,
        "description": product.description,
        "price": listing.price,
        "currency": listing.channel.currency,
        "msrp": product.msrp,
        "weight": product.weight,
        "stock": product.stock,
    }


def _order_summary_out(order: Order) -> dict:
    return {
        "id": order.pk,
        "number": order.number or "",
        "reference_number": order.reference_number,
        "source": order.source,
        "status": order.status,
        "currency": order.currency,
        "total": order.total,
        "payment_status": order.payment_status,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def _order_out(order: Order) -> dict:
    return {
        **_order_summary_out(order),
        "shipping_address": {
            name: getattr(order, column) for name, column in SHIP_TO_FIELDS.items()
        },
        "shipping_method": order.shipping_method,
        "note": order.note,
        # .all(), not a query of its own: a just-placed order carries the lines it saved and
        # get_order prefetches them, so the answer to POST /orders costs no extra query.
        "lines": [
            {
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
            }
            for line in order.lines.all()
        ],
        "invoice": {
            "subtotal": order.subtotal,
            "shipping": order.shipping_total,
            "fees": order.fees_total,
            "other": order.other_total,
            "discounts": order.discount_total,
            "total": order.total,
            "lines": [
                {
                    "kind": line.kind,
                    "label": line.label,
                    "amount": line.amount,
                    "rule_name": line.rule_name,
                }
                for line in order.invoice_lines.all()
            ],
        },
        "payment": {
            "capture_mode": order.capture_mode,
            "payment_status": order.payment_status,
            "max_auto_capture": order.max_auto_capture,
        },
    }


def _fingerprint(payload: OrderIn) -> str:
    # The validated body, canonicalised: key order, whitespace and omitted defaults do not
    # make two identical orders look different.
    canonical = json.dumps(
        payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(f"POST /orders\n{canonical}".encode()).hexdigest()


def _order_request(payload: OrderIn) -> OrderRequest:
    address = payload.shipping_address
    return OrderRequest(
        reference_number=payload.reference_number,
        ship_to=ShipTo(**{name: getattr(address, name) or "" for name in SHIP_TO_FIELDS}),
        items=[LineRequest(sku=item.sku, quantity=item.quantity) for item in payload.items],
        shipping_method=payload.shipping_method or "",
        note=payload.note or "",
        source=payload.source,
    )


# --- Operations ---------------------------------------------------------------------------


@api.get(
    "/account",
    response={200: AccountOut, **errors()},
    operation_id="getAccount",
    summary="Your account",
    tags=["Account"],
)
def get_account(request: HttpRequest):
    """The account the key belongs to, its status and channel. Works for every status."""
    api_key = _api_key(request)
    reseller = api_key.reseller
    channel = reseller.channel
    return {
        "id": reseller.pk,
        "company_name": reseller.company_name,
        "contact_name": reseller.contact_name,
        "email": reseller.email,
        "status": reseller.status,
        "may_order": reseller.may_order,
        "status_reason": reseller.status_reason,
        "channel": (
            {"name": channel.name, "slug": channel.slug, "currency": channel.currency}
            if channel
            else None
        ),
        "api_key": {
            "prefix": api_key.prefix,
            "name": api_key.name,
            "created_at": api_key.created_at,
            "expires_at": api_key.expires_at,
        },
    }


@api.get(
    "/products",
    response={200: ProductPage, **errors(403, 422)},
    operation_id="listProducts",
    summary="Your catalog",
    tags=["Catalog"],
)
def list_products(request: HttpRequest, query: Query[ProductQuery]):
    """The products you can order, at your channel's prices, by SKU."""
    reseller = _ordering_reseller(request)
    listings = listing_list_for_channel(channel=reseller.channel).select_related("channel")
    if query.sku:
        listings = listings.filter(product__sku=query.sku)
    return _page(listings, query, _product_out)


@api.get(
    "/orders",
    response={200: OrderPage, **errors(403, 422)},
    operation_id="listOrders",
    summary="Your orders",
    tags=["Orders"],
)
def list_orders(request: HttpRequest, query: Query[OrderQuery]):
    """Your orders, newest first. Fetch one order for its lines and invoice."""
    # The same FilterSet as the portal, back office and exports, so a status, source or date
    # means the same everywhere. The schema has already validated the values.
    filters = query.model_dump(
        include={"status", "source", "created_from", "created_to"}, exclude_none=True
    )
    orders = OrderFilter(filters, queryset=order_list(reseller=_ordering_reseller(request))).qs
    if query.reference:
        orders = orders.filter(reference_number=query.reference)
    return _page(orders, query, _order_summary_out)


@api.post(
    "/orders",
    response={201: OrderOut, **errors(400, 403, 409, 413, 422)},
    operation_id="createOrder",
    summary="Place an order",
    tags=["Orders"],
)
def create_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description="Makes retries safe: the same key and body within 24 hours returns the "
        "first answer instead of placing another order.",
        examples=["5f0c6f7e-9f6b-4c1e-9d1e-2b0c7a1f4e11"],
    ),
):
    """Place an order at your channel's prices. The answer includes the invoice (subtotal,
    shipping, fees, discounts, total, and the rule behind each line) and the payment capture
    decision."""
    reseller = _ordering_reseller(request)

    def render(order: Order) -> str:
        body = OrderOut.model_validate(_order_out(order)).model_dump()
        return api.renderer.render(request, body, response_status=201)

    result = services.api_order_place(
        reseller=reseller,
        request=_order_request(payload),
        # An integration placed it, not a person: the order shows source "api" (or
        # "inventory_source") and the system as its actor, not whoever issued the key.
        actor=None,
        render=render,
        idempotency_key=idempotency_key,
        # Only a request that can be retried under a key needs its body compared.
        fingerprint=_fingerprint(payload) if idempotency_key else "",
    )
    response = HttpResponse(
        result.body, status=result.status_code, content_type=api.get_content_type()
    )
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@api.get(
    "/orders/{order_id}",
    response={200: OrderOut, **errors(403, 404, 422)},
    operation_id="getOrder",
    summary="One order",
    tags=["Orders"],
)
def get_order(request: HttpRequest, order_id: int = Path(..., ge=1, le=2**63 - 1)):
    """One of your orders with its lines, invoice and payment. Another account's order is 404."""
    reseller = _ordering_reseller(request)
    try:
        order = order_get(reseller=reseller, pk=order_id)
    except Order.DoesNotExist as error:
        raise HttpError(404, f"You have no order with id {order_id}.") from error
    # Both in id order: the models' default ordering is (order, id).
    prefetch_related_objects([order], "lines", "invoice_lines")
    return _order_out(order)
