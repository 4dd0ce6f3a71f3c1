from __future__ import annotations

import pytest
from django.urls import reverse

from orders.choices import OrderStatus
from tests.factories import OrderFactory, OrderLineFactory, ResellerFactory

pytestmark = pytest.mark.django_db

ACTIONS = ["hold", "release", "close", "cancel"]


@pytest.fixture
def order(reseller):
    order = OrderFactory(reseller=reseller, reference_number="PO-42")
    OrderLineFactory(order=order, sku="MUG-1", title="Mug")
    return order


def back_office_urls(order) -> list[str]:
    return [
        reverse("backoffice:order_list"),
        reverse("backoffice:order_detail", args=[order.pk]),
        reverse("backoffice:reseller_orders", args=[order.reseller_id]),
    ]


def test_a_reseller_user_gets_403_on_every_back_office_order_page(reseller_client, order):
    for url in back_office_urls(order):
        assert reseller_client.get(url).status_code == 403, url
    for action in ACTIONS:
        url = reverse(f"backoffice:order_{action}", args=[order.pk])
        assert reseller_client.post(url).status_code == 403, url
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_an_anonymous_visitor_is_sent_to_log_in(client, order):
    for url in back_office_urls(order):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_all_orders_page_lists_every_resellers_orders_with_the_reseller(
    staff_client, order, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    theirs = OrderFactory(reseller=other)

    page = staff_client.get(reverse("backoffice:order_list")).content.decode()

    assert order.number in page and theirs.number in page
    assert order.reseller.company_name in page and "Other Co" in page


def test_the_all_orders_page_filters_by_status_source_dates_and_sku(staff_client, reseller):
    wanted = OrderFactory(reseller=reseller, status="on_hold", source="api")
    OrderLineFactory(order=wanted, sku="FIND-ME")
    OrderFactory(reseller=reseller, status="on_hold", source="portal")
    OrderFactory(reseller=reseller, status="open", source="api")
    today = wanted.created_at.date().isoformat()

    response = staff_client.get(
        reverse("backoffice:order_list"),
        {
            "status": "on_hold",
            "source": "api",
            "created_from": today,
            "created_to": today,
            "q": "find-me",
        },
    )

    assert list(response.context["object_list"]) == [wanted]


def test_the_resellers_orders_tab_shows_only_that_resellers_orders(
    staff_client, order, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    theirs = OrderFactory(reseller=other)

    response = staff_client.get(reverse("backoffice:reseller_orders", args=[order.reseller_id]))

    assert list(response.context["object_list"]) == [order]
    page = response.content.decode()
    assert theirs.number not in page
    assert 'aria-current="page">Orders</a>' in page


def test_the_reseller_overview_links_to_the_orders_tab_and_lists_recent_orders(staff_client, order):
    page = staff_client.get(reverse("backoffice:reseller_detail", args=[order.reseller_id]))

    html = page.content.decode()
    assert reverse("backoffice:reseller_orders", args=[order.reseller_id]) in html
    assert order.number in html


def test_order_list_pages_have_a_slot_for_export_buttons(staff_client, order):
    for url in [
        reverse("backoffice:order_list"),
        reverse("backoffice:reseller_orders", args=[order.reseller_id]),
    ]:
        templates = [t.name for t in staff_client.get(url).templates]
        assert "orders/_export_buttons.html" in templates, url


def test_the_order_detail_shows_lines_ship_to_events_and_allowed_actions_only(staff_client, order):
    order.events.create(kind="created", to_status="open", params={"source": "portal"})

    response = staff_client.get(reverse("backoffice:order_detail", args=[order.pk]))

    page = response.content.decode()
    for text in ["MUG-1", "Mug", "742 Evergreen Terrace", "Placed via Portal.", "system"]:
        assert text in page, text
    assert [label for _, label in response.context["actions"]] == ["Hold"]
    assert reverse("backoffice:order_release", args=[order.pk]) not in page
    # Shipping and canceling are the fulfilment app's: Add shipment, Cancel order with a reason.
    assert reverse("backoffice:shipment_create", args=[order.pk]) in page
    assert 'data-confirm="Cancel order' in page


def test_the_legacy_ship_action_is_gone_staff_ship_through_shipments(staff_client, order):
    response = staff_client.post(f"/backoffice/orders/{order.pk}/ship/")

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("open", "hold", "on_hold"),
        ("on_hold", "release", "open"),
        ("shipped", "close", "closed"),
    ],
)
def test_staff_move_an_order_through_an_allowed_action(
    staff_client, staff, order, start, action, end
):
    order.status = start
    order.save(update_fields=["status"])

    response = staff_client.post(
        reverse(f"backoffice:order_{action}", args=[order.pk]), {"note": "Customer called"}
    )

    assert response.status_code == 302
    assert response.url == reverse("backoffice:order_detail", args=[order.pk])
    order.refresh_from_db()
    assert order.status == end
    event = order.events.get(kind="status_changed")
    assert (event.from_status, event.to_status, event.actor, event.message) == (
        start,
        end,
        staff,
        "Customer called",
    )


@pytest.mark.parametrize(
    ("start", "action"),
    [("canceled", "release"), ("closed", "hold"), ("open", "close")],
)
def test_a_refused_action_changes_nothing_and_says_why(staff_client, order, start, action):
    order.status = start
    order.save(update_fields=["status"])

    response = staff_client.post(
        reverse(f"backoffice:order_{action}", args=[order.pk]), follow=True
    )

    order.refresh_from_db()
    assert order.status == start
    assert not order.events.filter(kind="status_changed").exists()
    assert "cannot become" in response.content.decode()


def test_status_actions_refuse_get(staff_client, order):
    response = staff_client.get(reverse("backoffice:order_cancel", args=[order.pk]))

    assert response.status_code == 405
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


@pytest.mark.parametrize("count", [3, 30])
def test_the_all_orders_page_query_count_does_not_grow(
    staff_client, channel, django_assert_max_num_queries, count
):
    for _ in range(count):
        OrderLineFactory(order=OrderFactory(reseller=ResellerFactory(channel=channel)))

    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("backoffice:order_list"), {"status": "open"})

    assert len(response.context["object_list"]) == min(count, 25)


@pytest.mark.parametrize("count", [3, 30])
def test_the_reseller_orders_tab_query_count_does_not_grow(
    staff_client, reseller, django_assert_max_num_queries, count
):
    for _ in range(count):
        OrderLineFactory(order=OrderFactory(reseller=reseller))

    with django_assert_max_num_queries(8):
        response = staff_client.get(
            reverse("backoffice:reseller_orders", args=[reseller.pk]), {"q": "PO"}
        )

    assert len(response.context["object_list"]) == min(count, 25)


def test_the_django_admin_shows_order_statuses_but_cannot_change_them(client, order):
    from accounts.models import User

    admin_user = User.objects.create_superuser(email="root@example.com", password="x" * 12)
    client.force_login(admin_user)

    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert response.status_code == 200
    form_fields = response.context["adminform"].form.fields
    assert "status" not in form_fields
    assert "payment_status" not in form_fields
    assert order.get_status_display() in response.content.decode()
