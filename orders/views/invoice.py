"""The invoice of a placed order: a printable page and a PDF, for the reseller (portal, its
own orders only) and for staff (back office, any order)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import portal_view, staff_required
from orders.invoice import InvoiceDocument, order_invoice_document
from orders.models import Order
from orders.pdf import invoice_pdf
from orders.selectors import order_list
from resellers.models import Reseller


def _order(*, reseller: Reseller | None, pk: int) -> Order:
    """The order as the asker may see it (another reseller's is a 404), with what the
    invoice prints loaded in three queries."""
    queryset = order_list(reseller=reseller).prefetch_related("lines", "invoice_lines")
    try:
        return queryset.get(pk=pk)
    except Order.DoesNotExist as error:
        raise Http404("No such order.") from error


def _page(request: HttpRequest, order: Order, *, audience: str) -> HttpResponse:
    return render(
        request,
        "orders/invoice_page.html",
        {"order": order, "invoice": order_invoice_document(order), "audience": audience},
    )


def _pdf(document: InvoiceDocument) -> HttpResponse:
    filename = f"{document.invoice_number or document.order_number}.pdf"
    response = HttpResponse(invoice_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # An invoice names the reseller and its addresses: not for shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
def portal_invoice(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    return _page(request, _order(reseller=reseller, pk=pk), audience="portal")


@portal_view
def portal_invoice_pdf(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    return _pdf(order_invoice_document(_order(reseller=reseller, pk=pk)))


@staff_required
def backoffice_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _order(reseller=None, pk=pk), audience="backoffice")


@staff_required
def backoffice_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(order_invoice_document(_order(reseller=None, pk=pk)))
