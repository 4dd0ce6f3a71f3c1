from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import portal_view
from orders.selectors import order_list
from resellers.models import Reseller


@portal_view
def home(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    recent_orders = order_list(reseller=reseller)[:5] if reseller.may_order else []
    return render(
        request, "portal/home.html", {"reseller": reseller, "recent_orders": recent_orders}
    )
