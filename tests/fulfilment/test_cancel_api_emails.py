from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from fulfilment.exceptions import CancelNotAllowed
from fulfilment.models import OrderEmail
from fulfilment.services import order_cancel, shipment_create
from orders.choices import OrderStatus
from orders.models import Order
from resellers.models import PortalSettings
from resellers.services import reseller_signup
from tests.apikeys.conftest import ApiClient, issue_key

pytestmark = pytest.mark.django_db


# --- Cancellations -----------------------------------------------------------------------


def test_the_reseller_cancels_an_unshipped_order_and_the_stock_is_back(reseller_client, place, cap):
    order = place(("CAP-NAVY", 7))
    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()
    assert "Cancel order" in page

    response = reseller_client.post(reverse("portal:order_cancel", args=[order.pk]), follow=True)

    assert f"Order {order.number} is canceled" in response.content.decode()
    order.refresh_from_db()
    cap.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert (cap.reserved, cap.available) == (0, 500)
    assert order.lines.get().quantity_canceled == 7


def test_a_shipped_order_cannot_be_canceled(place, cap, staff):
    order = place(("CAP-NAVY", 1))
    shipment_create(order=order, carrier="UPS", tracking_number="1Z", actor=staff)

    with pytest.raises(CancelNotAllowed, match="has shipped, so it cannot be canceled"):
        order_cancel(order=order, actor=None, by_reseller=True)
    with pytest.raises(CancelNotAllowed, match="has shipped, so it cannot be canceled"):
        order_cancel(order=order, actor=staff, reason="Too late")


def test_the_reseller_cannot_cancel_past_the_channel_window(place, cap, channel):
    channel.cancel_window_hours = 2
    channel.save()
    order = place(("CAP-NAVY", 1))
    Order.objects.filter(pk=order.pk).update(created_at=order.created_at - timedelta(hours=3))

    with pytest.raises(CancelNotAllowed, match="within 2 hours of placing them"):
        order_cancel(order=order, actor=None, by_reseller=True)


def test_staff_cancel_what_is_left_of_a_partially_shipped_order(place, cap, mug, staff):
    order = place(("CAP-NAVY", 4), ("MUG-1", 2))
    line = order.lines.get(sku="CAP-NAVY")
    shipment_create(
        order=order, carrier="UPS", tracking_number="1Z", quantities={line.pk: 1}, actor=staff
    )
    with pytest.raises(CancelNotAllowed, match="Part of order"):
        order_cancel(order=order, actor=None, by_reseller=True)

    order_cancel(order=order, actor=staff, reason="Out of production")

    order.refresh_from_db()
    cap.refresh_from_db()
    mug.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert (cap.stock, cap.reserved, mug.reserved) == (499, 0, 0)


