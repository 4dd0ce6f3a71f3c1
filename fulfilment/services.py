"""Shipments and cancellations: the writes of the fulfilment app.

Every shipment, whichever way it arrives (Add shipment, Import tracking, the API), goes
through `_record`, which saves the shipments and their lines, consumes the stock, moves each
order's status through orders.services, writes the history and the e-mails, and sends
`orders.signals.shipment_created` once per shipment inside the transaction (payments captures
on it). A tracking file of 10,000 rows runs in a fixed number of queries per 900 orders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from channels.services import stock_consume, stock_release
from orders import signals
from orders.choices import OrderStatus
from orders.events import remainder_canceled_event, shipment_added_event
from orders.exceptions import OrderTransitionNotAllowed
from orders.models import Order, OrderEvent, OrderLine
from orders.services import order_transition, orders_transition
from orders.signals import shipment_created

from .carriers import carrier_name, tracking_url_for
from .choices import OrderEmailKind
from .emails import order_emails_enqueue
from .exceptions import CancelNotAllowed, ShipmentInvalid
from .models import OrderEmail, Shipment, ShipmentLine

CHUNK = 900  # ids per query: under every database's limit on query parameters


@dataclass
class OrderState:
    """A locked order, its lines and what each has shipped so far."""

    order: Order
    lines: list[OrderLine]
    shipped: dict[int, int] = field(default_factory=dict)  # order line id -> units

    def left(self, line: OrderLine) -> int:
        return line.quantity - line.quantity_canceled - self.shipped.get(line.pk, 0)

    @property
    def anything_left(self) -> bool:
        return any(self.left(line) > 0 for line in self.lines)

    @property
    def anything_shipped(self) -> bool:
        return any(self.shipped.values())


@dataclass
class ShipmentPlan:
    """A shipment that passed every check, about to be saved."""

    order_id: int
    carrier: str
    service: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime
    quantities: dict[int, int]  # order line id -> units


def order_states(order_ids: list[int], *, lock: bool = True) -> dict[int, OrderState]:
    """Orders (locked when `lock`), their lines and shipped units: three queries per CHUNK.

    The lock is the race guard for shipping: two staff members (or an import and a form)
    shipping the same order's last units would both see them left; the second waits here and
    then sees them shipped.
    """
    states: dict[int, OrderState] = {}
    ids = sorted(set(order_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        orders = Order.objects.filter(pk__in=chunk).order_by("pk")
        if lock:
            orders = orders.select_for_update()
        for order in orders:
            states[order.pk] = OrderState(order=order, lines=[])
        for line in OrderLine.objects.filter(order_id__in=chunk).order_by("order_id", "id"):
            states[line.order_id].lines.append(line)
        shipped = (
            ShipmentLine.objects.filter(order_line__order_id__in=chunk)
            .values("order_line_id", "order_line__order_id")
            .annotate(units=Sum("quantity"))
        )
        for row in shipped:
            states[row["order_line__order_id"]].shipped[row["order_line_id"]] = row["units"]
    return states


def shipping_refusal(order: Order) -> str:
    """Why this order cannot ship now, or ""."""
    if order.status == OrderStatus.CANCELED:
        return f"Order {order.number} is canceled; a canceled order cannot be shipped."
    if order.status == OrderStatus.ON_HOLD:
        return f"Order {order.number} is on hold; release it before shipping."
    if order.status in (OrderStatus.SHIPPED, OrderStatus.CLOSED):
        return f"Order {order.number} has shipped in full; nothing is left to ship."
    return ""


def _field_lengths() -> dict[str, int]:
    return {
        name: Shipment._meta.get_field(name).max_length
        for name in ("carrier", "service", "tracking_number", "tracking_url")
    }


def shipment_field_errors(
    *, carrier: str, service: str, tracking_number: str, tracking_url: str
) -> list[tuple[str, str]]:
    """Problems with a shipment's carrier and tracking fields, as (path, message) pairs."""
    errors: list[tuple[str, str]] = []
    values = {
        "carrier": carrier,
        "service": service,
        "tracking_number": tracking_number,
        "tracking_url": tracking_url,
    }
    labels = {
        "carrier": "Carrier",
        "service": "Service",
        "tracking_number": "Tracking number",
        "tracking_url": "Tracking URL",
    }
    if not carrier:
        errors.append(("carrier", "Carrier is required, e.g. UPS, USPS, FedEx or DHL."))
    if not tracking_number:
        errors.append(("tracking_number", "Tracking number is required."))
    for name, limit in _field_lengths().items():
        if len(values[name]) > limit:
            errors.append((name, f"{labels[name]} must be at most {limit} characters."))
    if tracking_url and not tracking_url.lower().startswith(("https://", "http://")):
        errors.append(("tracking_url", "Tracking URL must start with https:// or http://."))
    return errors


