"""What fulfilment does when orders (below it) say something happened.

Connected in FulfilmentConfig.ready(). Each receiver runs inside the sender's transaction and
only writes rows (the e-mails owed); the sending happens after commit.
"""

from __future__ import annotations

from django.apps import apps

from orders.choices import CaptureMode, OrderStatus, PaymentStatus
from orders.signals import order_placed, order_status_changed, shipment_created

from .choices import OrderEmailKind
from .emails import order_emails_enqueue
from .models import OrderEmail


def on_order_placed(*, order, **kwargs) -> None:
    # One e-mail, not two at once: an order whose payment needs the reseller's authorization
    # gets the e-mail that says it was received and asks for the authorization.
    kind = (
        OrderEmailKind.AUTHORIZATION_NEEDED
        if order.payment_status == PaymentStatus.AWAITING_AUTHORIZATION
        else OrderEmailKind.RECEIVED
    )
    order_emails_enqueue([OrderEmail(order=order, kind=kind)])


def on_order_status_changed(*, order, to_status, **kwargs) -> None:
    if to_status == OrderStatus.CANCELED:
        order_emails_enqueue([OrderEmail(order=order, kind=OrderEmailKind.CANCELED)])


def capture_on_final_shipment(*, order, final, actor, **kwargs) -> None:
    """Without the payments app: when the last unit of a capture-on-shipment order ships,
    record the capture exactly as staff's **Record capture** does (orders.payments)."""
    if not final or order.capture_mode != CaptureMode.ON_SHIPMENT:
        return
    from orders.payments import capture_refusal, payment_capture

    order.refresh_from_db(fields=["status", "payment_status"])
    if capture_refusal(order):
        return  # not capturable (awaiting the reseller's authorization, already captured)
    payment_capture(order=order, actor=actor)


def connect() -> None:
    order_placed.connect(on_order_placed, dispatch_uid="fulfilment.order_placed")
    order_status_changed.connect(
        on_order_status_changed, dispatch_uid="fulfilment.order_status_changed"
    )
    # The payments app captures on shipment_created itself; connecting this as well would
    # capture twice. The signal is the seam either way.
    if not apps.is_installed("payments"):
        shipment_created.connect(
            capture_on_final_shipment, dispatch_uid="fulfilment.capture_on_final_shipment"
        )
