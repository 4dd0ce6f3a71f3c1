"""Payment actions after placement: staff record a capture, a reseller authorizes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.choices import CaptureMode, OrderStatus, PaymentStatus
from orders.models import Order, OrderEvent
from orders.payments import (
    PaymentNotAllowed,
    PaymentReceipt,
    payment_authorize,
    payment_capture,
)
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def order_for(reseller, **fields) -> Order:
    fields.setdefault("total", Decimal("42.00"))
    return OrderFactory(reseller=reseller, channel=reseller.channel, **fields)


def capture_url(order: Order) -> str:
    return reverse("backoffice:order_record_capture", args=[order.pk])


def authorize_url(order: Order) -> str:
    return reverse("portal:order_authorize_payment", args=[order.pk])


CAPTURE_CASES = [
    # (capture mode, payment status, order status, allowed)
    (CaptureMode.CAPTURE_NOW, PaymentStatus.AWAITING_CAPTURE, OrderStatus.OPEN, True),
    (CaptureMode.DEFERRED, PaymentStatus.ON_TERMS, OrderStatus.OPEN, True),
    (CaptureMode.RESELLER_AUTHORIZATION, PaymentStatus.AUTHORIZED, OrderStatus.OPEN, True),
    (CaptureMode.ON_SHIPMENT, PaymentStatus.AUTHORIZED, OrderStatus.SHIPPED, True),
    (CaptureMode.ON_SHIPMENT, PaymentStatus.AUTHORIZED, OrderStatus.OPEN, False),
    (CaptureMode.CAPTURE_NOW, PaymentStatus.CAPTURED, OrderStatus.OPEN, False),
    (CaptureMode.RESELLER_AUTHORIZATION, PaymentStatus.AWAITING_AUTHORIZATION, "open", False),
    (CaptureMode.CAPTURE_NOW, PaymentStatus.AWAITING_CAPTURE, OrderStatus.CANCELED, False),
    (CaptureMode.CAPTURE_NOW, PaymentStatus.VOIDED, OrderStatus.OPEN, False),
]


@pytest.mark.parametrize(("mode", "payment", "status", "allowed"), CAPTURE_CASES)
def test_staff_record_a_capture_only_when_the_order_awaits_one(
    staff_client, staff, reseller, mode, payment, status, allowed
):
    order = order_for(reseller, capture_mode=mode, payment_status=payment, status=status)

    response = staff_client.post(capture_url(order), follow=True)

    order.refresh_from_db()
    events = OrderEvent.objects.filter(order=order, kind="payment_captured")
    if allowed:
        assert order.payment_status == PaymentStatus.CAPTURED
        event = events.get()
        assert (event.actor, event.from_status, event.to_status) == (staff, payment, "captured")
        assert "42.00" in event.message and "Reference OFFLINE-" in event.message
        assert event.message.startswith("Capture of 42.00 USD recorded (offline, no gateway).")
        assert "Capture of 42.00 USD recorded" in response.content.decode()
    else:
        assert order.payment_status == payment
        assert not events.exists()
        assert "message-error" in response.content.decode()


def test_the_order_page_offers_record_capture_with_a_confirmation(staff_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)

    page = staff_client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()

    assert f'action="{capture_url(order)}"' in page
    assert 'data-confirm="Record the capture of 42.00 USD' in page
    assert ">Record capture</button>" in page


def test_an_order_captured_on_shipment_says_to_ship_first(staff_client, reseller):
    order = order_for(
        reseller, capture_mode=CaptureMode.ON_SHIPMENT, payment_status=PaymentStatus.AUTHORIZED
    )

    page = staff_client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()

    assert ">Record capture</button>" not in page
    assert "ship the order first" in page


def test_a_reseller_cannot_record_a_capture(reseller_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)

    assert reseller_client.post(capture_url(order)).status_code == 403
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AWAITING_CAPTURE


def test_record_capture_only_accepts_post(staff_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)

    assert staff_client.get(capture_url(order)).status_code == 405


def test_authorize_payment_only_accepts_post(reseller_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_AUTHORIZATION)

    assert reseller_client.get(authorize_url(order)).status_code == 405


def test_a_reseller_authorizes_its_own_order(reseller_client, reseller_with_user):
    reseller, user = reseller_with_user
    order = order_for(
        reseller,
        capture_mode=CaptureMode.RESELLER_AUTHORIZATION,
        payment_status=PaymentStatus.AWAITING_AUTHORIZATION,
    )
    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()
    assert ">Authorize payment</button>" in page
    assert 'data-confirm="Authorize the payment of 42.00 USD' in page

    response = reseller_client.post(authorize_url(order), follow=True)

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AUTHORIZED
    event = OrderEvent.objects.get(order=order, kind="payment_authorized")
    assert event.actor == user
    assert "is authorized" in response.content.decode()


def test_a_reseller_cannot_authorize_another_resellers_order(
    reseller_client, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    order = order_for(other, payment_status=PaymentStatus.AWAITING_AUTHORIZATION)

    response = reseller_client.post(authorize_url(order))

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AWAITING_AUTHORIZATION
    assert not OrderEvent.objects.filter(order=order).exists()


@pytest.mark.parametrize(
    "payment", [PaymentStatus.AWAITING_CAPTURE, PaymentStatus.CAPTURED, PaymentStatus.AUTHORIZED]
)
def test_authorizing_an_order_that_does_not_need_it_is_refused(reseller_client, reseller, payment):
    order = order_for(reseller, payment_status=payment)

    page = reseller_client.post(authorize_url(order), follow=True).content.decode()

    order.refresh_from_db()
    assert order.payment_status == payment
    assert "does not need your authorization" in page


def test_the_portal_never_shows_the_staff_capture_button(reseller_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)

    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()

    assert "Record capture" not in page


def test_capturing_twice_is_refused_by_the_service(staff, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)
    payment_capture(order=order, actor=staff)

    with pytest.raises(PaymentNotAllowed, match="already captured"):
        payment_capture(order=order, actor=staff)

    assert OrderEvent.objects.filter(order=order, kind="payment_captured").count() == 1


class RecordingGateway:
    """A gateway that only moves (pretend) money: the services must still keep the history."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Decimal]] = []

    def capture(self, *, order, amount, actor) -> PaymentReceipt:
        self.calls.append(("capture", amount))
        return PaymentReceipt(reference=f"TEST-CAPTURE-{order.pk}", amount=amount)

    def authorize(self, *, order, amount, actor) -> PaymentReceipt:
        self.calls.append(("authorize", amount))
        return PaymentReceipt(reference=f"TEST-AUTHORIZE-{order.pk}", amount=amount)


