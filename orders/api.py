"""Orders in the JSON API: list, place and read (mounted by `api.v1`).

Orders are placed by the same `order_place` service as the portal, so validation, prices,
invoice rules and first-order activation are identical whichever way an order arrives. The
response schemas read the order's attributes; what the portal hides from resellers (the
internal rule names, the auto-capture limit) is left out here too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict, StrictInt, field_validator

from apikeys import services as apikey_services
from core.api import (
    InputSchema,
    IsoDate,
    Money,
    PageMeta,
    PageQuery,
    Text,
    errors,
    ordering_reseller,
    paginate,
)

from .choices import (
    SHIPPING_METHODS,
    CaptureMode,
    InvoiceLineKind,
    OrderSource,
    OrderStatus,
    PaymentStatus,
)
from .filters import OrderFilter
from .models import NOTE_MAX_LENGTH, SHIP_TO_FIELDS, Order, ship_to_field
from .selectors import order_get, order_list
from .services import MAX_LINES, MAX_QUANTITY, LineRequest, OrderRequest, ShipTo, order_place

router = Router(tags=["Orders"])
renderer = JSONRenderer()

# Literal types from the model choices, so the OpenAPI enums cannot drift from the database.
OrderStatusValue = Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]
OrderSourceValue = Literal[tuple(OrderSource.values)]  # type: ignore[valid-type]
# What an integration may say placed its order; "portal" orders come from the portal only.
ApiOrderSourceValue = Literal[  # type: ignore[valid-type]
    OrderSource.API.value,
    OrderSource.INVENTORY_SOURCE.value,
]
CaptureModeValue = Literal[tuple(CaptureMode.values)]  # type: ignore[valid-type]
PaymentStatusValue = Literal[tuple(PaymentStatus.values)]  # type: ignore[valid-type]
InvoiceLineKindValue = Literal[tuple(InvoiceLineKind.values)]  # type: ignore[valid-type]


# --- Request ------------------------------------------------------------------------------


def _ship_to_max(name: str) -> int:
    # The one ship-to field list: each length is the Order column's (orders.models).
    return ship_to_field(name).max_length


class AddressIn(InputSchema):
    name: Text = Field(max_length=_ship_to_max("name"), examples=["Jane Doe"])
    company: Text | None = Field(None, max_length=_ship_to_max("company"))
    address_line1: Text = Field(max_length=_ship_to_max("address_line1"), examples=["1 Main St"])
    address_line2: Text | None = Field(None, max_length=_ship_to_max("address_line2"))
    city: Text = Field(max_length=_ship_to_max("city"), examples=["Springfield"])
    state: Text = Field(max_length=_ship_to_max("state"), examples=["IL"])
    postal_code: Text = Field(max_length=_ship_to_max("postal_code"), examples=["62701"])
    country_code: str = Field(
        min_length=2,
        max_length=_ship_to_max("country_code"),
        pattern=r"^[A-Za-z]{2}$",
        description="ISO 3166-1 alpha-2 code.",
        examples=["US"],
    )
    phone: Text | None = Field(None, max_length=_ship_to_max("phone"))
    email: Text | None = Field(
        None, max_length=_ship_to_max("email"), json_schema_extra={"format": "email"}
    )

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise ValueError("must be a valid email address") from error
        return value


class ItemIn(InputSchema):
    sku: Text = Field(min_length=1, max_length=64, examples=["MUG-CERAMIC"])
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY, examples=[2])


ORDER_EXAMPLE = {
    "reference_number": "PO-1001",
    "shipping_address": {
        "name": "Jane Doe",
        "company": "",
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "country_code": "US",
        "phone": "+1 555 0100",
        "email": "jane@example.com",
    },
    "shipping_method": SHIPPING_METHODS[0],
    "note": "Leave at the back door.",
    "source": "api",
    "items": [{"sku": "MUG-CERAMIC", "quantity": 2}],
}


class OrderIn(InputSchema):
    reference_number: Text = Field(
        min_length=1,
        max_length=64,
        description="Your own order number; unique per account.",
        examples=["PO-1001"],
    )
    shipping_address: AddressIn
    shipping_method: Text | None = Field(
        None,
        max_length=100,
        description=f"One of {', '.join(SHIPPING_METHODS)} (any letter case), as in the portal.",
        examples=[SHIPPING_METHODS[0]],
    )
    note: Text | None = Field(None, max_length=NOTE_MAX_LENGTH)
    source: ApiOrderSourceValue = Field(
        OrderSource.API.value,
        description="`inventory_source` when Inventory Source places the order for you.",
    )
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_LINES)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ORDER_EXAMPLE]})


# --- Responses: read from the order's attributes ------------------------------------------


def _ship_to(order: Order, name: str) -> str:
    return getattr(order, SHIP_TO_FIELDS[name])


class AddressOut(Schema):
    # The order's ship-to columns under their API names, through the one SHIP_TO_FIELDS table.
    name: str
    company: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country_code: str
    phone: str
    email: str

    @staticmethod
    def resolve_name(order: Order) -> str:
        return _ship_to(order, "name")

    @staticmethod
    def resolve_company(order: Order) -> str:
        return _ship_to(order, "company")

    @staticmethod
    def resolve_address_line1(order: Order) -> str:
        return _ship_to(order, "address_line1")

    @staticmethod
    def resolve_address_line2(order: Order) -> str:
        return _ship_to(order, "address_line2")

    @staticmethod
    def resolve_city(order: Order) -> str:
        return _ship_to(order, "city")

    @staticmethod
    def resolve_state(order: Order) -> str:
        return _ship_to(order, "state")

    @staticmethod
    def resolve_postal_code(order: Order) -> str:
        return _ship_to(order, "postal_code")

    @staticmethod
    def resolve_country_code(order: Order) -> str:
        return _ship_to(order, "country_code")

    @staticmethod
    def resolve_phone(order: Order) -> str:
        return _ship_to(order, "phone")

    @staticmethod
    def resolve_email(order: Order) -> str:
        return _ship_to(order, "email")


class OrderLineOut(Schema):
    sku: str
    title: str
    quantity: int
    unit_price: Money
    line_total: Money


class InvoiceLineOut(Schema):
    # The rule that produced a line is the supplier's internal name; resellers see its label.
    kind: InvoiceLineKindValue
    label: str
    amount: Money = Field(description="Positive for charges, negative for discounts and credits.")


class InvoiceOut(Schema):
    subtotal: Money
    shipping: Money
    fees: Money
    other: Money
    discounts: Money = Field(description="Discounts and credits, as a negative or zero amount.")
    tax: Money = Field(description="The tax lines' sum; zero for a tax-exempt reseller.")
    total: Money
    lines: list[InvoiceLineOut]
    invoice_number: str | None = Field(
        examples=["INV-000042"], description="Assigned when the order is placed; never reused."
    )
    due_date: date | None = Field(
        description="Net-terms (deferred capture) orders: when payment is due. Otherwise null."
    )
    tax_exemption: str = Field(
        description="Why no tax was charged (the reseller's exemption), or empty."
    )

    @staticmethod
    def resolve_shipping(order: Order) -> Decimal:
        return order.shipping_total

    @staticmethod
    def resolve_fees(order: Order) -> Decimal:
        return order.fees_total

    @staticmethod
    def resolve_other(order: Order) -> Decimal:
        return order.other_total

    @staticmethod
    def resolve_discounts(order: Order) -> Decimal:
        return order.discount_total

    @staticmethod
    def resolve_lines(order: Order) -> list[Any]:
        return list(order.invoice_lines.all())


class PaymentOut(Schema):
    # The auto-capture limit is the supplier's internal threshold; resellers are not shown it.
    capture_mode: CaptureModeValue
    payment_status: PaymentStatusValue
    amount_captured: Money = Field(description="Taken from the reseller so far.")
    amount_refunded: Money = Field(description="Given back so far (refunds, cancellation).")
    last_payment_error: str = Field(
        description="The payment provider's message when a payment last failed, e.g. \"Your "
        'card was declined."; empty otherwise.'
    )


class OrderSummaryOut(Schema):
    id: int
    number: str
    invoice_number: str | None
    reference_number: str
    source: OrderSourceValue
    status: OrderStatusValue
    currency: str
    total: Money
    payment_status: PaymentStatusValue
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_number(order: Order) -> str:
        return order.number or ""


class ShipmentLineOut(Schema):
    sku: str
    quantity: int

    @staticmethod
    def resolve_sku(line) -> str:
        return line.order_line.sku


class ShipmentOut(Schema):
    """A shipment of the order (the fulfilment app's rows, read through Order.shipments: this
    schema reads attributes and imports nothing from above orders)."""

    id: int
    order_id: int
    order_number: str = Field(examples=["SO-0000042"])
    reference_number: str = Field(description="The order's reference number (yours).")
    carrier: str = Field(examples=["UPS"])
    service: str = Field(examples=["Ground"])
    tracking_number: str
    tracking_url: str = Field(
        description="The carrier's tracking page; empty for a carrier we have no link for."
    )
    shipped_at: datetime
    lines: list[ShipmentLineOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_order_number(shipment) -> str:
        return shipment.order.number

    @staticmethod
    def resolve_reference_number(shipment) -> str:
        return shipment.order.reference_number

    @staticmethod
    def resolve_lines(shipment) -> list[Any]:
        return list(shipment.lines.all())


# What GET /orders/{id} (and the answer to a cancel) reads with the order: lines, invoice,
# shipments with their lines, in a fixed number of queries.
ORDER_DETAIL_PREFETCH = (
    "lines",
    "invoice_lines",
    "shipments__order",
    "shipments__lines__order_line",
)


class OrderOut(Schema):
    id: int
    number: str = Field(examples=["SO-0000042"])
    reference_number: str
    source: OrderSourceValue
    status: OrderStatusValue
    currency: str
    shipping_address: AddressOut
    shipping_method: str
    note: str
    lines: list[OrderLineOut]
    invoice: InvoiceOut
    payment: PaymentOut = Field(
        description="How the payment is taken (the rules' decision) and where it stands."
    )
    shipments: list[ShipmentOut] = Field(
        description="Parcels shipped so far, with tracking, oldest first."
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_number(order: Order) -> str:
        return order.number or ""

    @staticmethod
    def resolve_shipments(order: Order) -> list[Any]:
        # Prefetched (ORDER_DETAIL_PREFETCH); a just-placed order is marked as having none.
        return list(order.shipments.all())

    # Nested parts read the same order: each sub-schema picks its own attributes.
    @staticmethod
    def resolve_shipping_address(order: Order) -> Order:
        return order

    @staticmethod
    def resolve_invoice(order: Order) -> Order:
        return order

    @staticmethod
    def resolve_payment(order: Order) -> Order:
        return order

    @staticmethod
    def resolve_lines(order: Order) -> list[Any]:
        # .all(), not a query of its own: a just-placed order carries the lines it saved and
        # get_order prefetches them, so the answer to POST /orders costs no extra query.
        return list(order.lines.all())


class OrderPage(PageMeta):
    items: list[OrderSummaryOut]


class OrderQuery(PageQuery):
    status: OrderStatusValue | None = None
    source: OrderSourceValue | None = None
    created_from: IsoDate | None = Field(
        None, description="Placed on or after this day (site time zone, UTC by default)."
    )
    created_to: IsoDate | None = Field(
        None, description="Placed on or before this day (site time zone, UTC by default)."
    )
    reference: Text | None = Field(None, max_length=64, description="Exact reference number.")


# --- Helpers ------------------------------------------------------------------------------


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


@router.get(
    "/orders",
    response={200: OrderPage, **errors(403, 422)},
    operation_id="listOrders",
    summary="Your orders",
)
def list_orders(request: HttpRequest, query: Query[OrderQuery]):
    """Your orders, newest first. Fetch one order for its lines and invoice."""
    # The same FilterSet as the portal, back office and exports, so a status, source or date
    # means the same everywhere. The schema has already validated the values.
    filters = query.model_dump(
        include={"status", "source", "created_from", "created_to"}, exclude_none=True
    )
    orders = OrderFilter(filters, queryset=order_list(reseller=ordering_reseller(request))).qs
    if query.reference:
        orders = orders.filter(reference_number=query.reference)
    return paginate(orders, query)


@router.post(
    "/orders",
    response={201: OrderOut, **errors(400, 403, 409, 413, 415, 422)},
    operation_id="createOrder",
    summary="Place an order",
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
        "first answer instead of placing another order. Generate a new random key (a UUID4) "
        "for each order; reuse it only to retry that same order.",
        # `example`, not a list of `examples`: OpenAPI 3.1 wants a parameter's `examples` as a
        # map, and ninja would copy a list there (clients could not be generated).
        example="3b0e5c4a-8d2f-4e61-b7a9-c15f0d9e2a73",
    ),
):
    """Place an order at your channel's prices. The answer includes the invoice (subtotal,
    shipping, fees, discounts, total, each line's label) and the payment capture decision."""
    reseller = ordering_reseller(request)
    order_request = _order_request(payload)

    def place(before_commit):
        # An integration placed it, not a person: the order shows source "api" (or
        # "inventory_source") and the system as its actor, not whoever issued the key.
        return order_place(
            reseller=reseller, request=order_request, actor=None, before_commit=before_commit
        )

    def render(order: Order) -> str:
        # A new order has no shipments yet: say so instead of querying for them.
        order._prefetched_objects_cache["shipments"] = order.shipments.none()
        body = OrderOut.model_validate(order).model_dump()
        return renderer.render(request, body, response_status=201)

    result = apikey_services.api_idempotent(
        reseller=reseller,
        run=place,
        render=render,
        idempotency_key=idempotency_key,
        # Only a request that can be retried under a key needs its body compared.
        fingerprint=_fingerprint(payload) if idempotency_key else "",
    )
    response = HttpResponse(
        result.body,
        status=result.status_code,
        content_type=f"{renderer.media_type}; charset={renderer.charset}",
    )
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/orders/{order_id}",
    response={200: OrderOut, **errors(403, 404, 422)},
    operation_id="getOrder",
    summary="One order",
)
def get_order(request: HttpRequest, order_id: int = Path(..., ge=1, le=2**63 - 1)):
    """One of your orders with its lines, invoice and payment. Another account's order is 404."""
    reseller = ordering_reseller(request)
    try:
        order = order_get(reseller=reseller, pk=order_id)
    except Order.DoesNotExist as error:
        raise HttpError(404, f"You have no order with id {order_id}.") from error
    # In id order: the models' default ordering is (order, id); shipments by shipped time.
    prefetch_related_objects([order], *ORDER_DETAIL_PREFETCH)
    return order
