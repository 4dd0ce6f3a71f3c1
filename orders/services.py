from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.models import User
from channels.models import Listing
from core.tasks import enqueue_on_commit
from resellers.models import Reseller
from resellers.tasks import activate_reseller

from .choices import ALLOWED_TRANSITIONS, OrderSource, OrderStatus
from .exceptions import OrderTransitionNotAllowed, OrderValidationError, ResellerCannotOrder
from .invoicing import apply_invoice
from .models import InvoiceLine, Order, OrderEvent, OrderLine

MAX_LINES = 500
MAX_QUANTITY = 100_000
# ShipTo field -> (Order column, label, required): the one table behind the required check,
# the length check and the order's ship_* columns. The lengths are checked against the
# columns because order_place is the one way in: PostgreSQL refuses an over-long value with a
# DataError (a 500, not a clear message) and SQLite would silently store it.
SHIP_TO_FIELDS: dict[str, tuple[str, str, bool]] = {
    "name": ("ship_name", "Name", True),
    "company": ("ship_company", "Company", False),
    "address_line1": ("ship_address_line1", "Address line 1", True),
    "address_line2": ("ship_address_line2", "Address line 2", False),
    "city": ("ship_city", "City", True),
    "state": ("ship_state", "State", True),
    "postal_code": ("ship_postal_code", "Postal code", True),
    "country_code": ("ship_country", "Country", True),
    "phone": ("ship_phone", "Phone", False),
    "email": ("ship_email", "Email", False),
}


@dataclass(frozen=True)
class ShipTo:
    name: str = ""
    company: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass
class OrderRequest:
    """Everything needed to place an order, whichever surface it comes from."""

    reference_number: str
    ship_to: ShipTo
    items: list[LineRequest]
    shipping_method: str = ""
    note: str = ""
    source: str = OrderSource.PORTAL


def reseller_may_order_or_raise(reseller: Reseller) -> None:
    if not reseller.may_order:
        raise ResellerCannotOrder(
            f"This reseller account is {reseller.get_status_display().lower()}; "
            "only approved or active resellers can place orders."
        )
    if reseller.channel_id is None:
        # Approval always assigns a channel; this guards data edited by hand in the admin.
        raise ResellerCannotOrder(
            "This reseller account has no channel, so it has no catalog to order from. "
            "Contact us to have one assigned."
        )


def _ship_to_values(ship_to: ShipTo) -> dict[str, str]:
    """Each ShipTo field by name, stripped; a missing value (None) is empty."""
    return {name: str(getattr(ship_to, name) or "").strip() for name in SHIP_TO_FIELDS}


def _validate(reseller: Reseller, request: OrderRequest) -> dict[str, Listing]:
    """Every problem with the request at once, or the listings by SKU.

    A reference number the reseller already used is left to the unique constraint (see
    order_place): a query of its own on every order, for a mistake that is rare, and that the
    constraint has to catch anyway when two requests race.
    """
    errors: list[tuple[str, str]] = []
    reference = request.reference_number.strip()
    reference_limit = Order._meta.get_field("reference_number").max_length
    if not reference:
        errors.append(("reference_number", "Reference number is required."))
    elif len(reference) > reference_limit:
        errors.append(
            (
                "reference_number",
                f"Reference number must be at most {reference_limit} characters.",
            )
        )
    ship_to = _ship_to_values(request.ship_to)
    for name, (_column, label, required) in SHIP_TO_FIELDS.items():
        if required and not ship_to[name]:
            errors.append((f"shipping_address.{name}", f"{label} is required."))
    for name, (column, label, _required) in SHIP_TO_FIELDS.items():
        limit = Order._meta.get_field(column).max_length
        # The country has a check of its own below, which says more than its length would.
        if name != "country_code" and len(ship_to[name]) > limit:
            errors.append(
                (f"shipping_address.{name}", f"{label} must be at most {limit} characters.")
            )
    email = ship_to["email"]
    if email and len(email) <= Order._meta.get_field("ship_email").max_length:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(("shipping_address.email", f"Email “{email}” is not a valid address."))
    method_limit = Order._meta.get_field("shipping_method").max_length
    if len(request.shipping_method.strip()) > method_limit:
        errors.append(
            ("shipping_method", f"Shipping method must be at most {method_limit} characters.")
        )
    country = ship_to["country_code"]
    if country and (len(country) != 2 or not country.isalpha()):
        errors.append(
            ("shipping_address.country_code", "Country must be a two-letter code such as US.")
        )
    if request.source not in OrderSource.values:
        errors.append(("source", f"Source must be one of: {', '.join(OrderSource.values)}."))
    if not request.items:
        errors.append(("items", "Add at least one line with a SKU and a quantity."))
    if len(request.items) > MAX_LINES:
        errors.append(("items", f"An order can have at most {MAX_LINES} lines."))

    skus = {item.sku.strip() for item in request.items}
    listings = {
        listing.product.sku: listing
        for listing in Listing.objects.filter(
            channel=reseller.channel, is_active=True, product__sku__in=skus
        ).select_related("product")
    }
    seen: set[str] = set()
    for index, item in enumerate(request.items):
        sku = item.sku.strip()
        if not sku:
            errors.append((f"items[{index}].sku", f"Line {index + 1}: SKU is required."))
        elif sku not in listings:
            errors.append(
                (f"items[{index}].sku", f"Line {index + 1}: SKU “{sku}” is not in your catalog.")
            )
        elif sku in seen:
            errors.append(
                (
                    f"items[{index}].sku",
                    f"Line {index + 1}: SKU “{sku}” appears twice; "
                    "combine the quantities on one line.",
                )
            )
        seen.add(sku)
        # bool is an int in Python; `true` in a JSON body is not a quantity.
        if (
            not isinstance(item.quantity, int)
            or isinstance(item.quantity, bool)
            or item.quantity < 1
        ):
            errors.append(
                (f"items[{index}].quantity", f"Line {index + 1}: quantity must be at least 1.")
            )
        elif item.quantity > MAX_QUANTITY:
            errors.append(
                (
                    f"items[{index}].quantity",
                    f"Line {index + 1}: quantity must be at most {MAX_QUANTITY:,}.",
                )
            )
    if errors:
        raise OrderValidationError(errors)
    return listings


