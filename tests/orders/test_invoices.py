"""Invoices: gap-free numbers taken at placement, due dates for net terms, the printable page
and the PDF (parsed back with pypdf), and who may fetch them."""

from __future__ import annotations

import contextlib
import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from orders.choices import CaptureMode
from orders.models import InvoiceSequence, Order
from orders.services import order_place
from resellers.choices import PaymentTerms
from tests.conftest import make_reseller_user
from tests.orders.conftest import order_request
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def invoiced_rules():
    RuleFactory(
        name="internal: dropship fee 2024",
        actions=[{"type": "dropship_fee_per_order", "amount": "2.00"}],
    )
    RuleFactory(
        name="internal: loyalty",
        actions=[{"type": "extra_fee", "amount": "1.25", "label": "Handling surcharge"}],
    )


def test_orders_get_consecutive_invoice_numbers(reseller, listings):
    first = order_place(reseller=reseller, request=order_request("PO-1"))
    second = order_place(reseller=reseller, request=order_request("PO-2"))
    first_value = int(first.invoice_number.removeprefix("INV-"))
    assert first.invoice_number == f"INV-{first_value:06d}"
    assert second.invoice_number == f"INV-{first_value + 1:06d}"
    assert Order.objects.get(pk=second.pk).invoice_number == second.invoice_number


def test_a_refused_or_rolled_back_order_gives_its_number_back(reseller, listings):
    first = order_place(reseller=reseller, request=order_request("PO-1"))
    with pytest.raises(RuntimeError):

        def fail(order):
            raise RuntimeError("the caller's last step failed")

        order_place(reseller=reseller, request=order_request("PO-2"), before_commit=fail)
    with pytest.raises(Exception):  # noqa: B017 - the duplicate reference refusal
        order_place(reseller=reseller, request=order_request("PO-1"))
    third = order_place(reseller=reseller, request=order_request("PO-3"))
    assert int(third.invoice_number[4:]) == int(first.invoice_number[4:]) + 1


def test_the_counter_row_is_recreated_when_the_table_was_emptied(reseller, listings):
    InvoiceSequence.objects.all().delete()
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    assert order.invoice_number == "INV-000001"


@pytest.mark.parametrize("terms", [PaymentTerms.NET_15, PaymentTerms.NET_30, PaymentTerms.NET_60])
def test_net_terms_orders_are_due_after_the_resellers_terms(reseller, listings, terms):
    reseller.payment_terms = terms
    reseller.save()
    RuleFactory(kind="payment_capture", actions=[{"type": "capture_deferred"}])
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    assert order.capture_mode == CaptureMode.DEFERRED
    assert order.due_date == timezone.localdate() + datetime.timedelta(days=terms)
    assert Order.objects.get(pk=order.pk).due_date == order.due_date


def test_orders_paid_at_once_have_no_due_date(reseller, listings):
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    assert order.capture_mode == CaptureMode.CAPTURE_NOW
    assert order.due_date is None


