from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.access import portal_view
from core.money import format_money
from core.views import filtered_list
from orders.exceptions import OrderValidationError, ResellerCannotOrder
from orders.filters import OrderFilter
from orders.forms import (
    MAX_PAD_ROWS,
    OrderDetailsForm,
    OrderLineFormSet,
    OrderLinesCsvForm,
    ShipToForm,
    ship_to_form_name,
)
from orders.models import SHIP_TO_FIELDS
from orders.selectors import order_list
from orders.services import LineRequest, OrderRequest, ShipTo, order_place
from orders.views.common import SHIPMENT_PREFETCH, order_events
from resellers.models import Reseller


@portal_view
def order_list_view(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    return filtered_list(
        request,
        queryset=order_list(reseller=reseller),
        filterset_class=OrderFilter,
        template_name="portal/orders/list.html",
        context={"reseller": reseller},
    )


@portal_view
def order_detail(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    order = get_object_or_404(
        order_list(reseller=reseller).prefetch_related(*SHIPMENT_PREFETCH), pk=pk
    )
    return render(
        request,
        "portal/orders/detail.html",
        {
            "reseller": reseller,
            "order": order,
            "lines": order.lines.all(),
            "events": order_events(order),
        },
    )


@dataclass(frozen=True)
class _Origin:
    """Where an item of the order request came from, so its errors land in the right place."""

    field: str  # "pad", "lines_text" or "lines_file"
    position: int  # pad row index, or CSV line number


@dataclass
class _OrderPad:
    details: OrderDetailsForm
    ship_to: ShipToForm
    lines: OrderLineFormSet
    csv: OrderLinesCsvForm
    items_errors: list[str]
    general_errors: list[str]

    @classmethod
    def blank(cls, request: HttpRequest) -> _OrderPad:
        # "Order" buttons in the catalog link here with ?sku=...: start with those rows.
        skus = [sku.strip() for sku in request.GET.getlist("sku") if sku.strip()]
        initial = [{"sku": sku, "quantity": 1} for sku in skus[:MAX_PAD_ROWS]]
        return cls(
            details=OrderDetailsForm(),
            ship_to=ShipToForm(prefix="ship"),
            lines=OrderLineFormSet(prefix="lines", initial=initial or None),
            csv=OrderLinesCsvForm(),
            items_errors=[],
            general_errors=[],
        )

    @classmethod
    def bound(cls, request: HttpRequest) -> _OrderPad:
        return cls(
            details=OrderDetailsForm(request.POST),
            ship_to=ShipToForm(request.POST, prefix="ship"),
            lines=OrderLineFormSet(request.POST, prefix="lines"),
            csv=OrderLinesCsvForm(request.POST, request.FILES),
            items_errors=[],
            general_errors=[],
        )

    def is_valid(self) -> bool:
        # Every form is validated (no short-circuit) so all problems show at once.
        results = [form.is_valid() for form in (self.details, self.ship_to, self.lines, self.csv)]
        return all(results)

    def order_request(self) -> tuple[OrderRequest, list[_Origin]]:
        items: list[LineRequest] = []
        origins: list[_Origin] = []
        for index, form in enumerate(self.lines.forms):
            if form.is_blank:
                continue
            items.append(
                LineRequest(
                    sku=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"] or 0
                )
            )
            origins.append(_Origin("pad", index))
        for field in ("lines_file", "lines_text"):
            for line in self.csv.cleaned_data.get(f"{field}_lines", []):
                items.append(LineRequest(sku=line.sku, quantity=line.quantity))
                origins.append(_Origin(field, line.line))
        ship = self.ship_to.cleaned_data
        details = self.details.cleaned_data
        request = OrderRequest(
            reference_number=details["reference_number"],
            shipping_method=details["shipping_method"],
            note=details["note"],
            ship_to=ShipTo(**{name: ship[ship_to_form_name(name)] for name in SHIP_TO_FIELDS}),
            items=items,
        )
        return request, origins

    def attach(self, error: OrderValidationError, origins: list[_Origin]) -> None:
        """Put each of order_place's errors next to the field it is about."""
        for problem in error.field_errors:
            field, message = problem.field, problem.message
            if problem.item is not None and problem.item < len(origins):
                origin = origins[problem.item]
                if origin.field == "pad":
                    row = self.lines.forms[origin.position]
                    if field in row.fields:
                        row.add_error(field, message)
                    else:
                        self.items_errors.append(f"Row {origin.position + 1}: {message}")
                else:
                    source = "file" if origin.field == "lines_file" else "pasted text"
                    self.csv.add_error(
                        origin.field, f"In the {source}: line {origin.position}: {message}"
                    )
            elif problem.item is not None:
                self.items_errors.append(problem.full_message)
            elif field == "reference_number":
                self.details.add_error("reference_number", message)
            elif field in ("note", "shipping_method"):
                self.details.add_error(field, message)
            elif field.startswith("shipping_address."):
                name = ship_to_form_name(field.removeprefix("shipping_address."))
                if name in self.ship_to.fields:
                    self.ship_to.add_error(name, message)
                else:
                    self.general_errors.append(message)
            elif field == "items":
                self.items_errors.append(message)
            else:
                self.general_errors.append(message)

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error list at the top of the page."""
        entries: list[tuple[str, str]] = [("order-form", text) for text in self.general_errors]
        for form in (self.details, self.csv):
            entries.extend(("order-form", str(error)) for error in form.non_field_errors())
        entries.extend(_field_entries(self.details))
        entries.extend(("order-lines", text) for text in self.items_errors)
        entries.extend(("order-lines", str(error)) for error in self.lines.non_form_errors())
        for index, form in enumerate(self.lines.forms):
            entries.extend(
                (anchor, f"Row {index + 1}: {text}") for anchor, text in _field_entries(form)
            )
        entries.extend(_field_entries(self.csv))
        entries.extend(_field_entries(self.ship_to))
        return entries


def _field_entries(form) -> list[tuple[str, str]]:
    if not form.is_bound:
        return []
    return [
        (form[name].id_for_label, str(error))
        for name, errors in form.errors.items()
        if name != "__all__"
        for error in errors
    ]


@portal_view
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    if not reseller.may_order:
        return render(
            request,
            "portal/orders/create.html",
            {"reseller": reseller, "may_order": False},
            status=403 if request.method == "POST" else 200,
        )
    if request.method == "GET":
        return _render_pad(request, reseller, _OrderPad.blank(request))

    pad = _OrderPad.bound(request)
    if not pad.is_valid():
        return _render_pad(request, reseller, pad)
    order_request, origins = pad.order_request()
    try:
        # Prices, totals and every business rule live in the service, never in this view.
        order = order_place(reseller=reseller, request=order_request, actor=request.user)
    except OrderValidationError as error:
        pad.attach(error, origins)
        if request.FILES.get("lines_file"):
            pad.general_errors.append("Choose the CSV file again after fixing the problems.")
        return _render_pad(request, reseller, pad)
    except ResellerCannotOrder as error:
        # The account's status changed between opening the page and submitting it.
        messages.error(request, str(error))
        return redirect("portal:order_create")
    count = len(order_request.items)
    messages.success(
        request,
        f"Order {order.number} placed: {count} line{'s' if count != 1 else ''}, "
        f"{format_money(order.total)} {order.currency}.",
    )
    return redirect(order.get_portal_url())


def _render_pad(request: HttpRequest, reseller: Reseller, pad: _OrderPad) -> HttpResponse:
    summary = pad.summary()
    return render(
        request,
        "portal/orders/create.html",
        {
            "reseller": reseller,
            "may_order": True,
            "pad": pad,
            "details_form": pad.details,
            "ship_to_form": pad.ship_to,
            "line_formset": pad.lines,
            "csv_form": pad.csv,
            "error_summary": summary,
        },
        status=200,
    )
