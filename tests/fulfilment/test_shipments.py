from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from channels.models import Product
from fulfilment.carriers import carrier_name, tracking_url_for
from fulfilment.exceptions import ShipmentInvalid, TrackingImportError
from fulfilment.imports import tracking_import_csv
from fulfilment.models import Shipment
from fulfilment.services import order_cancel, shipment_create
from orders.choices import OrderStatus
from orders.signals import shipment_created

from .conftest import lines_by_sku

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "name", "url"),
    [
        ("UPS", "UPS", "https://www.ups.com/track?tracknum=1Z 9/9"),
        ("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=1Z 9/9"),
        ("Fed Ex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr=1Z 9/9"),
        ("dhl", "DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id=1Z 9/9"),
        ("Local Courier", "Local Courier", ""),
    ],
)
def test_the_carrier_table_names_carriers_and_builds_tracking_links(typed, name, url):
    assert carrier_name(typed) == name
    assert tracking_url_for(typed, "1Z 9/9") == url.replace("1Z 9/9", "1Z%209%2F9")


def test_two_partial_shipments_ship_the_order(place, cap, mug, staff):
    order = place(("CAP-NAVY", 10), ("MUG-1", 4))
    lines = lines_by_sku(order)
    captured = []
    shipment_created.connect(lambda **kwargs: captured.append(kwargs), weak=False, dispatch_uid="t")
    try:
        first = shipment_create(
            order=order,
            carrier="ups",
            tracking_number="1Z1",
            quantities={lines["CAP-NAVY"].pk: 6},
            actor=staff,
        )
        order.refresh_from_db()
        assert order.status == OrderStatus.PARTIALLY_SHIPPED
        second = shipment_create(order=order, carrier="USPS", tracking_number="94001", actor=staff)
    finally:
        shipment_created.disconnect(dispatch_uid="t")

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert first.tracking_url == "https://www.ups.com/track?tracknum=1Z1"
    assert {(line.order_line.sku, line.quantity) for line in second.lines.all()} == {
        ("CAP-NAVY", 4),
        ("MUG-1", 4),
    }
    assert [(c["shipment"], c["amount"], c["final"]) for c in captured] == [
        (first, Decimal("72.00"), False),
        (second, Decimal("80.00"), True),
    ]
    cap.refresh_from_db()
    assert (cap.stock, cap.reserved) == (490, 0)
    assert Product.objects.get(sku="MUG-1").stock == 46
    statuses = list(order.events.filter(kind="status_changed").values_list("to_status", flat=True))
    assert sorted(statuses) == ["partially_shipped", "shipped"]


def test_over_shipping_is_refused_and_nothing_is_saved(place, cap, staff):
    order = place(("CAP-NAVY", 3))
    line = order.lines.get()

    with pytest.raises(ShipmentInvalid) as refused:
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z", quantities={line.pk: 4}, actor=staff
        )

    assert refused.value.errors == [("lines[0].quantity", "CAP-NAVY: 3 left to ship, 4 requested.")]
    assert not Shipment.objects.exists()
    cap.refresh_from_db()
    assert (cap.stock, cap.reserved) == (500, 3)


def test_a_canceled_order_cannot_ship(place, cap, staff):
    order = place(("CAP-NAVY", 3))
    order_cancel(order=order, actor=staff, reason="Duplicate")

    with pytest.raises(ShipmentInvalid, match="is canceled; a canceled order cannot be shipped"):
        shipment_create(order=order, carrier="UPS", tracking_number="1Z", actor=staff)
    assert not Shipment.objects.exists()


def test_a_shipment_without_carrier_or_with_a_script_url_is_refused(place, cap, staff):
    order = place(("CAP-NAVY", 3))

    with pytest.raises(ShipmentInvalid) as refused:
        shipment_create(
            order=order,
            carrier="",
            tracking_number="",
            tracking_url="javascript:alert(1)",
            actor=staff,
        )

    assert [path for path, _ in refused.value.errors] == [
        "carrier",
        "tracking_number",
        "tracking_url",
    ]


