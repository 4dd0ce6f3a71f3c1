from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from channels.filters import CatalogFilter
from channels.selectors import listing_list_for_channel
from core.access import portal_view
from core.views import filtered_list
from resellers.models import Reseller


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
