"""Payment actions: staff record a capture; a reseller authorizes its own order's payment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.access import portal_view, staff_required
from core.money import format_money
from orders.payments import PaymentNotAllowed, payment_authorize, payment_capture
from orders.selectors import order_list
from resellers.models import Reseller


@staff_required
@require_POST
def order_record_capture(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=None), pk=pk)
    try:
        payment_capture(order=order, actor=request.user)
    except PaymentNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Capture of {format_money(order.total)} {order.currency} recorded for {order}.",
        )
    return redirect(order.get_absolute_url())


@portal_view
@require_POST
def order_authorize_payment(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=reseller), pk=pk)
    try:
        payment_authorize(order=order, actor=request.user)
    except PaymentNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Payment of {format_money(order.total)} {order.currency} for order {order} "
            "is authorized.",
        )
    return redirect(order.get_portal_url())
