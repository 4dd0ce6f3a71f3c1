from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access import portal_view
from resellers.models import Reseller


@portal_view
def home(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    recent_orders = reseller.orders.order_by("-created_at", "-id")[:5] if reseller.may_order else []
    return render(
        request, "portal/home.html", {"reseller": reseller, "recent_orders": recent_orders}
    )
