"""The reseller's payment pages: cards on file, settings, retry; isolation between resellers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import PaymentAttempt, PaymentMethod, PaymentProfile
from tests.conftest import make_reseller_user
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def card(reseller, last4="4242", default=True, **fields) -> PaymentMethod:
    return PaymentMethod.objects.create(
        reseller=reseller,
        gateway_id=f"pm_{reseller.pk}_{last4}",
        brand="visa",
        last4=last4,
        exp_month=12,
        exp_year=2030,
        is_default=default,
        **fields,
    )


@pytest.fixture
def others_card(other_reseller_with_user):
    return card(other_reseller_with_user[0], last4="1881")


def test_a_reseller_never_sees_another_resellers_cards(
    stripe_settings, reseller, reseller_client, others_card
):
    card(reseller)

    page = reseller_client.get(reverse("portal:settings")).content.decode()

    assert "Visa ending in 4242" in page
    assert "1881" not in page


@pytest.mark.parametrize("action", ["payment_method_make_default", "payment_method_remove"])
def test_a_reseller_cannot_touch_another_resellers_card(
    stripe_settings, reseller_client, others_card, action
):
    response = reseller_client.post(reverse(f"portal:{action}", args=[others_card.pk]))

    assert response.status_code == 404
    others_card.refresh_from_db()
    assert others_card.is_default


def test_another_resellers_card_is_never_charged_for_my_order(
    stripe_settings, reseller, catalog, others_card, django_capture_on_commit_callbacks
):
    from tests.payments.localstripe import place

    with django_capture_on_commit_callbacks(execute=True):
        order = place(reseller)

    order.refresh_from_db()
    assert order.payment_status == "awaiting_payment_method"
    attempt = PaymentAttempt.objects.get(order=order)
    assert (attempt.status, attempt.error_code, attempt.payment_method) == (
        "failed",
        "no_payment_method",
        None,
    )


@pytest.mark.parametrize("action", ["order_payment_retry", "order_authorize_payment"])
def test_a_reseller_cannot_pay_another_resellers_order(
    reseller_client, other_reseller_with_user, action
):
    other = other_reseller_with_user[0]
    order = OrderFactory(reseller=other, channel=other.channel, payment_status="failed")

    assert reseller_client.post(reverse(f"portal:{action}", args=[order.pk])).status_code == 404
    assert not PaymentAttempt.objects.filter(order=order).exists()


def test_make_default_moves_the_default(stripe_settings, reseller, reseller_client):
    first = card(reseller, "4242")
    second = card(reseller, "5556", default=False)

    reseller_client.post(reverse("portal:payment_method_make_default", args=[second.pk]))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_removing_a_card_detaches_it_and_the_next_becomes_default(
    stripe_settings, stripe_api, reseller, reseller_client
):
    from tests.payments.localstripe import add_card

    older = add_card(reseller)
    newer = add_card(reseller, "4000056655665556")
    page = reseller_client.get(reverse("portal:settings")).content.decode()
    assert f'data-confirm="Remove {newer}?' in page

    response = reseller_client.post(
        reverse("portal:payment_method_remove", args=[newer.pk]), follow=True
    )

    assert f"{newer} removed." in response.content.decode()
    assert stripe_api.v1.payment_methods.retrieve(newer.gateway_id).customer is None
    older.refresh_from_db()
    assert older.is_default
    assert not PaymentMethod.objects.filter(pk=newer.pk).exists()


def test_the_auto_authorize_amount_is_validated(reseller, reseller_client):
    url = reverse("portal:payment_settings_update")

    page = reseller_client.post(url, {"auto_authorize_limit": "12.345"}, follow=True)
    assert "enter an amount such as 250.00" in page.content.decode()
    page = reseller_client.post(url, {"auto_authorize_limit": "-5"}, follow=True)
    assert "cannot be negative" in page.content.decode()
    assert not PaymentProfile.objects.filter(auto_authorize_limit__isnull=False).exists()

    reseller_client.post(url, {"auto_authorize_limit": "150.00"})
    assert PaymentProfile.objects.get(reseller=reseller).auto_authorize_limit == Decimal("150")
    reseller_client.post(url, {"auto_authorize_limit": ""})
    assert PaymentProfile.objects.get(reseller=reseller).auto_authorize_limit is None


def test_without_stripe_the_add_card_page_sends_the_reseller_back(reseller_client):
    response = reseller_client.get(reverse("portal:payment_method_add"), follow=True)

    assert "Payment is by invoice here" in response.content.decode()


def test_a_pending_reseller_cannot_add_a_card(stripe_settings, client, channel):
    reseller, user = make_reseller_user(channel=channel, status="pending")
    client.force_login(user)

    response = client.get(reverse("portal:payment_method_add"), follow=True)

    assert "once your account is approved" in response.content.decode()
    assert not PaymentProfile.objects.exists()


def test_the_setup_intent_must_be_confirmed(stripe_settings, reseller, reseller_client):
    from payments import cards

    setup = cards.card_setup_start(reseller=reseller)

    response = reseller_client.post(
        reverse("portal:payment_method_add"), {"setup_intent": setup.setup_intent_id}, follow=True
    )

    assert "The card was not confirmed" in response.content.decode()
    assert not PaymentMethod.objects.exists()


def test_settings_page_query_count_does_not_grow_with_cards(
    stripe_settings, reseller, reseller_client, django_assert_max_num_queries
):
    card(reseller)
    with django_assert_max_num_queries(20) as small:
        reseller_client.get(reverse("portal:settings"))
    for n in range(10):
        card(reseller, last4=f"{n:04d}", default=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        reseller_client.get(reverse("portal:settings"))


def test_an_order_paid_by_invoice_says_no_card_was_charged(reseller, reseller_client, listings):
    from orders.services import order_place
    from tests.orders.conftest import order_request

    order = order_place(reseller=reseller, request=order_request("PO-INV-1"))
    assert order.payment_status == "captured"  # offline: the capture-now decision as a record

    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk]))

    assert "no card was charged" in page.content.decode()
    assert not PaymentAttempt.objects.filter(order=order).exists()
