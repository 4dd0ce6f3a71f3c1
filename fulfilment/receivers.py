"""What fulfilment does when orders (below it) say something happened.

Connected in FulfilmentConfig.ready(). Each receiver runs inside the sender's transaction and
only writes rows (the e-mails owed); the sending happens after commit.
"""

from __future__ import annotations

from orders.choices import OrderStatus, PaymentStatus
from orders.signals import order_placed, order_status_changed

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


def connect() -> None:
    order_placed.connect(on_order_placed, dispatch_uid="fulfilment.order_placed")
    order_status_changed.connect(
        on_order_status_changed, dispatch_uid="fulfilment.order_status_changed"
    )
    # Capture on shipment is the payments app's receiver of shipment_created.
