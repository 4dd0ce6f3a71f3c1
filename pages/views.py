"""Pages that show several apps' data side by side. Each app below keeps its own part (a
context function, a selector); this layer puts them on one page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apikeys.selectors import apikey_list
from channels.filters import CatalogFilter
from channels.selectors import listing_list_for_channel
from core.access import portal_view, staff_required
from core.views import filtered_list
from orders.queues import queue_counts
from orders.selectors import order_list
from resellers.models import Reseller
from resellers.views.backoffice import dashboard_context, reseller_detail_context
from rules.selectors import rule_list_for_reseller


@portal_view
def portal_home(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    recent_orders = order_list(reseller=reseller)[:5] if reseller.may_order else []
    return render(
        request, "portal/home.html", {"reseller": reseller, "recent_orders": recent_orders}
    )


@portal_view
def catalog(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    if not reseller.may_order:
        # Channel prices are terms offered to approved resellers; until approval (or while
        # suspended or denied) the page explains why ordering is off instead of listing them.
        return render(request, "portal/catalog.html", {"reseller": reseller, "may_order": False})
    return filtered_list(
        request,
        queryset=listing_list_for_channel(channel=reseller.channel),
        filterset_class=CatalogFilter,
        template_name="portal/catalog.html",
        context={"reseller": reseller, "may_order": True, "channel": reseller.channel},
    )


@staff_required
def reseller_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reseller = get_object_or_404(Reseller.objects.select_related("channel"), pk=pk)
    context = reseller_detail_context(reseller)
    # The sections from the other apps: recent orders, rules, API keys.
    context.update(
        recent_orders=order_list(reseller=reseller)[:5],
        reseller_rules=rule_list_for_reseller(reseller=reseller),
        api_keys=apikey_list(reseller=reseller),
    )
    return render(request, "backoffice/resellers/detail.html", context)


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The back office's front page: the reseller overview and the work queues across apps
    (each a count linking to its filtered list, `orders.queues`)."""
    context = dashboard_context()
    context["queues"] = queue_counts()
    return render(request, "backoffice/dashboard.html", context)
