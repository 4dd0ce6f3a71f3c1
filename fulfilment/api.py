"""Fulfilment's part of the JSON API: shipments to poll, and canceling an order."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Annotated

from django.db.models import Q, prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

from core.api import errors, ordering_reseller
from orders.api import ORDER_DETAIL_PREFETCH, OrderOut, ShipmentOut
from orders.models import Order
from orders.selectors import order_get

from .exceptions import CancelNotAllowed
from .selectors import shipment_list
from .services import order_cancel

router = Router(tags=["Shipments"])

ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def _iso_datetime_only(value: object) -> object:
    # pydantic would also take a Unix timestamp ("0.5"); the documented format is ISO 8601.
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_DATETIME.match(value)):
        return value
    raise ValueError("must be a time in ISO 8601, e.g. 2026-01-31T09:30:00Z")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime_only)]

MAX_PAGE = 500


class ShipmentQuery(Schema):
    updated_since: IsoDateTime | None = Field(
        None,
        description="Only shipments created or changed at or after this time (ISO 8601). "
        "Poll with the time of your last successful run.",
    )
    cursor: str | None = Field(
        None, max_length=200, description="`next_cursor` from the previous page."
    )
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="Shipments per page.")


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class CancelIn(Schema):
    reason: str = Field("", max_length=500, description="Why; shown on the order.")


def _encode_cursor(shipment) -> str:
    raw = f"{shipment.updated_at.isoformat()}|{shipment.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        updated_at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(updated_at), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise HttpError(
            422, "The cursor is not one this API gave out; start again without it."
        ) from error


@router.get(
    "/shipments",
    response={200: ShipmentPage, **errors(403, 422)},
    operation_id="listShipments",
    summary="Your shipments, oldest change first",
)
def list_shipments(request: HttpRequest, query: Query[ShipmentQuery]):
    """Shipments of your orders with tracking, ordered by when they last changed (oldest
    first), so an integration can poll with `updated_since` and follow `next_cursor` until it
    is null. Cursor pagination: a shipment changing mid-walk is not skipped."""
    shipments = shipment_list(reseller=ordering_reseller(request))
    if query.updated_since is not None:
        shipments = shipments.filter(updated_at__gte=query.updated_since)
    if query.cursor:
        updated_at, pk = _decode_cursor(query.cursor)
        shipments = shipments.filter(
            Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=pk)
        )
    page = list(shipments.order_by("updated_at", "pk")[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    return {"items": page, "next_cursor": _encode_cursor(page[-1]) if more else None}


@router.post(
    "/orders/{order_id}/cancel",
    response={200: OrderOut, **errors(400, 403, 404, 409, 413, 422)},
    operation_id="cancelOrder",
    summary="Cancel an order",
    tags=["Orders"],
)
def cancel_order(
    request: HttpRequest,
    payload: CancelIn | None = None,
    order_id: int = Path(..., ge=1, le=2**63 - 1),
):
    """Cancel one of your orders that has not shipped, within your channel's cancel window.
    Its stock is released and its payment voided or refunded. A shipped (or partly shipped)
    order is `409`, with the reason."""
    reseller = ordering_reseller(request)
    try:
        order = order_get(reseller=reseller, pk=order_id)
    except Order.DoesNotExist as error:
        raise HttpError(404, f"You have no order with id {order_id}.") from error
    try:
        order_cancel(
            order=order,
            actor=None,
            reason=payload.reason if payload else "",
            by_reseller=True,
        )
    except CancelNotAllowed as error:
        raise HttpError(409, str(error)) from error
    prefetch_related_objects([order], *ORDER_DETAIL_PREFETCH)
    return order
