"""The offline gateway (no STRIPE_SECRET_KEY): payment by invoice, every step on the record."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.choices import CaptureMode, OrderStatus, PaymentStatus
from orders.models import Order
from payments.choices import AttemptKind, AttemptStatus
from payments.exceptions import PaymentNotAllowed
from payments.models import PaymentAttempt
from payments.services import payment_capture, payment_mark_paid, payment_refund
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def order_for(reseller, **fields) -> Order:
    fields.setdefault("total", Decimal("42.00"))
    return OrderFactory(reseller=reseller, channel=reseller.channel, **fields)


def capture_url(order: Order) -> str:
    return reverse("backoffice:order_payment_capture", args=[order.pk])


def authorize_url(order: Order) -> str:
    return reverse("portal:order_authorize_payment", args=[order.pk])


CAPTURE_CASES = [
    # (capture mode, payment status, order status, allowed)
    (CaptureMode.CAPTURE_NOW, PaymentStatus.AWAITING_CAPTURE, OrderStatus.OPEN, True),
    (CaptureMode.RESELLER_AUTHORIZATION, PaymentStatus.AUTHORIZED, OrderStatus.OPEN, True),
    (CaptureMode.ON_SHIPMENT, PaymentStatus.AUTHORIZED, OrderStatus.SHIPPED, True),
    (CaptureMode.ON_SHIPMENT, PaymentStatus.AUTHORIZED, OrderStatus.OPEN, False),
    (CaptureMode.DEFERRED, PaymentStatus.ON_TERMS, OrderStatus.OPEN, False),
    (CaptureMode.CAPTURE_NOW, PaymentStatus.CAPTURED, OrderStatus.OPEN, False),
    (CaptureMode.RESELLER_AUTHORIZATION, PaymentStatus.AWAITING_AUTHORIZATION, "open", False),
    (CaptureMode.CAPTURE_NOW, PaymentStatus.AWAITING_CAPTURE, OrderStatus.CANCELED, False),
    (CaptureMode.CAPTURE_NOW, PaymentStatus.VOIDED, OrderStatus.OPEN, False),
]


@pytest.mark.parametrize(("mode", "payment", "status", "allowed"), CAPTURE_CASES)
def test_staff_capture_only_when_the_order_awaits_one(
    staff_client, staff, reseller, mode, payment, status, allowed
):
    order = order_for(reseller, capture_mode=mode, payment_status=payment, status=status)

    response = staff_client.post(capture_url(order), follow=True)

    order.refresh_from_db()
    attempts = PaymentAttempt.objects.filter(order=order, kind=AttemptKind.CAPTURE)
    if allowed:
        assert order.payment_status == PaymentStatus.CAPTURED
        assert order.amount_captured == Decimal("42.00")
        attempt = attempts.get()
        assert (attempt.actor, attempt.status, attempt.gateway) == (staff, "succeeded", "offline")
        assert attempt.reference.startswith("OFFLINE-")
        assert attempt.error_message == "offline, no gateway"
        assert f"Capture requested for order {order.number}: Captured." in (
            response.content.decode()
        )
    else:
        assert order.payment_status == payment
        assert not attempts.exists()
        assert "message-error" in response.content.decode()


def test_the_order_page_offers_capture_with_a_confirmation(staff_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)

    page = staff_client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()

    assert f'action="{capture_url(order)}"' in page
    assert f'data-confirm="Capture the payment for order {order.number}?"' in page
    assert ">Capture</button>" in page
    assert ">Mark paid</button>" in page


def test_an_order_captured_on_shipment_says_to_ship_first(staff_client, reseller):
    order = order_for(
        reseller, capture_mode=CaptureMode.ON_SHIPMENT, payment_status=PaymentStatus.AUTHORIZED
    )

    page = staff_client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()

    assert ">Capture</button>" not in page
    assert "ship the order first" in page


def test_a_reseller_cannot_capture(reseller_client, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)

    assert reseller_client.post(capture_url(order)).status_code == 403
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AWAITING_CAPTURE


def test_capture_only_accepts_post(staff_client, reseller):
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
    assert "Payment is by invoice." in page

    response = reseller_client.post(authorize_url(order), follow=True)

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AUTHORIZED
    attempt = PaymentAttempt.objects.get(order=order)
    assert (attempt.kind, attempt.status, attempt.actor) == ("authorize", "succeeded", user)
    assert f"Payment for order {order.number} authorized: Authorized." in (
        response.content.decode()
    )


def test_a_reseller_cannot_authorize_another_resellers_order(
    reseller_client, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    order = order_for(other, payment_status=PaymentStatus.AWAITING_AUTHORIZATION)

    response = reseller_client.post(authorize_url(order))

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.AWAITING_AUTHORIZATION
    assert not PaymentAttempt.objects.filter(order=order).exists()


@pytest.mark.parametrize(
    "payment", [PaymentStatus.AWAITING_CAPTURE, PaymentStatus.CAPTURED, PaymentStatus.AUTHORIZED]
)
def test_authorizing_an_order_that_does_not_need_it_is_refused(reseller_client, reseller, payment):
    order = order_for(reseller, payment_status=payment)

    page = reseller_client.post(authorize_url(order), follow=True).content.decode()

    order.refresh_from_db()
    assert order.payment_status == payment
    assert "does not need your authorization" in page


def test_the_portal_never_shows_the_staff_buttons(reseller_client, reseller):
    order = order_for(
        reseller,
        payment_status=PaymentStatus.CAPTURED,
        amount_captured=Decimal("42.00"),
    )

    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()

    assert ">Capture</button>" not in page
    assert ">Refund</button>" not in page
    assert ">Mark paid</button>" not in page


def test_capturing_twice_is_refused_by_the_service(staff, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.AWAITING_CAPTURE)
    payment_capture(order=order, actor=staff)

    with pytest.raises(PaymentNotAllowed, match="already captured"):
        payment_capture(order=order, actor=staff)

    assert PaymentAttempt.objects.filter(order=order, kind="capture").count() == 1


def test_staff_mark_an_order_on_terms_paid(staff_client, staff, reseller):
    order = order_for(reseller, capture_mode=CaptureMode.DEFERRED, payment_status="on_terms")

    staff_client.post(
        reverse("backoffice:order_payment_mark_paid", args=[order.pk]),
        {"reason": "Wire 2026-12-01"},
    )

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("42.00"))
    attempt = PaymentAttempt.objects.get(order=order)
    assert (attempt.gateway, attempt.reason, attempt.actor) == ("offline", "Wire 2026-12-01", staff)


def test_mark_paid_is_refused_once_paid(staff, reseller):
    order = order_for(reseller, payment_status=PaymentStatus.CAPTURED)

    with pytest.raises(PaymentNotAllowed, match="cannot be marked paid"):
        payment_mark_paid(order=order, actor=staff)


def test_staff_refund_part_then_the_rest_with_reasons(staff_client, staff, reseller):
    order = order_for(reseller, payment_status="awaiting_capture")
    payment_capture(order=order, actor=staff)
    url = reverse("backoffice:order_payment_refund", args=[order.pk])

    staff_client.post(url, {"amount": "10.00", "reason": "Damaged mug"})
    order.refresh_from_db()
    assert (order.payment_status, order.amount_refunded) == (
        "partially_refunded",
        Decimal("10.00"),
    )

    page = staff_client.post(url, {"amount": "40.00", "reason": "x"}, follow=True)
    assert "At most 32.00 USD can be refunded." in page.content.decode()

    staff_client.post(url, {"amount": "32.00", "reason": "Returned"})
    order.refresh_from_db()
    assert (order.payment_status, order.amount_refunded) == ("refunded", Decimal("42.00"))
    refunds = PaymentAttempt.objects.filter(order=order, kind="refund").order_by("id")
    assert [(r.amount, r.reason, r.status) for r in refunds] == [
        (Decimal("10.00"), "Damaged mug", AttemptStatus.SUCCEEDED),
        (Decimal("32.00"), "Returned", AttemptStatus.SUCCEEDED),
    ]


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("0", "r", "greater than 0"),
        ("1.005", "r", "at most two decimals"),
        ("5", " ", "Say why you refund"),
    ],
)
def test_a_bad_refund_is_refused_and_changes_nothing(staff, reseller, amount, reason, message):
    order = order_for(reseller, payment_status="awaiting_capture")
    payment_capture(order=order, actor=staff)

    with pytest.raises(PaymentNotAllowed, match=message):
        payment_refund(order=order, actor=staff, amount=Decimal(amount), reason=reason)

    order.refresh_from_db()
    assert (order.payment_status, order.amount_refunded) == ("captured", Decimal("0"))


def test_refund_is_staff_only(reseller_client, reseller):
    order = order_for(reseller, payment_status="captured", amount_captured=Decimal("42.00"))

    response = reseller_client.post(
        reverse("backoffice:order_payment_refund", args=[order.pk]),
        {"amount": "1", "reason": "x"},
    )

    assert response.status_code == 403
    assert not PaymentAttempt.objects.filter(order=order).exists()


@pytest.mark.parametrize("audience", ["portal", "", None])
def test_the_invoice_hides_supplier_internals_unless_the_page_says_back_office(audience):
    from orders.templatetags.orders_invoice import invoice_view
    from payments.templatetags.payments_tags import order_payment

    order = OrderFactory()

    assert invoice_view(order, "backoffice")["show_rule_names"] is True
    assert invoice_view(order, audience)["show_rule_names"] is False
    assert order_payment(order, audience)["staff"] is False
    assert "can_capture" not in order_payment(order, audience)