def test_staff_must_give_a_reason(staff_client, place, cap):
    order = place(("CAP-NAVY", 1))

    staff_client.post(reverse("backoffice:order_cancel", args=[order.pk]), {"reason": ""})

    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_a_reseller_cannot_cancel_another_resellers_order(
    client, place, cap, other_reseller_with_user
):
    order = place(("CAP-NAVY", 1))
    client.force_login(other_reseller_with_user[1])

    assert client.post(reverse("portal:order_cancel", args=[order.pk])).status_code == 404
    assert client.get(reverse("portal:order_detail", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


# --- API ---------------------------------------------------------------------------------


@pytest.fixture
def api(reseller_with_user):
    reseller, user = reseller_with_user
    return ApiClient(issue_key(reseller, user))


@pytest.fixture
def other_api(other_reseller_with_user):
    reseller, user = other_reseller_with_user
    return ApiClient(issue_key(reseller, user))


def test_the_order_includes_its_shipments(api, place, cap, staff):
    order = place(("CAP-NAVY", 2))
    shipment_create(order=order, carrier="dhl", tracking_number="JD01", actor=staff)

    body = api.get(f"/orders/{order.pk}").json()

    assert body["status"] == "shipped"
    [shipment] = body["shipments"]
    assert (shipment["carrier"], shipment["tracking_number"], shipment["lines"]) == (
        "DHL",
        "JD01",
        [{"sku": "CAP-NAVY", "quantity": 2}],
    )
    assert shipment["tracking_url"].endswith("tracking-id=JD01")


def test_shipments_poll_oldest_first_with_a_cursor_and_only_ones_own(
    api, other_api, place, cap, staff, other_reseller_with_user
):
    orders = [place(("CAP-NAVY", 1)) for _ in range(3)]
    for number, order in enumerate(orders):
        shipment_create(order=order, carrier="UPS", tracking_number=f"1Z{number}", actor=staff)
    theirs = place(("CAP-NAVY", 1), who=other_reseller_with_user[0])
    shipment_create(order=theirs, carrier="UPS", tracking_number="THEIRS", actor=staff)

    first = api.get("/shipments", {"limit": 2}).json()
    second = api.get("/shipments", {"limit": 2, "cursor": first["next_cursor"]}).json()

    numbers = [s["tracking_number"] for s in first["items"] + second["items"]]
    assert numbers == ["1Z0", "1Z1", "1Z2"]
    assert second["next_cursor"] is None
    assert [s["tracking_number"] for s in other_api.get("/shipments").json()["items"]] == ["THEIRS"]
    assert other_api.get(f"/orders/{orders[0].pk}").status_code == 404
    later = api.get("/shipments", {"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert later["items"] == []
    assert api.get("/shipments", {"cursor": "nonsense"}).status_code == 422


def test_the_api_cancels_an_unshipped_order_and_refuses_a_shipped_one(
    api, other_api, place, cap, staff
):
    open_order = place(("CAP-NAVY", 3))
    shipped = place(("CAP-NAVY", 1))
    shipment_create(order=shipped, carrier="UPS", tracking_number="1Z", actor=staff)

    assert other_api.post(f"/orders/{open_order.pk}/cancel", {}).status_code == 404
    canceled = api.post(f"/orders/{open_order.pk}/cancel", {"reason": "Duplicate"})
    refused = api.post(f"/orders/{shipped.pk}/cancel", {})

    assert (canceled.status_code, canceled.json()["status"]) == (200, "canceled")
    assert refused.status_code == 409
    assert "has shipped, so it cannot be canceled" in refused.json()["detail"]
    cap.refresh_from_db()
    assert cap.reserved == 0


@pytest.mark.parametrize("count", [2, 20])
def test_the_portal_order_page_query_count_does_not_grow_with_shipments(
    reseller_client, place, cap, staff, django_assert_max_num_queries, count
):
    order = place(("CAP-NAVY", count))
    line = order.lines.get()
    for number in range(count):
        shipment_create(
            order=order,
            carrier="UPS",
            tracking_number=f"1Z{number}",
            quantities={line.pk: 1},
            actor=staff,
        )

    with django_assert_max_num_queries(16):
        page = reseller_client.get(reverse("portal:order_detail", args=[order.pk]))

    assert page.content.decode().count(">Tracking</a>") == count


# --- E-mails -----------------------------------------------------------------------------


def test_each_order_email_is_sent_once_after_commit(
    place, cap, staff, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_EMAIL = "help@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        order = place(("CAP-NAVY", 2))
    with django_capture_on_commit_callbacks(execute=True):
        shipment_create(order=order, carrier="UPS", tracking_number="1ZMAIL", actor=staff)

    assert [message.subject for message in mail.outbox] == [
        f"Order {order.number} received",
        f"Order {order.number} has shipped",
    ]
    shipped = mail.outbox[1]
    assert shipped.reply_to == ["help@example.com"]
    assert "https://www.ups.com/track?tracknum=1ZMAIL" in shipped.body
    assert f"/portal/orders/{order.pk}/" in shipped.body
    assert shipped.alternatives[0][1] == "text/html"

    # A redelivered task sends nothing twice.
    from fulfilment.tasks import send_order_emails

    assert send_order_emails(list(OrderEmail.objects.values_list("pk", flat=True))) == 0
    assert len(mail.outbox) == 2


def test_no_email_when_the_transaction_rolls_back(place, cap, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        place(("CAP-NAVY", 2))
        raise RuntimeError("the caller's transaction fails")

    assert mail.outbox == []
    assert not OrderEmail.objects.exists()


def test_an_order_awaiting_authorization_gets_one_email_asking_for_it(
    place, cap, django_capture_on_commit_callbacks
):
    from tests.rules.factories import RuleFactory

    RuleFactory(
        name="Ask first",
        kind="payment_capture",
        actions=[{"type": "capture_reseller_authorization"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = place(("CAP-NAVY", 1))

    assert [message.subject for message in mail.outbox] == [
        f"Order {order.number} received: your payment authorization is needed"
    ]
    assert "Reply to this e-mail" not in mail.outbox[0].body  # no SUPPORT_EMAIL set


def test_a_canceled_order_sends_the_canceled_email(place, cap, django_capture_on_commit_callbacks):
    order = place(("CAP-NAVY", 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=None, by_reseller=True)

    assert [message.subject for message in mail.outbox] == [f"Order {order.number} canceled"]


def test_an_auto_approved_signup_gets_only_the_approved_email(
    channel, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["staff@example.com"]
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": True})
    with django_capture_on_commit_callbacks(execute=True):
        reseller_signup(
            company_name="Quick Co", contact_name="Q", email="q@example.com", password="x-Long-pw-1"
        )

    to_reseller = [m.subject for m in mail.outbox if m.to == ["q@example.com"]]
    assert to_reseller == ["Your reseller account is approved"]


def test_a_partial_shipment_email_says_the_rest_follows(
    place, cap, staff, django_capture_on_commit_callbacks
):
    order = place(("CAP-NAVY", 2))
    line = order.lines.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shipment_create(
            order=order, carrier="UPS", tracking_number="A", quantities={line.pk: 1}, actor=staff
        )
    with django_capture_on_commit_callbacks(execute=True):
        shipment_create(order=order, carrier="UPS", tracking_number="B", actor=staff)

    first, last = (message.body for message in mail.outbox)
    assert "Part of order" in first and "the rest follows" in first
    assert f"Order {order.number} (your reference" in last and "Part of" not in last


@pytest.mark.parametrize("count", [2, 20])
def test_the_shipments_api_query_count_does_not_grow(
    api, place, cap, staff, django_assert_max_num_queries, count
):
    for number in range(count):
        order = place(("CAP-NAVY", 1))
        shipment_create(order=order, carrier="UPS", tracking_number=f"1Z{number}", actor=staff)

    with django_assert_max_num_queries(8):
        body = api.get("/shipments", {"limit": 50}).json()

    assert len(body["items"]) == count