@transaction.atomic
def shipment_create(
    *,
    order: Order,
    carrier: str,
    tracking_number: str,
    actor: User | None,
    service: str = "",
    tracking_url: str = "",
    shipped_at: datetime | None = None,
    quantities: dict[int, int] | None = None,
) -> Shipment:
    """Record one shipment of an order. `quantities` maps order line id -> units; None ships
    everything that is left. Over-shipping, and shipping a canceled or on-hold order, are
    refused with ShipmentInvalid naming each problem."""
    state = order_states([order.pk])[order.pk]
    refusal = shipping_refusal(state.order)
    if refusal:
        raise ShipmentInvalid([("lines", refusal)])
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    service, tracking_url = service.strip(), tracking_url.strip()
    errors = shipment_field_errors(
        carrier=carrier, service=service, tracking_number=tracking_number, tracking_url=tracking_url
    )
    if quantities is None:
        quantities = {line.pk: state.left(line) for line in state.lines if state.left(line) > 0}
    line_ids = {line.pk for line in state.lines}
    if set(quantities) - line_ids:
        errors.append(("lines", "Ship only lines of this order."))
    for index, line in enumerate(state.lines):
        units = quantities.get(line.pk, 0)
        if units < 0:
            errors.append((f"lines[{index}].quantity", f"{line.sku}: quantity cannot be negative."))
        elif units > state.left(line):
            errors.append(
                (
                    f"lines[{index}].quantity",
                    f"{line.sku}: {state.left(line):,} left to ship, {units:,} requested.",
                )
            )
    if not any(units > 0 for units in quantities.values()):
        errors.append(("lines", "Enter a quantity for at least one line."))
    if errors:
        raise ShipmentInvalid(errors)
    plan = ShipmentPlan(
        order_id=order.pk,
        carrier=carrier,
        service=service,
        tracking_number=tracking_number,
        tracking_url=tracking_url,
        shipped_at=shipped_at or timezone.now(),
        quantities={line_id: units for line_id, units in quantities.items() if units > 0},
    )
    shipment = record_shipments(plans=[plan], states={order.pk: state}, actor=actor)[0]
    order.refresh_from_db()
    return shipment


def record_shipments(
    *, plans: list[ShipmentPlan], states: dict[int, OrderState], actor: User | None
) -> list[Shipment]:
    """Save checked shipments with everything that follows from them (see the module doc).

    Runs inside the caller's transaction, with the orders in `states` locked.
    """
    with signals.batch():
        return _record_shipments(plans=plans, states=states, actor=actor)


def _record_shipments(
    *, plans: list[ShipmentPlan], states: dict[int, OrderState], actor: User | None
) -> list[Shipment]:
    shipments = [
        Shipment(
            order=states[plan.order_id].order,
            carrier=carrier_name(plan.carrier),
            service=plan.service,
            tracking_number=plan.tracking_number,
            tracking_url=plan.tracking_url or tracking_url_for(plan.carrier, plan.tracking_number),
            shipped_at=plan.shipped_at,
            created_by=actor,
        )
        for plan in plans
    ]
    Shipment.objects.bulk_create(shipments, batch_size=500)
    lines_by_id = {line.pk: line for state in states.values() for line in state.lines}
    shipment_lines: list[ShipmentLine] = []
    consumed: dict[int, int] = defaultdict(int)
    outcomes: list[tuple[Shipment, Decimal, bool]] = []
    events: list[OrderEvent] = []
    for plan, shipment in zip(plans, shipments, strict=True):
        state = states[plan.order_id]
        amount = Decimal("0.00")
        for line_id, units in plan.quantities.items():
            line = lines_by_id[line_id]
            shipment_lines.append(ShipmentLine(shipment=shipment, order_line=line, quantity=units))
            state.shipped[line_id] = state.shipped.get(line_id, 0) + units
            if line.product_id is not None:
                consumed[line.product_id] += units
            amount += line.unit_price * units
        final = not state.anything_left
        outcomes.append((shipment, amount, final))
        units_total = sum(plan.quantities.values())
        events.append(
            shipment_added_event(
                order=state.order,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                units=units_total,
                actor=actor,
            )
        )
    ShipmentLine.objects.bulk_create(shipment_lines, batch_size=500)
    stock_consume(quantities=dict(consumed))
    OrderEvent.objects.bulk_create(events, batch_size=500)

    touched = {plan.order_id: states[plan.order_id] for plan in plans}
    targets = {
        order_id: OrderStatus.PARTIALLY_SHIPPED if state.anything_left else OrderStatus.SHIPPED
        for order_id, state in touched.items()
    }
    moving = [
        state.order
        for order_id, state in touched.items()
        if state.order.status != targets[order_id]
    ]
    orders_transition(orders=moving, to_status=targets, actor=actor)
    moved = {order.pk for order in moving}
    staying = [order_id for order_id in touched if order_id not in moved]
    now = timezone.now()
    for start in range(0, len(staying), CHUNK):
        Order.objects.filter(pk__in=staying[start : start + CHUNK]).update(updated_at=now)

    order_emails_enqueue(
        [
            OrderEmail(
                order=shipment.order,
                kind=OrderEmailKind.SHIPPED,
                shipment=shipment,
                final=final,
            )
            for shipment, _amount, final in outcomes
        ]
    )
    for shipment, amount, final in outcomes:
        shipment_created.send(
            sender=Shipment,
            order=shipment.order,
            shipment=shipment,
            amount=amount,
            final=final,
            actor=actor,
        )
    return shipments


