from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

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
from orders.invoice import invoice_document, order_totals
from orders.models import SHIP_TO_FIELDS, Order
from orders.selectors import order_list
from orders.services import (
    LineRequest,
    OrderQuote,
    OrderRequest,
    ShipTo,
    order_place,
    order_quote,
)
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
    # Pad rows the forms refused, left out of the request (see order_request).
    skipped_rows: int = 0

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
        """The request the pad describes, from whatever parts of it are well-formed.

        A row or field the forms refused (a quantity that is not a number) is left out, so
        that order_quote can still report every other problem in the same answer; the pad
        is never placed while any form has errors (see _answer).
        """
        items: list[LineRequest] = []
        origins: list[_Origin] = []
        self.skipped_rows = 0
        for index, form in enumerate(self.lines.forms):
            data = getattr(form, "cleaned_data", {})
            if form.errors:
                self.skipped_rows += 1
                continue
            if form.is_blank:
                continue
            items.append(LineRequest(sku=data["sku"], quantity=data["quantity"] or 0))
            origins.append(_Origin("pad", index))
        csv_data = getattr(self.csv, "cleaned_data", {})
        for field in ("lines_file", "lines_text"):
            for line in csv_data.get(f"{field}_lines", []):
                items.append(LineRequest(sku=line.sku, quantity=line.quantity))
                origins.append(_Origin(field, line.line))
        ship = getattr(self.ship_to, "cleaned_data", {})
        details = getattr(self.details, "cleaned_data", {})
        request = OrderRequest(
            reference_number=details.get("reference_number") or "",
            shipping_method=details.get("shipping_method") or "",
            note=details.get("note") or "",
            ship_to=ShipTo(
                **{name: ship.get(ship_to_form_name(name)) or "" for name in SHIP_TO_FIELDS}
            ),
            items=items,
        )
        return request, origins

    def lines_as_text(self) -> str:
        """Every CSV line the pad was given (the uploaded file's first, as order_request
        orders them), as text the review page can send back: a file cannot be re-posted."""
        data = getattr(self.csv, "cleaned_data", {})
        lines = [*data.get("lines_file_lines", []), *data.get("lines_text_lines", [])]
        return "".join(f"{line.sku},{line.quantity}\n" for line in lines)

    def attach(self, error: OrderValidationError, origins: list[_Origin]) -> None:
        """Put each of order_place's errors next to the field it is about."""
        for problem in error.field_errors:
            field, message = problem.field, problem.message
            if field == "items" and not origins and self.skipped_rows:
                continue  # the rows are there; the forms already said what is wrong with them
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
    """The order pad. Its buttons: **Place order** (the default, as before Review existed)
    and **Review order**, which shows the invoice the rules will produce without saving; the
    review page sends the same pad back to be placed or edited."""
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
    action = request.POST.get("action", "place")
    if action == "edit":
        pad.is_valid()  # cleans the forms so the pad shows what was sent back, unchanged
        return _render_pad(request, reseller, pad, show_errors=False)
    answer = _answer(request, pad, reseller, place=action != "review")
    if isinstance(answer, HttpResponse):
        return answer
    if answer is None:
        return _render_pad(request, reseller, pad, reviewing=action == "review")
    if isinstance(answer, OrderQuote):
        return render(
            request,
            "portal/orders/review.html",
            {
                "reseller": reseller,
                "invoice": invoice_document(
                    order=answer.order,
                    lines=answer.lines,
                    invoice_lines=answer.invoice_lines,
                    reseller=reseller,
                ),
                "resend": _resend_fields(request, pad),
            },
        )
    order, count = answer
    messages.success(
        request,
        f"Order {order.number} placed: {count} line{'s' if count != 1 else ''}, "
        f"{format_money(order.total)} {order.currency}. Invoice {order.invoice_number}.",
    )
    return redirect(order.get_portal_url())


def _answer(
    request: HttpRequest, pad: _OrderPad, reseller: Reseller, *, place: bool
) -> tuple[Order, int] | OrderQuote | HttpResponse | None:
    """Quote or place the pad: the placed order and its line count, the quote, a redirect
    (the account may no longer order), or None when it has problems (attached to the pad,
    all of them).

    The forms' own errors (a quantity that is not a number) and the service's (unknown SKU,
    missing city, stock) come back together: with any form error the well-formed rest is
    still quoted, saving nothing, to collect what the service has to say.
    """
    forms_valid = pad.is_valid()
    order_request, origins = pad.order_request()
    try:
        if forms_valid and place:
            # Prices, totals and every business rule live in the service, never in this view.
            order = order_place(reseller=reseller, request=order_request, actor=request.user)
            return order, len(order_request.items)
        quote = order_quote(reseller=reseller, request=order_request)
    except OrderValidationError as error:
        pad.attach(error, origins)
        if pad.csv.files.get("lines_file"):
            pad.general_errors.append("Choose the CSV file again after fixing the problems.")
        return None
    except ResellerCannotOrder as error:
        # The account's status changed between opening the page and submitting it.
        messages.error(request, str(error))
        return redirect("portal:order_create")
    return quote if forms_valid else None


def _resend_fields(request: HttpRequest, pad: _OrderPad) -> list[tuple[str, str]]:
    """The pad as hidden fields on the review page, so Place order and Edit order send it
    back: every posted field but the token and the button, with the uploaded file's lines
    folded into the pasted text."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "action", "lines_text")
        for value in request.POST.getlist(name)
    ]
    fields.append(("lines_text", pad.lines_as_text()))
    return fields


@portal_view
@require_POST
def order_preview(request: HttpRequest, *, reseller: Reseller) -> JsonResponse:
    """The order pad's live summary: the pad quoted by order_quote, as JSON, saving nothing.

    `ok` with the invoice's numbers, or the problems (each with the id of the field it is
    about, when it has one) exactly as Review order would list them.
    """
    if not reseller.may_order:
        return JsonResponse(
            {"ok": False, "errors": [{"anchor": "", "message": "You cannot order."}]}, status=403
        )
    pad = _OrderPad.bound(request)
    answer = _answer(request, pad, reseller, place=False)
    if not isinstance(answer, OrderQuote):
        return JsonResponse(
            {
                "ok": False,
                "errors": [{"anchor": anchor, "message": text} for anchor, text in pad.summary()],
            }
        )
    order = answer.order
    return JsonResponse(
        {
            "ok": True,
            "currency": order.currency,
            "lines": [
                {
                    "sku": line.sku,
                    "title": line.title,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total": str(line.line_total),
                }
                for line in answer.lines
            ],
            "charges": [
                {"label": line.label, "kind": line.get_kind_display(), "amount": str(line.amount)}
                for line in answer.invoice_lines
            ],
            "totals": [
                {"label": row.label, "amount": str(row.amount)} for row in order_totals(order)
            ],
            "due_date": order.due_date.isoformat() if order.due_date else None,
            "tax_exemption": order.tax_exemption,
        }
    )


def _render_pad(
    request: HttpRequest,
    reseller: Reseller,
    pad: _OrderPad,
    *,
    reviewing: bool = False,
    show_errors: bool = True,
) -> HttpResponse:
    summary = pad.summary() if show_errors else []
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
            "reviewing": reviewing,
        },
        status=200,
    )
