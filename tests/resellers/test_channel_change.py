"""Staff change an approved or active reseller's channel, with a reason kept in its history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from orders.services import order_place
from resellers.choices import ResellerStatus, StatusChangeKind
from resellers.models import StatusChange
from tests.factories import ChannelFactory, ListingFactory, ProductFactory, ResellerFactory
from tests.orders.conftest import order_request

pytestmark = pytest.mark.django_db


def change(client, reseller, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("backoffice:reseller_change_channel", args=[reseller.pk]),
            {f"channel_change-{key}": value for key, value in data.items()},
            follow=True,
        )


@pytest.fixture
def wholesale(db):
    return ChannelFactory(name="Wholesale", slug="wholesale")


@pytest.mark.parametrize("status", [ResellerStatus.APPROVED, ResellerStatus.ACTIVE])
def test_staff_change_the_channel_and_the_history_says_why(
    staff_client, staff, reseller, channel, wholesale, status, django_capture_on_commit_callbacks
):
    reseller.status = status
    reseller.save(update_fields=["status"])

    response = change(
        staff_client,
        reseller,
        django_capture_on_commit_callbacks,
        channel=wholesale.pk,
        reason="Moved to wholesale terms from January.",
    )

    reseller.refresh_from_db()
    assert reseller.channel == wholesale and reseller.status == status
    entry = StatusChange.objects.get(reseller=reseller, kind=StatusChangeKind.CHANNEL_CHANGED)
    assert entry.actor == staff
    assert (entry.from_status, entry.to_status) == (status, status)
    assert entry.params == {
        "reason": "Moved to wholesale terms from January.",
        "from_channel": "Retail",
        "from_channel_id": channel.pk,
        "to_channel": "Wholesale",
        "to_channel_id": wholesale.pk,
    }
    html = response.content.decode()
    assert "moved from the Retail channel to Wholesale" in html
    assert (
        "Channel changed from Retail to Wholesale: Moved to wholesale terms from January." in html
    )
    assert mail.outbox == []  # not a status change: no notice


def test_the_next_order_uses_the_new_channels_prices(
    staff_client, reseller, channel, wholesale, django_capture_on_commit_callbacks
):
    product = ProductFactory(sku="MUG-1")
    ListingFactory(channel=channel, product=product, price=Decimal("10.00"))
    ListingFactory(channel=wholesale, product=product, price=Decimal("7.25"))
    before = order_place(reseller=reseller, request=order_request("PO-1", items=[("MUG-1", 2)]))

    change(
        staff_client, reseller, django_capture_on_commit_callbacks, channel=wholesale.pk, reason="x"
    )
    reseller.refresh_from_db()
    after = order_place(reseller=reseller, request=order_request("PO-2", items=[("MUG-1", 2)]))

    assert (before.channel, before.subtotal) == (channel, Decimal("20.00"))
    assert (after.channel, after.subtotal) == (wholesale, Decimal("14.50"))
    before.refresh_from_db()
    assert before.channel == channel  # placed orders keep theirs


@pytest.mark.parametrize(
    "status", [ResellerStatus.PENDING, ResellerStatus.DENIED, ResellerStatus.SUSPENDED]
)
def test_a_reseller_that_is_not_approved_or_active_keeps_its_channel(
    staff_client, channel, wholesale, status, django_capture_on_commit_callbacks
):
    reseller = ResellerFactory(channel=channel, status=status)

    response = change(
        staff_client, reseller, django_capture_on_commit_callbacks, channel=wholesale.pk, reason="x"
    )

    reseller.refresh_from_db()
    assert reseller.channel == channel
    assert "Only an approved or active reseller" in response.content.decode()
    assert not StatusChange.objects.filter(kind=StatusChangeKind.CHANNEL_CHANGED).exists()


def test_a_reason_is_required_and_an_inactive_or_same_channel_is_refused(
    staff_client, reseller, channel, wholesale, django_capture_on_commit_callbacks
):
    closed = ChannelFactory(name="Closed", slug="closed", is_active=False)
    attempts = [
        ({"channel": wholesale.pk, "reason": "  "}, "This field is required."),
        ({"channel": closed.pk, "reason": "x"}, "Select a valid choice."),
        ({"channel": channel.pk, "reason": "x"}, "Select a valid choice."),
    ]
    for data, message in attempts:
        response = change(staff_client, reseller, django_capture_on_commit_callbacks, **data)
        assert message in response.content.decode(), data
    reseller.refresh_from_db()
    assert reseller.channel == channel
    assert not StatusChange.objects.filter(kind=StatusChangeKind.CHANNEL_CHANGED).exists()


def test_the_service_refuses_the_same_channel_and_a_blank_reason(reseller, channel, staff):
    from resellers.exceptions import ChannelRequired, ReasonRequired
    from resellers.services import reseller_change_channel

    with pytest.raises(ChannelRequired, match="already on the Retail channel"):
        reseller_change_channel(reseller=reseller, channel=channel, actor=staff, reason="x")
    with pytest.raises(ReasonRequired):
        reseller_change_channel(
            reseller=reseller, channel=ChannelFactory(slug="w2"), actor=staff, reason=" "
        )


def test_the_reseller_page_offers_the_change_only_when_it_applies(
    staff_client, reseller, wholesale
):
    page = reverse("backoffice:reseller_detail", args=[reseller.pk])
    html = staff_client.get(page).content.decode()
    assert "Change channel" in html and 'for="id_channel_change-channel"' in html

    pending = ResellerFactory()
    html = staff_client.get(reverse("backoffice:reseller_detail", args=[pending.pk])).content
    assert b"Change channel" not in html


def test_changing_the_channel_is_staff_only(client, reseller_client, reseller, wholesale):
    url = reverse("backoffice:reseller_change_channel", args=[reseller.pk])
    data = {"channel_change-channel": wholesale.pk, "channel_change-reason": "x"}
    assert reseller_client.post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
    reseller.refresh_from_db()
    assert reseller.channel != wholesale
