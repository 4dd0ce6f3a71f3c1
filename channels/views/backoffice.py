from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from channels.exceptions import CatalogError, ListingImportError, StockImportError
from channels.filters import ListingFilter, ProductFilter
from channels.forms import (
    ChannelForm,
    ListingForm,
    ListingImportForm,
    ProductForm,
    StockImportForm,
)
from channels.models import Channel, Listing, Product
from channels.selectors import (
    channel_list,
    listing_list,
    listing_list_for_product,
    product_list,
    stock_adjustments_for_product,
)
from channels.services import (
    channel_save,
    listing_import_csv,
    listing_save,
    product_save,
    stock_import_csv,
)
from core.access import staff_required
from core.concurrency import StaleEdit
from core.money import format_money
from core.views import filtered_list

# A file with thousands of bad rows is usually one systematic mistake; show enough to spot it.
MAX_SHOWN_ROW_ERRORS = 200


@staff_required
def channel_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/channels/list.html", {"channels": channel_list()})


@staff_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk) if pk else None
    form = ChannelForm(request.POST if request.method == "POST" else None, instance=channel)
    if request.method == "POST" and form.is_valid():
        try:
            saved = channel_save(
                channel=channel,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Channel “{saved}” saved.")
            return redirect("backoffice:channel_list")
    return render(request, "backoffice/channels/edit.html", {"form": form, "channel": channel})


@staff_required
def product_list_view(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        queryset=product_list(),
        filterset_class=ProductFilter,
        template_name="backoffice/products/list.html",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk) if pk else None
    form = ProductForm(request.POST if request.method == "POST" else None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            if product is not None and "stock" not in form.changed_data:
                # Orders ship and reserve while the form is open: a stock on hand the staff
                # member did not touch is not theirs to write back.
                data.pop("stock", None)
            saved = product_save(
                product=product,
                data=data,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except (CatalogError, StaleEdit) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Product {saved.sku} saved.")
            return redirect("backoffice:product_list")
    listings = listing_list_for_product(product=product) if product else []
    adjustments = stock_adjustments_for_product(product=product)[:50] if product else []
    return render(
        request,
        "backoffice/products/edit.html",
        {"form": form, "product": product, "listings": listings, "adjustments": adjustments},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def stock_import(request: HttpRequest) -> HttpResponse:
    """Set stock on hand from a CSV `sku,stock`: all or nothing, every change recorded."""
    form = StockImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = stock_import_csv(text=form.cleaned_data["csv_text"], actor=request.user)
        except StockImportError as error:
            row_errors = error.errors
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Stock imported: {result.updated} products changed, {result.unchanged} unchanged.",
            )
            return redirect("backoffice:product_list")
    return render(
        request,
        "backoffice/products/stock_import.html",
        {
            "form": form,
            "row_errors": row_errors[:MAX_SHOWN_ROW_ERRORS],
            "hidden_error_count": max(len(row_errors) - MAX_SHOWN_ROW_ERRORS, 0),
        },
    )


@staff_required
def listing_list_view(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        queryset=listing_list(),
        filterset_class=ListingFilter,
        template_name="backoffice/listings/list.html",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("product"), pk=pk) if pk else None
    initial = {}
    if listing is None:
        # "List it" links from a product page or a channel pre-fill the form.
        initial = {key: request.GET[key] for key in ("channel", "sku") if request.GET.get(key)}
    form = ListingForm(
        request.POST if request.method == "POST" else None, instance=listing, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = listing_save(
                listing=listing,
                data=form.listing_data,
                expected_version=form.cleaned_data["version"],
            )
        except (CatalogError, StaleEdit) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{saved.product.sku} on {saved.channel} at {format_money(saved.price)} saved.",
            )
            return redirect(f"{reverse('backoffice:listing_list')}?channel={saved.channel_id}")
    return render(request, "backoffice/listings/edit.html", {"form": form, "listing": listing})


@staff_required
@require_http_methods(["GET", "POST"])
def listing_import(request: HttpRequest) -> HttpResponse:
    form = ListingImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"channel": request.GET.get("channel")} if request.GET.get("channel") else None,
    )
    row_errors = []
    if request.method == "POST" and form.is_valid():
        channel = form.cleaned_data["channel"]
        try:
            result = listing_import_csv(channel=channel, text=form.cleaned_data["csv_text"])
        except ListingImportError as error:
            row_errors = error.errors
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Imported {result.total} rows into {channel}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged.",
            )
            return redirect(f"{reverse('backoffice:listing_list')}?channel={channel.pk}")
    return render(
        request,
        "backoffice/listings/import.html",
        {
            "form": form,
            "row_errors": row_errors[:MAX_SHOWN_ROW_ERRORS],
            "hidden_error_count": max(len(row_errors) - MAX_SHOWN_ROW_ERRORS, 0),
        },
    )
