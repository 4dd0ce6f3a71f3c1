"""Every Stripe-mode behaviour end to end, against localstripe (a real local Stripe server)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import stripe
from django.urls import reverse

from fulfilment.services import shipment_create
from orders.models import Order
from orders.services import order_transition
from orders.signals import shipment_created
from payments import cards
from payments.choices import AttemptKind, AttemptStatus
from payments.exceptions import CardNotSaved, PaymentNotAllowed
from payments.models import PaymentAttempt, PaymentMethod, PaymentProfile
from payments.services import payment_capture, payment_refund, payment_retry
from tests.payments.localstripe import add_card, capture_rule, captured_minor_units, place

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what the code schedules for after commit (the gateway tasks, eagerly)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def attempts(order: Order, kind: str | None = None):
    rows = PaymentAttempt.objects.filter(order=order).order_by("id")
    return rows.filter(kind=kind) if kind else rows


def test_a_card_is_saved_on_the_resellers_own_customer(stripe_settings, stripe_api, reseller):
    method = add_card(reseller)

    profile = PaymentProfile.objects.get(reseller=reseller)
    assert profile.stripe_customer_id.startswith("cus_")
    assert str(method) == "Visa ending in 4242, expires 12/2030"
    assert method.is_default
    at_stripe = stripe_api.v1.payment_methods.retrieve(method.gateway_id)
    assert at_stripe.customer == profile.stripe_customer_id


def test_the_settings_page_lists_cards_and_offers_add_card(
    stripe_settings, reseller, reseller_client
):
    add_card(reseller)
    add_card(reseller, "4000056655665556", exp_year=2031)  # localstripe calls every card Visa

    page = reseller_client.get(reverse("portal:settings")).content.decode()

    assert "Payment methods" in page
    assert "Visa ending in 4242, expires 12/2030" in page
    assert "Visa ending in 5556, expires 12/2031" in page
    assert ">Make default</button>" in page
    assert ">Add card</a>" in page
    assert "Payment is by invoice" not in page


def test_without_a_stripe_key_settings_say_payment_is_by_invoice(reseller_client):
    page = reseller_client.get(reverse("portal:settings")).content.decode()

    assert "Payment is by invoice" in page
    assert "Add card" not in page


def test_the_add_card_page_loads_stripe_js_and_only_it_may_run(
    stripe_settings, localstripe, reseller_client
):
    response = reseller_client.get(reverse("portal:payment_method_add"))

    page = response.content.decode()
    assert f'<script src="{stripe_settings.STRIPE_JS_URL}" defer></script>' in page
    assert ">Save card</button>" in page
    assert 'data-client-secret="seti_' in page
    policy = directives(response)
    assert policy["script-src"] == {"'self'", localstripe["url"]}
    assert policy["connect-src"] == {"'self'", localstripe["url"]}
    assert policy["frame-src"] == {localstripe["url"]}
    assert policy["default-src"] == {"'self'"} and policy["style-src"] == {"'self'"}
    other = directives(reseller_client.get(reverse("portal:settings")))
    assert other["script-src"] == {"'self'"} and "frame-src" not in other


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: set(values)
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_the_real_stripe_js_gets_exactly_stripes_origins(settings):
    from payments.views.portal import card_page_csp_update

    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"

    assert card_page_csp_update() == {
        "script-src": ["https://js.stripe.com"],
        "connect-src": ["https://js.stripe.com", "https://api.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    }


def test_a_declined_card_is_not_saved_and_says_why(stripe_settings, reseller):
    with pytest.raises(stripe.CardError, match="Your card was declined"):
        add_card(reseller, "4000000000000002")

    assert not PaymentMethod.objects.filter(reseller=reseller).exists()


def test_a_setup_intent_of_another_customer_is_refused(
    stripe_settings, reseller, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    add_card(other)
    setup = cards.card_setup_start(reseller=other)

    with pytest.raises(CardNotSaved, match="belongs to someone else"):
        cards.payment_method_save(
            reseller=reseller, setup_intent_id=setup.setup_intent_id, actor=None
        )
    assert not PaymentMethod.objects.filter(reseller=reseller).exists()


def test_capture_now_charges_the_card_at_once(
    stripe_settings, stripe_api, reseller, catalog, after_commit
):
    add_card(reseller)

    with after_commit():
        order = place(reseller)

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    capture = attempts(order).get()
    assert (capture.kind, capture.status, capture.gateway) == ("capture", "succeeded", "stripe")
    intent = stripe_api.v1.payment_intents.retrieve(capture.reference)
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 2500, "usd")
    assert intent.customer == PaymentProfile.objects.get(reseller=reseller).stripe_customer_id
    assert intent.metadata["attempt"] == str(capture.pk)


def test_on_shipment_authorizes_at_placement_and_captures_when_shipped(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)

    with after_commit():
        order = place(reseller)
    order.refresh_from_db()
    authorization = attempts(order).get()
    assert order.payment_status == "authorized"
    assert stripe_api.v1.payment_intents.retrieve(authorization.reference).status == (
        "requires_capture"
    )

    with after_commit():
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    capture = attempts(order, AttemptKind.CAPTURE).get()
    assert (capture.parent_id, capture.status, capture.actor) == (
        authorization.pk,
        "succeeded",
        staff,
    )
    assert captured_minor_units(stripe_api, authorization.reference) == 2500


def test_a_partial_shipment_captures_its_part_and_holds_the_rest_again(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with after_commit():
        order = place(reseller, quantity=4)  # 50.00
    first = attempts(order).get()
    order.refresh_from_db()  # the sender passes the current, locked row

    with after_commit():
        shipment_created.send(
            sender=Order,
            order=order,
            shipment=None,
            amount=Decimal("20.00"),
            final=False,
            actor=staff,
        )

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("authorized", Decimal("20.00"))
    assert captured_minor_units(stripe_api, first.reference) == 2000
    hold = attempts(order, AttemptKind.AUTHORIZE).exclude(pk=first.pk).get()
    assert (hold.amount, hold.status) == (Decimal("30.00"), "succeeded")
    assert stripe_api.v1.payment_intents.retrieve(hold.reference).status == "requires_capture"

    with after_commit():
        shipment_created.send(
            sender=Order,
            order=order,
            shipment=None,
            amount=Decimal("30.00"),
            final=True,
            actor=staff,
        )

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("50.00"))
    assert captured_minor_units(stripe_api, hold.reference) == 3000


def test_the_reseller_authorizes_with_a_click(
    stripe_settings, stripe_api, reseller, reseller_client, catalog, after_commit
):
    capture_rule({"type": "capture_reseller_authorization"})
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    order.refresh_from_db()
    assert order.payment_status == "awaiting_authorization"
    assert not attempts(order).exists()

    with after_commit():
        reseller_client.post(reverse("portal:order_authorize_payment", args=[order.pk]))

    order.refresh_from_db()
    assert order.payment_status == "authorized"
    hold = attempts(order).get()
    assert stripe_api.v1.payment_intents.retrieve(hold.reference).status == "requires_capture"


@pytest.mark.parametrize(
    ("limit", "expected"), [("25.00", "authorized"), ("24.99", "awaiting_authorization")]
)
def test_auto_authorize_up_to_the_resellers_amount(
    stripe_settings, reseller, reseller_client, catalog, after_commit, limit, expected
):
    capture_rule({"type": "capture_reseller_authorization"})
    add_card(reseller)
    reseller_client.post(reverse("portal:payment_settings_update"), {"auto_authorize_limit": limit})
    assert PaymentProfile.objects.get(reseller=reseller).auto_authorize_limit == Decimal(limit)

    with after_commit():
        order = place(reseller)

    order.refresh_from_db()
    assert order.payment_status == expected


def test_deferred_orders_are_invoiced_and_marked_paid_offline(
    stripe_settings, staff, staff_client, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_deferred"})
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    order.refresh_from_db()
    assert order.payment_status == "on_terms" and not attempts(order).exists()

    staff_client.post(reverse("backoffice:order_payment_mark_paid", args=[order.pk]))

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    assert attempts(order).get().gateway == "offline"


def test_over_the_auto_capture_limit_staff_capture_really_charges(
    stripe_settings, stripe_api, staff, staff_client, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_now"}, {"type": "max_auto_capture", "amount": "20.00"})
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    order.refresh_from_db()
    assert order.payment_status == "awaiting_capture" and not attempts(order).exists()

    with after_commit():
        staff_client.post(reverse("backoffice:order_payment_capture", args=[order.pk]))

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    charge = attempts(order).get()
    assert stripe_api.v1.payment_intents.retrieve(charge.reference).status == "succeeded"


def test_without_a_card_the_order_waits_and_adding_one_pays_it(
    stripe_settings, reseller, reseller_client, catalog, after_commit
):
    with after_commit():
        order = place(reseller)
    order.refresh_from_db()
    assert order.payment_status == "awaiting_payment_method"
    page = reseller_client.get(order.get_portal_url()).content.decode()
    assert "This order is waiting for a payment method." in page

    with after_commit():
        add_card(reseller)

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))


def test_canceling_voids_an_authorization(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    hold = attempts(order).get()

    with after_commit():
        order_transition(order=order, to_status="canceled", actor=staff)

    order.refresh_from_db()
    assert order.payment_status == "voided"
    void = attempts(order, AttemptKind.VOID).get()
    assert (void.status, void.parent_id) == ("succeeded", hold.pk)
    assert stripe_api.v1.payment_intents.retrieve(hold.reference).status == "canceled"


def test_canceling_refunds_a_captured_payment(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    charge = attempts(order).get()

    with after_commit():
        order_transition(order=order, to_status="canceled", actor=staff)

    order.refresh_from_db()
    assert (order.payment_status, order.amount_refunded) == ("refunded", Decimal("25.00"))
    refund = attempts(order, AttemptKind.REFUND).get()
    at_stripe = stripe_api.v1.refunds.retrieve(refund.reference)
    assert (at_stripe.amount, at_stripe.status) == (2500, "succeeded")
    assert captured_minor_units(stripe_api, charge.reference) == 0


def test_staff_refund_part_with_a_reason(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    add_card(reseller)
    with after_commit():
        order = place(reseller)

    with after_commit():
        payment_refund(order=order, actor=staff, amount=Decimal("5.25"), reason="Scratched")

    order.refresh_from_db()
    assert (order.payment_status, order.amount_refunded) == ("partially_refunded", Decimal("5.25"))
    refund = attempts(order, AttemptKind.REFUND).get()
    assert (refund.reason, refund.actor) == ("Scratched", staff)
    assert stripe_api.v1.refunds.retrieve(refund.reference).amount == 525


def test_a_declined_charge_fails_with_the_gateways_message_and_retry_pays(
    stripe_settings, stripe_api, reseller, reseller_client, catalog, after_commit
):
    # 4000 0000 0000 0341 attaches fine and is declined when charged (Stripe's test card for
    # that; 4000 0000 0000 0002 is declined already when it is saved, tested above).
    add_card(reseller, "4000000000000341")
    with after_commit():
        order = place(reseller)

    order.refresh_from_db()
    assert (order.payment_status, order.last_payment_error) == (
        "failed",
        "Your card was declined.",
    )
    failed = attempts(order).get()
    assert (failed.status, failed.error_code) == ("failed", "card_declined")
    page = reseller_client.get(order.get_portal_url()).content.decode()
    assert "The payment failed: Your card was declined." in page
    assert ">Retry</button>" in page

    add_card(reseller)  # the new card becomes the default
    with after_commit():
        reseller_client.post(reverse("portal:order_payment_retry", args=[order.pk]))

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured, order.last_payment_error) == (
        "captured",
        Decimal("25.00"),
        "",
    )
    assert attempts(order).filter(status=AttemptStatus.SUCCEEDED).count() == 1


def test_an_expired_authorization_is_charged_again_at_capture(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    hold = attempts(order).get()
    stripe_api.v1.payment_intents.cancel(hold.reference)  # what Stripe does after ~7 days

    with after_commit():
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    capture = attempts(order, AttemptKind.CAPTURE).get()
    assert capture.reference != hold.reference
    assert "expired" in capture.error_message
    assert captured_minor_units(stripe_api, capture.reference) == 2500


def test_retry_needs_a_failed_payment(stripe_settings, reseller, catalog, after_commit):
    add_card(reseller)
    with after_commit():
        order = place(reseller)

    with pytest.raises(PaymentNotAllowed, match="has not failed"):
        payment_retry(order=order, actor=None)


def test_staff_capture_without_a_card_is_refused(stripe_settings, staff, reseller, catalog):
    capture_rule({"type": "capture_now"}, {"type": "max_auto_capture", "amount": "1.00"})
    order = place(reseller)

    with pytest.raises(PaymentNotAllowed, match="no card on file"):
        payment_capture(order=order, actor=staff)


def test_the_order_page_shows_the_payment_history_from_attempts(
    stripe_settings, staff_client, reseller, catalog, after_commit
):
    add_card(reseller)
    with after_commit():
        order = place(reseller)
    capture = attempts(order).get()

    page = staff_client.get(order.get_absolute_url()).content.decode()

    assert "Payment history" in page
    assert f"<code>{capture.reference}</code>" in page
    assert "Visa ending in 4242" in page


def test_an_order_shipped_before_its_authorization_arrived_is_captured_when_it_does(
    stripe_settings, stripe_api, staff, reseller, catalog, after_commit
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    queued = []
    with pytest.MonkeyPatch.context() as patch:
        # A busy worker: the authorization task has not run when staff ship.
        patch.setattr("payments.ledger.enqueue_on_commit", lambda task, *args: queued.append(args))
        order = place(reseller)
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )
    order.refresh_from_db()
    assert order.payment_status == "processing" and not attempts(order, AttemptKind.CAPTURE)

    from payments.tasks import process_payment_attempt

    with after_commit():
        process_payment_attempt.apply(args=queued[0])

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    hold = attempts(order, AttemptKind.AUTHORIZE).get()
    assert captured_minor_units(stripe_api, hold.reference) == 2500
