from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.access import portal_view
from orders.selectors import order_list
from resellers.models import Reseller

from ..exceptions import CancelNotAllowed
from ..services import order_cancel


@portal_view
@require_POST
def order_cancel_view(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=reseller), pk=pk)
    try:
        order_cancel(
            order=order,
            actor=request.user,
            reason=request.POST.get("reason", "").strip()[:500],
            by_reseller=True,
        )
    except CancelNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Order {order.number} is canceled; its stock is released.")
    return redirect(order.get_portal_url())