# --- Import tracking ---------------------------------------------------------------------


def test_the_import_ships_by_order_number_or_reference(place, cap, mug, staff):
    first = place(("CAP-NAVY", 5), reference="REF-A")
    second = place(("CAP-NAVY", 2), ("MUG-1", 3), reference="REF-B")

    result = tracking_import_csv(
        text=(
            "order_number,carrier,tracking_number,sku,quantity\n"
            f"{first.number},UPS,1ZA\n"
            "REF-B,FedEx,777,MUG-1,2\n"
            "REF-B,FedEx,777,CAP-NAVY,2\n"
        ),
        actor=staff,
    )

    assert (result.shipments, result.orders, result.skipped) == (2, 2, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("shipped", "partially_shipped")
    shipment = second.shipments.get()
    assert (shipment.carrier, shipment.tracking_url) == (
        "FedEx",
        "https://www.fedex.com/fedextrack/?trknbr=777",
    )


def test_importing_the_same_file_twice_records_nothing_new(place, cap, staff):
    order = place(("CAP-NAVY", 5))
    text = f"{order.number},UPS,1ZA\n"
    tracking_import_csv(text=text, actor=staff)

    result = tracking_import_csv(text=text, actor=staff)

    assert (result.shipments, result.skipped) == (0, 1)
    assert Shipment.objects.count() == 1


def test_the_import_lists_every_bad_row_and_saves_nothing(place, cap, staff):
    good = place(("CAP-NAVY", 5))
    canceled = place(("CAP-NAVY", 1))
    order_cancel(order=canceled, actor=staff, reason="Mistake")

    with pytest.raises(TrackingImportError) as refused:
        tracking_import_csv(
            text=(
                f"{good.number},UPS,1ZA,CAP-NAVY,6\n"
                "SO-9999999,UPS,1ZB\n"
                f"{canceled.number},UPS,1ZC\n"
                f"{good.number},,1ZD\n"
                f"{good.number},UPS,1ZE,NOPE,1\n"
                f"{good.number},UPS\n"
            ),
            actor=staff,
        )

    assert [(error.row, error.message) for error in refused.value.errors] == [
        (1, f"CAP-NAVY: 5 left to ship on order {good.number}, 6 in this file."),
        (2, "No order has the number or reference “SO-9999999”."),
        (3, f"Order {canceled.number} is canceled; a canceled order cannot be shipped."),
        (4, "Carrier is required, e.g. UPS, USPS, FedEx or DHL."),
        (5, f"SKU NOPE is not on order {good.number}."),
        (
            6,
            "Expected 3 columns (order_number, carrier, tracking_number) or 5 (… sku, "
            "quantity); found 2.",
        ),
    ]
    assert not Shipment.objects.exists()
    cap.refresh_from_db()
    assert (cap.stock, cap.reserved) == (500, 5)


def test_a_reference_two_resellers_use_must_be_given_as_the_order_number(
    place, cap, staff, other_reseller_with_user
):
    place(("CAP-NAVY", 1), reference="SAME")
    place(("CAP-NAVY", 1), reference="SAME", who=other_reseller_with_user[0])

    with pytest.raises(TrackingImportError, match="1 row"):
        tracking_import_csv(text="SAME,UPS,1Z\n", actor=staff)


def test_the_import_page_shows_row_errors(staff_client):
    response = staff_client.post(reverse("backoffice:tracking_import"), {"text": "SO-1,UPS,1Z"})

    page = response.content.decode()
    assert "No order has the number or reference “SO-1”." in page
    assert "nothing was saved" in page


@pytest.mark.parametrize("rows", [10, 200])
def test_the_import_runs_in_a_fixed_number_of_queries(
    channel, cap, staff, reseller, django_assert_max_num_queries, rows
):
    from tests.factories import OrderFactory, OrderLineFactory

    orders = []
    for _ in range(rows):
        order = OrderFactory(reseller=reseller)
        OrderLineFactory(order=order, product=cap, sku="CAP-NAVY", quantity=1)
        orders.append(order)
    text = "".join(f"{order.number},UPS,1Z{order.pk}\n" for order in orders)

    with django_assert_max_num_queries(30):
        tracking_import_csv(text=text, actor=staff)

    assert Shipment.objects.count() == rows


# --- Back office -------------------------------------------------------------------------


def test_staff_add_a_shipment_with_quantities_prefilled(staff_client, place, cap, mug):
    order = place(("CAP-NAVY", 3), ("MUG-1", 2))
    url = reverse("backoffice:shipment_create", args=[order.pk])
    form = staff_client.get(url).context["form"]
    lines = lines_by_sku(order)
    assert form[f"line_{lines['CAP-NAVY'].pk}"].initial == 3

    response = staff_client.post(
        url,
        {
            "carrier": "UPS",
            "tracking_number": "1Z9",
            f"line_{lines['CAP-NAVY'].pk}": "3",
            f"line_{lines['MUG-1'].pk}": "0",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    page = staff_client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()
    assert "https://www.ups.com/track?tracknum=1Z9" in page


def test_the_add_shipment_form_refuses_over_shipping_on_the_line(staff_client, place, cap):
    order = place(("CAP-NAVY", 3))
    line = order.lines.get()

    response = staff_client.post(
        reverse("backoffice:shipment_create", args=[order.pk]),
        {"carrier": "UPS", "tracking_number": "1Z9", f"line_{line.pk}": "9"},
    )

    assert response.status_code == 200
    assert "CAP-NAVY: 3 left to ship, 9 requested." in response.content.decode()
    assert not Shipment.objects.exists()


def test_shipment_pages_are_staff_only(reseller_client, place, cap):
    order = place(("CAP-NAVY", 1))
    for url in [
        reverse("backoffice:shipment_create", args=[order.pk]),
        reverse("backoffice:tracking_import"),
    ]:
        assert reseller_client.get(url).status_code == 403
    assert (
        reseller_client.post(reverse("backoffice:order_cancel", args=[order.pk])).status_code == 403
    )


def test_exports_carry_each_orders_carriers_and_tracking_numbers(staff_client, place, cap, staff):
    import csv
    import io

    order = place(("CAP-NAVY", 2))
    line = order.lines.get()
    shipment_create(
        order=order, carrier="UPS", tracking_number="1ZA", quantities={line.pk: 1}, actor=staff
    )
    shipment_create(order=order, carrier="UPS", tracking_number="1ZB", actor=staff)
    unshipped = place(("CAP-NAVY", 1))

    response = staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "csv"}))

    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    by_number = {row["Order number"]: row for row in rows}
    assert (by_number[order.number]["Carrier"], by_number[order.number]["Tracking numbers"]) == (
        "UPS",
        "1ZA; 1ZB",
    )
    assert by_number[unshipped.number]["Tracking numbers"] == ""


def test_both_xlsx_sheets_carry_each_orders_carriers_and_tracking_numbers(
    staff_client, place, cap, staff
):
    import io

    from openpyxl import load_workbook

    order = place(("CAP-NAVY", 2))
    shipment_create(order=order, carrier="UPS", tracking_number="1ZA", actor=staff)
    unshipped = place(("CAP-NAVY", 1))

    response = staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "xlsx"}))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for name in ("Orders", "Lines"):
        header, *rows = workbook[name].iter_rows(values_only=True)
        by_number = {row[header.index("Order number")]: row for row in rows}
        carrier, tracking = header.index("Carrier"), header.index("Tracking numbers")
        assert (by_number[order.number][carrier], by_number[order.number][tracking]) == (
            "UPS",
            "1ZA",
        ), name
        assert by_number[unshipped.number][tracking] is None, name