def order_place(
    *,
    reseller: Reseller,
    request: OrderRequest,
    actor: User | None = None,
    before_commit: Callable[[Order], None] | None = None,
) -> Order:
    """Place an order: the one way in for the portal, the API and Inventory Source.

    Prices come from the reseller's channel listings, never from the caller. Either the whole
    order (lines, invoice, first event) is saved or nothing is.

    `before_commit(order)` runs last, inside the order's transaction: what it writes (the API's
    idempotency record) commits or rolls back with the order, and an exception from it undoes
    the order. The caller needs no transaction of its own around this one, which would cost a
    savepoint and its release on every order.
    """
    try:
        return _order_place(
            reseller=reseller, request=request, actor=actor, before_commit=before_commit
        )
    except IntegrityError as error:
        # The reference number is already used (by an earlier order, or by a request that
        # raced ours): the unique constraint is the check. Both SQLite
        # ("orders_order.reference_number") and PostgreSQL (the constraint's name) mention
        # the column; any other integrity failure is re-raised rather than misreported as a
        # duplicate reference.
        reference = request.reference_number.strip()
        if "reference_number" in str(error):
            raise OrderValidationError(
                [("reference_number", f"You already have an order with reference “{reference}”.")]
            ) from error
        raise


def _reseller_for_order(reseller: Reseller) -> Reseller:
    """The reseller with its status as it is now, read inside the order's transaction.

    Callers pass the reseller they resolved for this request (the API key's, the logged-in
    user's), usually with its channel loaded. Re-reading the row with its channel would cost a
    join and two model instances on every order, so only what must be current is read again:
    the status (may it order? is this its first order?) and the channel id. When the channel
    changed since the caller loaded it, or was not loaded, the whole row is read as before.
    """
    status, channel_id = Reseller.objects.values_list("status", "channel_id").get(pk=reseller.pk)
    if channel_id != reseller.channel_id or (
        channel_id is not None and not Reseller.channel.is_cached(reseller)
    ):
        return Reseller.objects.select_related("channel").get(pk=reseller.pk)
    current = copy.copy(reseller)  # the caller's instance is not ours to change
    current.status = status
    return current


@transaction.atomic
def _order_place(
    *,
    reseller: Reseller,
    request: OrderRequest,
    actor: User | None,
    before_commit: Callable[[Order], None] | None = None,
) -> Order:
    reseller = _reseller_for_order(reseller)
    reseller_may_order_or_raise(reseller)
    listings = _validate(reseller, request)
    ship_to = _ship_to_values(request.ship_to)
    ship_columns = {column: ship_to[name] for name, (column, _, _) in SHIP_TO_FIELDS.items()}
    ship_columns["ship_country"] = ship_columns["ship_country"].upper()
    order = Order(
        reseller=reseller,
        channel=reseller.channel,
        currency=reseller.channel.currency,
        reference_number=request.reference_number.strip(),
        source=request.source,
        **ship_columns,
        shipping_method=request.shipping_method.strip(),
        note=request.note.strip(),
        created_by=actor,
    )
    lines = []
    for item in request.items:
        listing = listings[item.sku.strip()]
        lines.append(
            OrderLine(
                product=listing.product,
                sku=listing.product.sku,
                title=listing.product.title,
                quantity=item.quantity,
                unit_price=listing.price,
                unit_weight=listing.product.weight,
                line_total=listing.price * item.quantity,
            )
        )
    # The seam where the rules engine decides the invoice and the payment capture.
    invoice_lines = apply_invoice(order=order, lines=lines, reseller=reseller)
    order.save()  # the database numbers it (Order.number) and returns the number with the id
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    for invoice_line in invoice_lines:
        invoice_line.order = order
    InvoiceLine.objects.bulk_create(invoice_lines)
    # What was just saved is what the caller shows next (the API answers with the order, its
    # lines and invoice): keep it as if prefetched, so order.lines.all() and
    # order.invoice_lines.all() cost no query.
    _remember_related(order, "lines", lines)
    _remember_related(order, "invoice_lines", invoice_lines)
    OrderEvent.objects.create(
        order=order,
        kind="created",
        to_status=order.status,
        message=f"Placed via {order.get_source_display()}.",
        actor=actor,
    )
    if reseller.status == "approved":
        enqueue_on_commit(activate_reseller, reseller.pk)
    if before_commit is not None:
        before_commit(order)
    return order


def _remember_related(order: Order, name: str, objects: list) -> None:
    """Fill `order.<name>.all()` with `objects` the way prefetch_related() would."""
    queryset = getattr(order, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(order, "_prefetched_objects_cache"):
        order._prefetched_objects_cache = {}
    order._prefetched_objects_cache[name] = queryset


@transaction.atomic
def order_transition(
    *, order: Order, to_status: str, actor: User | None, message: str = ""
) -> Order:
    """Move an order to another status: the one place every order status change goes through."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    from_status = locked.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        raise OrderTransitionNotAllowed(
            f"A {OrderStatus(from_status).label.lower()} order cannot become "
            f"{OrderStatus(to_status).label.lower()}."
        )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    OrderEvent.objects.create(
        order=locked,
        kind="status_changed",
        from_status=from_status,
        to_status=to_status,
        message=message,
        actor=actor,
    )
    order.refresh_from_db()
    return locked
