"""Staff payment actions on the order page: Capture, Mark paid, Refund; the dashboard list."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.access import staff_required
from orders.selectors import order_list

from .. import services
from ..exceptions import PaymentError


def _staff_action(request: HttpRequest, pk: int, run, success: str) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=None), pk=pk)
    try:
        run(order)
    except PaymentError as error:
        messages.error(request, error.message)
    else:
        order.refresh_from_db()
        messages.success(
            request, success.format(order=order, status=order.get_payment_status_display())
        )
    return redirect(order.get_absolute_url())


@staff_required
@require_POST
def order_payment_capture(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        lambda order: services.payment_capture(order=order, actor=request.user),
        "Capture requested for order {order}: {status}.",
    )


@staff_required
@require_POST
def order_payment_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")[:500]
    return _staff_action(
        request,
        pk,
        lambda order: services.payment_mark_paid(order=order, actor=request.user, reason=reason),
        "Order {order} marked paid: {status}.",
    )


@staff_required
@require_POST
def order_payment_refund(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")[:500]
    try:
        amount = Decimal(request.POST.get("amount", "").strip())
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        amount = None

    def run(order):
        if amount is None:
            raise PaymentError("Enter the amount to refund, such as 12.50.", "amount")
        services.payment_refund(order=order, actor=request.user, amount=amount, reason=reason)

    return _staff_action(request, pk, run, "Refund requested for order {order}: {status}.")