def test_the_pdf_holds_the_number_total_and_every_line_label(
    reseller_client, reseller, listings, invoiced_rules, settings
):
    settings.SUPPLIER_NAME = "Acme Supply Co."
    settings.SUPPLIER_ADDRESS = ["1 Main St", "Springfield, IL 62701"]
    settings.SUPPLIER_TAX_ID = "US-12-3456789"
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    response = reseller_client.get(reverse("portal:order_invoice_pdf", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{order.invoice_number}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert order.invoice_number in text
    assert f"{order.total:,.2f}" in text
    assert "Dropship fee" in text and "Handling surcharge" in text
    assert "internal:" not in text  # labels, never the rule names
    assert "Acme Supply Co." in text and "US-12-3456789" in text
    assert reseller.company_name in text and "742 Evergreen Terrace" in text
    assert "SKU-1" in text


def test_the_pdf_prints_names_outside_latin_1(client, channel, listings):
    reseller, user = make_reseller_user(channel=channel, company_name="Zoë’s Gadgets — €")
    client.force_login(user)
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    response = client.get(reverse("portal:order_invoice_pdf", args=[order.pk]))
    assert "Zoë’s Gadgets — €" in pdf_text(response.content)


def test_a_net_terms_invoice_shows_its_due_date_and_payment_status(
    reseller_client, reseller, listings
):
    reseller.payment_terms = PaymentTerms.NET_15
    reseller.save()
    RuleFactory(kind="payment_capture", actions=[{"type": "capture_deferred"}])
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    page = reseller_client.get(reverse("portal:order_invoice", args=[order.pk])).content.decode()
    assert order.due_date.isoformat() in page and "Net 15" in page
    assert "Invoiced on terms" in page
    pdf = reseller_client.get(reverse("portal:order_invoice_pdf", args=[order.pk]))
    text = pdf_text(pdf.content)
    assert order.due_date.isoformat() in text and "Invoiced on terms" in text


def test_the_printable_page_shows_labels_and_offers_the_pdf(
    reseller_client, reseller, listings, invoiced_rules
):
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    response = reseller_client.get(reverse("portal:order_invoice", args=[order.pk]))
    page = response.content.decode()
    assert f"Invoice {order.invoice_number}" in page
    assert "Download PDF" in page
    assert reverse("portal:order_invoice_pdf", args=[order.pk]) in page
    assert "Handling surcharge" in page and "internal:" not in page
    detail = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()
    assert "Download PDF" in detail and order.invoice_number in detail


def test_a_reseller_cannot_fetch_another_resellers_invoice(
    client, reseller, other_reseller_with_user, listings
):
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    client.force_login(other_reseller_with_user[1])
    for name in ("portal:order_invoice", "portal:order_invoice_pdf"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 404


def test_staff_get_any_invoice_and_resellers_are_kept_out_of_the_back_office(
    staff_client, reseller, listings, invoiced_rules, client, other_reseller_with_user
):
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    page = staff_client.get(reverse("backoffice:order_invoice", args=[order.pk]))
    assert page.status_code == 200 and order.invoice_number in page.content.decode()
    pdf = staff_client.get(reverse("backoffice:order_invoice_pdf", args=[order.pk]))
    assert order.invoice_number in pdf_text(pdf.content)
    client.force_login(other_reseller_with_user[1])
    for name in ("backoffice:order_invoice", "backoffice:order_invoice_pdf"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 403


def test_the_invoice_page_costs_a_fixed_number_of_queries(
    reseller_client, reseller, listings, django_assert_max_num_queries
):
    small = order_place(reseller=reseller, request=order_request("PO-1"))
    large = order_place(
        reseller=reseller,
        request=order_request("PO-2", items=[(f"SKU-{n}", n) for n in range(1, 4)]),
    )
    for order in (small, large):
        with django_assert_max_num_queries(8):
            reseller_client.get(reverse("portal:order_invoice_pdf", args=[order.pk]))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_orders_get_unique_gap_free_numbers(reseller, listings):
    threads = 20
    barrier = threading.Barrier(threads)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def place(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            # Every third order is rolled back after taking its number: it must give it back.
            if n % 3 == 0:

                def fail(order):
                    raise RuntimeError("rolled back on purpose")

                with contextlib.suppress(RuntimeError):
                    order_place(
                        reseller=reseller,
                        request=order_request(f"PO-FAIL-{n}"),
                        before_commit=fail,
                    )
            order = order_place(reseller=reseller, request=order_request(f"PO-{n}"))
            numbers.append(order.invoice_number)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=place, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures
    assert len(numbers) == threads == len(set(numbers))
    values = sorted(int(number.removeprefix("INV-")) for number in numbers)
    assert values == list(range(values[0], values[0] + threads))
    stored = sorted(Order.objects.values_list("invoice_number", flat=True))
    assert stored == sorted(numbers)
    assert InvoiceSequence.objects.get().last_value == values[-1]
    assert sum(order.total for order in Order.objects.all()) > Decimal(0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_orders_in_placement_order(reseller, listings):
    from django.db.migrations.executor import MigrationExecutor

    first = order_place(reseller=reseller, request=order_request("PO-1"))
    second = order_place(reseller=reseller, request=order_request("PO-2"))
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("orders", "0003_typed_events_and_note_limit")])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    numbers = dict(Order.objects.values_list("pk", "invoice_number"))
    assert numbers == {first.pk: "INV-000001", second.pk: "INV-000002"}
    third = order_place(reseller=reseller, request=order_request("PO-3"))
    assert third.invoice_number == "INV-000003"