# --- Cancellations ------------------------------------------------------------------------


def cancel_refusal(order: Order, *, by_reseller: bool, now: datetime | None = None) -> str:
    """Why this order cannot be canceled (by its reseller, or by staff), or ""."""
    if order.status == OrderStatus.CANCELED:
        return f"Order {order.number} is already canceled."
    if order.status in (OrderStatus.SHIPPED, OrderStatus.CLOSED):
        return f"Order {order.number} has shipped, so it cannot be canceled."
    if order.status == OrderStatus.PARTIALLY_SHIPPED and by_reseller:
        return (
            f"Part of order {order.number} has shipped, so it cannot be canceled. "
            "Contact us to cancel what has not shipped."
        )
    window = order.channel.cancel_window_hours
    if by_reseller and window is not None:
        deadline = order.created_at + timedelta(hours=window)
        if (now or timezone.now()) > deadline:
            return (
                f"Orders can be canceled within {window} hour{'s' if window != 1 else ''} "
                f"of placing them; order {order.number} is past that. Contact us instead."
            )
    return ""


@transaction.atomic
def order_cancel(
    *, order: Order, actor: User | None, reason: str = "", by_reseller: bool = False
) -> Order:
    """Cancel an order that has not shipped (the reseller, within its channel's window, or
    staff), or — staff only — what is left of a partially shipped one.

    The stock goes back on the shelf and `order_status_changed` tells payments to void or
    refund; the reseller gets the canceled e-mail.
    """
    locked = Order.objects.select_for_update().select_related("channel").get(pk=order.pk)
    refusal = cancel_refusal(locked, by_reseller=by_reseller)
    if refusal:
        raise CancelNotAllowed(refusal)
    reason = reason.strip()
    if not by_reseller and not reason:
        raise CancelNotAllowed("Give a reason: the reseller sees it on the order.")
    if locked.status == OrderStatus.PARTIALLY_SHIPPED:
        _cancel_remainder(locked, actor=actor, reason=reason)
    else:
        try:
            order_transition(
                order=locked,
                to_status=OrderStatus.CANCELED,
                actor=actor,
                message=reason or "Canceled by the reseller.",
            )
        except OrderTransitionNotAllowed as error:
            raise CancelNotAllowed(str(error)) from error
        # The canceled e-mail is written by the order_status_changed receiver (receivers.py),
        # so a cancel from anywhere sends it.
    order.refresh_from_db()
    return order


def _cancel_remainder(order: Order, *, actor: User | None, reason: str) -> None:
    state = order_states([order.pk])[order.pk]
    released: dict[int, int] = defaultdict(int)
    changed: list[OrderLine] = []
    for line in state.lines:
        left = state.left(line)
        if left > 0:
            line.quantity_canceled += left
            changed.append(line)
            if line.product_id is not None:
                released[line.product_id] += left
    OrderLine.objects.bulk_update(changed, ["quantity_canceled"])
    stock_release(quantities=dict(released))
    units = sum(released.values())
    remainder_canceled_event(order=order, units=units, reason=reason, actor=actor)
    order_transition(order=order, to_status=OrderStatus.SHIPPED, actor=actor, message=reason)
    order_emails_enqueue([OrderEmail(order=order, kind=OrderEmailKind.CANCELED)])