def test_the_services_go_through_the_gateway_they_are_given(staff, reseller):
    gateway = RecordingGateway()
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_AUTHORIZATION)

    payment_authorize(order=order, actor=None, gateway=gateway)
    payment_capture(order=order, actor=staff, gateway=gateway)

    assert gateway.calls == [("authorize", Decimal("42.00")), ("capture", Decimal("42.00"))]
    assert order.payment_status == PaymentStatus.CAPTURED
    authorized = OrderEvent.objects.get(order=order, kind="payment_authorized")
    assert (authorized.actor, authorized.from_status, authorized.to_status) == (
        None,
        PaymentStatus.AWAITING_AUTHORIZATION,
        PaymentStatus.AUTHORIZED,
    )
    assert authorized.message == (
        f"Payment of 42.00 USD authorized by the reseller. Reference TEST-AUTHORIZE-{order.pk}."
    )
    captured = OrderEvent.objects.get(order=order, kind="payment_captured")
    assert (captured.actor, captured.from_status, captured.to_status) == (
        staff,
        PaymentStatus.AUTHORIZED,
        PaymentStatus.CAPTURED,
    )
    assert captured.message == f"Capture of 42.00 USD recorded. Reference TEST-CAPTURE-{order.pk}."


@pytest.mark.parametrize("audience", ["portal", "", None])
def test_the_invoice_hides_supplier_internals_unless_the_page_says_back_office(audience):
    from orders.templatetags.orders_invoice import invoice_view

    order = OrderFactory()

    assert invoice_view(order, "backoffice")["show_rule_names"] is True
    shown = invoice_view(order, audience)
    assert shown["show_rule_names"] is False
    assert shown["staff_actions"] is False
