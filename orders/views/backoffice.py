from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.views import filtered_list
from orders.choices import ALLOWED_TRANSITIONS, STATUS_ACTIONS, OrderStatus
from orders.exceptions import OrderError
from orders.filters import AllOrdersFilter, OrderFilter
from orders.selectors import order_list
from orders.services import order_transition
from orders.views.common import SHIPMENT_PREFETCH, order_events
from resellers.models import Reseller

MAX_NOTE_LENGTH = 500


@staff_required
def order_list_view(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        queryset=order_list(reseller=None),
        filterset_class=AllOrdersFilter,
        template_name="backoffice/orders/list.html",
    )


@staff_required
def reseller_orders(request: HttpRequest, pk: int) -> HttpResponse:
    reseller = get_object_or_404(Reseller, pk=pk)
    return filtered_list(
        request,
        queryset=order_list(reseller=reseller),
        filterset_class=OrderFilter,
        template_name="backoffice/orders/reseller_orders.html",
        context={"reseller": reseller, "active_tab": "orders"},
    )


def available_actions(status: str) -> list[tuple[str, str]]:
    """(action, label) pairs for the buttons allowed from `status`, in a stable order."""
    allowed = ALLOWED_TRANSITIONS.get(status, frozenset())
    return [
        (action, label) for action, (target, label) in STATUS_ACTIONS.items() if target in allowed
    ]


@staff_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=None).prefetch_related(*SHIPMENT_PREFETCH), pk=pk)
    return render(
        request,
        "backoffice/orders/detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "events": order_events(order),
            "actions": available_actions(order.status),
        },
    )


def _status_action(action: str) -> Callable[[HttpRequest, int], HttpResponse]:
    to_status, label = STATUS_ACTIONS[action]

    @staff_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        order = get_object_or_404(order_list(reseller=None), pk=pk)
        note = request.POST.get("note", "").strip()[:MAX_NOTE_LENGTH]
        try:
            order_transition(order=order, to_status=to_status, actor=request.user, message=note)
        except OrderError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Order {order.number} is now {OrderStatus(to_status).label.lower()}."
            )
        return redirect(order)

    view.__name__ = view.__qualname__ = f"order_{action}"
    view.__doc__ = f"{label}: move the order to {to_status} through order_transition."
    return view


order_hold = _status_action("hold")
order_release = _status_action("release")
order_close = _status_action("close")
