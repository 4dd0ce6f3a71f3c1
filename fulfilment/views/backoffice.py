from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.access import staff_required
from orders.selectors import order_list

from ..exceptions import CancelNotAllowed, ShipmentInvalid, TrackingImportError
from ..forms import ShipmentForm, StaffCancelForm, TrackingImportForm
from ..imports import tracking_import_csv
from ..selectors import lines_left
from ..services import order_cancel, shipment_create, shipping_refusal

MAX_SHOWN_ROW_ERRORS = 200


@staff_required
@require_http_methods(["GET", "POST"])
def shipment_add(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=None), pk=pk)
    refusal = shipping_refusal(order)
    if refusal:
        messages.error(request, refusal)
        return redirect(order)
    form = ShipmentForm(
        request.POST if request.method == "POST" else None, lines_left=lines_left(order=order)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shipment = shipment_create(
                order=order,
                carrier=data["carrier"],
                service=data["service"],
                tracking_number=data["tracking_number"],
                tracking_url=data["tracking_url"],
                shipped_at=form.shipped_at_value(),
                quantities=form.quantities(),
                actor=request.user,
            )
        except ShipmentInvalid as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(
                request,
                f"Shipment {shipment.carrier} {shipment.tracking_number} added; order "
                f"{order.number} is now {order.get_status_display().lower()}.",
            )
            return redirect(order)
    return render(request, "backoffice/shipments/create.html", {"order": order, "form": form})


@staff_required
@require_POST
def order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(order_list(reseller=None), pk=pk)
    form = StaffCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for canceling: the reseller sees it on the order.")
        return redirect(order)
    try:
        order_cancel(order=order, actor=request.user, reason=form.cleaned_data["reason"])
    except CancelNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Order {order.number} is now {order.get_status_display().lower()}."
        )
    return redirect(order)


@staff_required
@require_http_methods(["GET", "POST"])
def tracking_import(request: HttpRequest) -> HttpResponse:
    form = TrackingImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = tracking_import_csv(text=form.cleaned_data["csv_text"], actor=request.user)
        except TrackingImportError as error:
            row_errors = error.errors
            messages.error(request, str(error))
        else:
            skipped = (
                f" {result.skipped} rows were already recorded and skipped."
                if result.skipped
                else ""
            )
            messages.success(
                request,
                f"Imported {result.shipments} shipments for {result.orders} orders.{skipped}",
            )
            return redirect("backoffice:order_list")
    return render(
        request,
        "backoffice/shipments/import.html",
        {
            "form": form,
            "row_errors": row_errors[:MAX_SHOWN_ROW_ERRORS],
            "hidden_error_count": max(len(row_errors) - MAX_SHOWN_ROW_ERRORS, 0),
        },
    )
