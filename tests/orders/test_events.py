"""Typed order history: rows store a kind and parameters; the sentence is rendered, and the
data migration reads rows written before events were typed."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders.choices import OrderEventKind, PaymentStatus
from orders.models import Order, OrderEvent
from orders.payments import payment_capture
from orders.services import order_place, order_transition
from tests.factories import OrderFactory
from tests.orders.conftest import order_request

migration = importlib.import_module("orders.migrations.0003_typed_events_and_note_limit")


@pytest.mark.django_db
def test_order_events_store_kind_and_params_and_render_the_sentence(reseller, listings, staff):
    order = order_place(reseller=reseller, request=order_request(), actor=None)
    order_transition(order=order, to_status="on_hold", actor=staff, message="Customer called")
    # Without rules an order is captured at placement; say it still awaits the capture.
    Order.objects.filter(pk=order.pk).update(payment_status=PaymentStatus.AWAITING_CAPTURE)
    payment_capture(order=order, actor=staff)

    placed, held, captured = OrderEvent.objects.filter(order=order).order_by("id")
    assert (placed.kind, placed.params) == (OrderEventKind.CREATED, {"source": "portal"})
    assert placed.message == "Placed via Portal."
    assert (held.kind, held.params) == (OrderEventKind.STATUS_CHANGED, {"note": "Customer called"})
    assert held.message == "Customer called"
    assert captured.kind == OrderEventKind.PAYMENT_CAPTURED
    assert captured.params["amount"] == str(order.total)
    assert captured.params["gateway_note"] == "offline, no gateway"
    assert captured.message == (
        f"Capture of {order.total:,.2f} USD recorded (offline, no gateway). "
        f"Reference {captured.params['reference']}."
    )
    assert captured.title == "Payment captured"
    assert not any(field.name == "message" for field in OrderEvent._meta.get_fields())


@pytest.mark.parametrize(
    ("kind", "message", "params"),
    [
        ("created", "Placed via Inventory Source.", {"source": "inventory_source"}),
        ("status_changed", "Customer called", {"note": "Customer called"}),
        ("status_changed", "", {"note": ""}),
        (
            "payment_captured",
            "Capture of 60,000.50 USD recorded (offline, no gateway). Reference OFFLINE-AB12.",
            {
                "amount": "60000.50",
                "currency": "USD",
                "reference": "OFFLINE-AB12",
                "gateway_note": "offline, no gateway",
            },
        ),
        (
            "payment_authorized",
            "Payment of 42.00 EUR authorized by the reseller. Reference TEST-1.",
            {"amount": "42.00", "currency": "EUR", "reference": "TEST-1", "gateway_note": ""},
        ),
        ("created", "Imported by hand", {"legacy_message": "Imported by hand"}),
        ("bench", "PO-7", {"legacy_message": "PO-7"}),
    ],
)
def test_the_migration_reads_old_messages_into_params_and_back(kind, message, params):
    assert migration.params_from_message(kind, message) == params
    assert migration.message_from_params(kind, params) == message
    if kind in OrderEventKind.values:
        assert OrderEvent(kind=kind, params=params).message == message


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_backwards_and_forwards_on_real_rows(reseller, listings):
    order = OrderFactory(reseller=reseller, channel=reseller.channel)
    OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.PAYMENT_CAPTURED,
        from_status=PaymentStatus.AWAITING_CAPTURE,
        to_status=PaymentStatus.CAPTURED,
        params={
            "amount": str(Decimal("12.50")),
            "currency": "USD",
            "reference": "R-1",
            "gateway_note": "",
        },
    )
    before = ("orders", "0002_order_number_generated")
    after = ("orders", "0003_typed_events_and_note_limit")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        with connection.cursor() as cursor:
            cursor.execute("SELECT kind, message FROM orders_orderevent")
            assert cursor.fetchall() == [
                ("payment_captured", "Capture of 12.50 USD recorded. Reference R-1.")
            ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([after])
        # Later migrations (0004: invoice numbers) were unapplied on the way back; put the
        # database back at the latest state the other tests expect.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    event = OrderEvent.objects.get()
    assert event.message == "Capture of 12.50 USD recorded. Reference R-1."
