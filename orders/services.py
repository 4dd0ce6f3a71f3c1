from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import User
from channels.choices import StockPolicy
from channels.exceptions import InsufficientStock, Shortfall
from channels.models import Listing
from channels.services import StockRequest, stock_release, stock_reserve
from core.tasks import enqueue_on_commit
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters
from resellers.models import Reseller
from resellers.tasks import activate_reseller

from .choices import (
    ALLOWED_TRANSITIONS,
    SHIPPING_METHODS,
    CaptureMode,
    OrderEventKind,
    OrderSource,
    OrderStatus,
    shipping_method_canonical,
)
from .events import order_placed_event, order_status_changed_event
from .exceptions import (
    FieldError,
    OrderTransitionNotAllowed,
    OrderValidationError,
    ResellerCannotOrder,
)
from .invoicing import apply_invoice
from .models import (
    NOTE_MAX_LENGTH,
    SHIP_TO_FIELDS,
    InvoiceLine,
    InvoiceSequence,
    Order,
    OrderEvent,
    OrderLine,
    invoice_number_format,
    ship_to_field,
)
from .signals import order_placed, order_status_changed

MAX_LINES = 500
MAX_QUANTITY = 100_000


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
    errors: list[FieldError] = []
    reference = request.reference_number.strip()
    reference_limit = Order._meta.get_field("reference_number").max_length
    if not reference:
        errors.append(FieldError("reference_number", "Reference number is required."))
    elif len(reference) > reference_limit:
        errors.append(
            FieldError(
                "reference_number",
                f"Reference number must be at most {reference_limit} characters.",
            )
        )
    # The lengths are checked against the columns because order_place is the one way in:
    # PostgreSQL refuses an over-long value with a DataError (a 500, not a clear message) and
    # SQLite would silently store it.
    ship_to = _ship_to_values(request.ship_to)
    for name in SHIP_TO_FIELDS:
        column = ship_to_field(name)
        label = capfirst(column.verbose_name)
        if not column.blank and not ship_to[name]:
            errors.append(FieldError(f"shipping_address.{name}", f"{label} is required."))
    for name in SHIP_TO_FIELDS:
        column = ship_to_field(name)
        label = capfirst(column.verbose_name)
        # The country has a check of its own below, which says more than its length would.
        if name != "country_code" and len(ship_to[name]) > column.max_length:
            errors.append(
                FieldError(
                    f"shipping_address.{name}",
                    f"{label} must be at most {column.max_length} characters.",
                )
            )
    # One-line values: a CR/LF in a name splits a CSV row or an e-mail header downstream.
    one_line = {"reference_number": reference, "shipping_method": request.shipping_method}
    one_line.update({f"shipping_address.{name}": value for name, value in ship_to.items()})
    errors.extend(
        FieldError(path, SINGLE_LINE_MESSAGE)
        for path, value in one_line.items()
        if has_control_characters(value)
    )
    email = ship_to["email"]
    if email and len(email) <= ship_to_field("email").max_length:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                FieldError("shipping_address.email", f"Email “{email}” is not a valid address.")
            )
    method_limit = Order._meta.get_field("shipping_method").max_length
    if len(request.shipping_method.strip()) > method_limit:
        errors.append(
            FieldError(
                "shipping_method", f"Shipping method must be at most {method_limit} characters."
            )
        )
    elif shipping_method_canonical(request.shipping_method) is None:
        errors.append(
            FieldError(
                "shipping_method",
                f"Shipping method “{request.shipping_method.strip()}” is not offered; use one "
                f"of: {', '.join(SHIPPING_METHODS)}.",
            )
        )
    if len(request.note.strip()) > NOTE_MAX_LENGTH:
        errors.append(FieldError("note", f"Note must be at most {NOTE_MAX_LENGTH:,} characters."))
    country = ship_to["country_code"]
    if country and (len(country) != 2 or not country.isalpha()):
        errors.append(
            FieldError(
                "shipping_address.country_code", "Country must be a two-letter code such as US."
            )
        )
    if request.source not in OrderSource.values:
        errors.append(
            FieldError("source", f"Source must be one of: {', '.join(OrderSource.values)}.")
        )
    if not request.items:
        errors.append(FieldError("items", "Add at least one line with a SKU and a quantity."))
    if len(request.items) > MAX_LINES:
        errors.append(FieldError("items", f"An order can have at most {MAX_LINES} lines."))

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
            errors.append(FieldError("sku", "SKU is required.", item=index))
        elif sku not in listings:
            errors.append(FieldError("sku", f"SKU “{sku}” is not in your catalog.", item=index))
        elif sku in seen:
            errors.append(
                FieldError(
                    "sku",
                    f"SKU “{sku}” appears twice; combine the quantities on one line.",
                    item=index,
                )
            )
        seen.add(sku)
        # bool is an int in Python; `true` in a JSON body is not a quantity.
        if (
            not isinstance(item.quantity, int)
            or isinstance(item.quantity, bool)
            or item.quantity < 1
        ):
            errors.append(FieldError("quantity", "Quantity must be at least 1.", item=index))
        elif item.quantity > MAX_QUANTITY:
            errors.append(
                FieldError("quantity", f"Quantity must be at most {MAX_QUANTITY:,}.", item=index)
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
                [
                    FieldError(
                        "reference_number",
                        f"You already have an order with reference “{reference}”.",
                    )
                ]
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


@dataclass
class OrderQuote:
    """An order priced by the rules but not saved: what placing `request` now would produce.

    `order` carries the totals, tax, capture decision and due date; `lines` and
    `invoice_lines` are the rows placement would save. No invoice number: that is taken only
    when the order is placed.
    """

    order: Order
    lines: list[OrderLine]
    invoice_lines: list[InvoiceLine]


def order_quote(*, reseller: Reseller, request: OrderRequest) -> OrderQuote:
    """Price `request` exactly as order_place would, saving nothing (the order pad's
    Review order and its live summary).

    Raises what order_place raises before it writes: ResellerCannotOrder, or
    OrderValidationError listing every problem with the request at once.
    """
    reseller = _reseller_for_order(reseller)
    # Placement leaves a reused reference to the unique constraint (no query of its own on
    # every order); a review has no insert to trip it, so it asks, and reports it with the rest.
    reference = request.reference_number.strip()
    used = (
        bool(reference)
        and Order.objects.filter(reseller=reseller, reference_number=reference).exists()
    )
    used_error = FieldError(
        "reference_number", f"You already have an order with reference “{reference}”."
    )
    errors = [used_error] if used else []
    try:
        quote = _quote(reseller=reseller, request=request, actor=None)
    except OrderValidationError as error:
        raise OrderValidationError([*errors, *error.field_errors]) from error
    errors += _stock_errors(reseller, quote.lines)
    if errors:
        raise OrderValidationError(errors)
    return quote


def _stock_errors(reseller: Reseller, lines: list[OrderLine]) -> list[FieldError]:
    """The shortfalls a review can see before placement reserves, from the products the
    listings already loaded (no query). Placement's conditional UPDATE stays the authority
    when orders race for the last units."""
    if reseller.channel.stock_policy == StockPolicy.BACKORDER:
        return []
    wanted: dict[int, int] = {}
    for line in lines:
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    errors = []
    for index, line in enumerate(lines):
        available = line.product.available
        if wanted[line.product_id] > available:
            short = Shortfall(
                position=index, sku=line.sku, available=available, requested=line.quantity
            )
            errors.append(FieldError("quantity", f"{short.message}.", item=index))
    return errors


def _quote(*, reseller: Reseller, request: OrderRequest, actor: User | None) -> OrderQuote:
    """The one computation behind both order_quote and order_place: validate, price from the
    listings, run the rules. Reads only; `reseller` is already current (_reseller_for_order).
    """
    reseller_may_order_or_raise(reseller)
    listings = _validate(reseller, request)
    ship_to = _ship_to_values(request.ship_to)
    ship_columns = {column: ship_to[name] for name, column in SHIP_TO_FIELDS.items()}
    ship_columns["ship_country"] = ship_columns["ship_country"].upper()
    order = Order(
        reseller=reseller,
        channel=reseller.channel,
        currency=reseller.channel.currency,
        reference_number=request.reference_number.strip(),
        source=request.source,
        **ship_columns,
        shipping_method=shipping_method_canonical(request.shipping_method),
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
    _check_line_totals_fit(lines)
    # The seam where the rules engine decides the invoice and the payment capture.
    invoice_lines = apply_invoice(order=order, lines=lines, reseller=reseller)
    _check_order_totals_fit(order, invoice_lines)
    if order.capture_mode == CaptureMode.DEFERRED:
        order.due_date = timezone.localdate() + datetime.timedelta(days=reseller.payment_terms)
    return OrderQuote(order=order, lines=lines, invoice_lines=invoice_lines)


@transaction.atomic
def _order_place(
    *,
    reseller: Reseller,
    request: OrderRequest,
    actor: User | None,
    before_commit: Callable[[Order], None] | None = None,
) -> Order:
    reseller = _reseller_for_order(reseller)
    quote = _quote(reseller=reseller, request=request, actor=actor)
    order, lines, invoice_lines = quote.order, quote.lines, quote.invoice_lines
    # Last of the checks, so an order refused for anything else never touches the stock rows.
    _reserve_stock(reseller=reseller, lines=lines)
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
    order_placed_event(order=order, actor=actor)
    # The invoice number is taken last among the order's own writes: the counter row stays
    # locked from here to the commit, and every order placed meanwhile waits on it, so the
    # inserts above happen outside the lock (one more UPDATE; measured in the commit).
    order.invoice_number = _next_invoice_number()
    Order.objects.filter(pk=order.pk).update(invoice_number=order.invoice_number)
    if reseller.status == "approved":
        enqueue_on_commit(activate_reseller, reseller.pk)
    # Payments decide the payment status and schedule the gateway from here (payments app).
    order_placed.send(sender=Order, order=order)
    if before_commit is not None:
        before_commit(order)
    return order


def _next_invoice_number() -> str:
    """The next INV- number, taken inside the order's transaction.

    Race: two orders placed at once must never get the same number, and an order that rolls
    back must give its number back (gap-free, which a database sequence is not). The UPDATE
    locks the counter row until this transaction ends, so concurrent placements take numbers
    one after the other, and a rollback undoes the increment with the order. One statement
    (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35) keeps the lock's cost to one round trip.
    """
    table = connection.ops.quote_name(InvoiceSequence._meta.db_table)
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE {table} SET last_value = last_value + 1 WHERE id = %s "  # noqa: S608
                "RETURNING last_value",
                [InvoiceSequence.SINGLETON_PK],
            )
            row = cursor.fetchone()
            if row is not None:
                return invoice_number_format(row[0])
            # The row is made by migration 0004; a database emptied since (a test flush)
            # gets it back here. get_or_create copes with two orders recreating it at once.
            InvoiceSequence.objects.get_or_create(pk=InvoiceSequence.SINGLETON_PK)
    raise RuntimeError("The invoice number counter row could not be created.")


def _money_fits(value: Decimal, model: type[models.Model], name: str) -> bool:
    """Whether `value` fits the DecimalField `model.name`: PostgreSQL refuses a number with
    more digits than the column holds (numeric field overflow, a 500) and SQLite's adapter
    raises on it, so every money value is checked against its column before it is saved."""
    column = model._meta.get_field(name)
    return abs(value) < Decimal(10) ** (column.max_digits - column.decimal_places)


def _largest_money(model: type[models.Model], name: str) -> str:
    column = model._meta.get_field(name)
    places = column.decimal_places
    largest = Decimal(10) ** (column.max_digits - places) - Decimal(1).scaleb(-places)
    return f"{largest:,.{places}f}"


def _check_line_totals_fit(lines: list[OrderLine]) -> None:
    """Each line's total fits its column, and so does their sum (the order's subtotal)."""
    errors = [
        FieldError(
            "quantity",
            f"The line total {line.line_total:,.2f} is more than an order line can hold "
            f"({_largest_money(OrderLine, 'line_total')}); lower the quantity.",
            item=index,
        )
        for index, line in enumerate(lines)
        if not _money_fits(line.line_total, OrderLine, "line_total")
    ]
    if not errors and not _money_fits(sum(line.line_total for line in lines), Order, "subtotal"):
        errors.append(_order_too_large())
    if errors:
        raise OrderValidationError(errors)


def _check_order_totals_fit(order: Order, invoice_lines: list[InvoiceLine]) -> None:
    """The totals the invoicing rules computed (fees as a percentage, shipping per pound…)
    fit their columns too."""
    values = [(InvoiceLine, "amount", line.amount) for line in invoice_lines]
    values += [
        (Order, name, getattr(order, name))
        for name in (
            "subtotal",
            "shipping_total",
            "fees_total",
            "other_total",
            "discount_total",
            "tax",
            "total",
        )
    ]
    if order.max_auto_capture is not None:
        values.append((Order, "max_auto_capture", order.max_auto_capture))
    if not all(_money_fits(value, model, name) for model, name, value in values):
        raise OrderValidationError([_order_too_large()])


def _order_too_large() -> FieldError:
    return FieldError(
        "items",
        f"The order's total is more than an order can hold "
        f"({_largest_money(Order, 'total')}); split it into smaller orders.",
    )


def _reserve_stock(*, reseller: Reseller, lines: list[OrderLine]) -> None:
    """Reserve every line's units, or refuse the order naming each short SKU.

    Inside order_place's transaction: a refused order reserves nothing, and a placed order's
    reservation commits with it. The channel's policy may accept backorders instead.
    """
    requests = [
        StockRequest(
            position=index, product_id=line.product_id, sku=line.sku, quantity=line.quantity
        )
        for index, line in enumerate(lines)
    ]
    try:
        stock_reserve(
            requests=requests,
            allow_backorder=reseller.channel.stock_policy == StockPolicy.BACKORDER,
        )
    except InsufficientStock as error:
        raise OrderValidationError(
            [
                FieldError("quantity", f"{shortfall.message}.", item=shortfall.position)
                for shortfall in error.shortfalls
            ]
        ) from error


def _remember_related(order: Order, name: str, objects: list) -> None:
    """Fill `order.<name>.all()` with `objects` the way prefetch_related() would."""
    queryset = getattr(order, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(order, "_prefetched_objects_cache"):
        order._prefetched_objects_cache = {}
    order._prefetched_objects_cache[name] = queryset


def _transition_refusal(from_status: str, to_status: str) -> str:
    if to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        return ""
    if to_status == OrderStatus.CANCELED and from_status in (
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CLOSED,
    ):
        return (
            f"This order is {OrderStatus(from_status).label.lower()}, so it cannot be canceled; "
            "what has shipped cannot be called back."
        )
    return (
        f"A {OrderStatus(from_status).label.lower()} order cannot become "
        f"{OrderStatus(to_status).label.lower()}."
    )


def _release_unshipped(order: Order) -> None:
    """A canceled order's reservations go back on the shelf.

    Only an order with nothing shipped can be canceled (ALLOWED_TRANSITIONS), so every unit
    not already canceled is still reserved.
    """
    lines = list(order.lines.filter(quantity__gt=models.F("quantity_canceled")))
    released: dict[int, int] = {}
    for line in lines:
        if line.product_id is not None:
            released[line.product_id] = (
                released.get(line.product_id, 0) + line.quantity - line.quantity_canceled
            )
    order.lines.filter(pk__in=[line.pk for line in lines]).update(
        quantity_canceled=models.F("quantity")
    )
    stock_release(quantities=released)


@transaction.atomic
def order_transition(
    *, order: Order, to_status: str, actor: User | None, message: str = ""
) -> Order:
    """Move an order to another status: the one place every order status change goes through."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    from_status = locked.status
    refusal = _transition_refusal(from_status, to_status)
    if refusal:
        raise OrderTransitionNotAllowed(refusal)
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    if to_status == OrderStatus.CANCELED:
        _release_unshipped(locked)
    order_status_changed_event(
        order=locked, from_status=from_status, to_status=to_status, actor=actor, note=message
    )
    order_status_changed.send(
        sender=Order,
        order=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=message,
    )
    order.refresh_from_db()
    return locked


@transaction.atomic
def orders_transition(
    *, orders: list[Order], to_status: dict[int, str], actor: User | None, message: str = ""
) -> None:
    """Move many orders at once (a tracking import): order_transition's checks, history and
    signal, in a fixed number of queries however many orders.

    `orders` must be locked by the caller (select_for_update) and are updated in place;
    `to_status` maps order id -> new status. Canceling is not done here (it releases stock
    line by line): use order_transition.
    """
    moves: dict[tuple[str, str], list[Order]] = {}
    for order in orders:
        target = to_status[order.pk]
        if target == OrderStatus.CANCELED:
            raise ValueError("orders_transition does not cancel; use order_transition.")
        refusal = _transition_refusal(order.status, target)
        if refusal:
            raise OrderTransitionNotAllowed(f"{order.number}: {refusal}")
        moves.setdefault((order.status, target), []).append(order)
    events = []
    now = timezone.now()
    for (from_status, target), group in moves.items():
        ids = [order.pk for order in group]
        for start in range(0, len(ids), 900):  # under every database's parameter limit
            Order.objects.filter(pk__in=ids[start : start + 900]).update(
                status=target, updated_at=now
            )
        for order in group:
            order.status = target
            events.append(
                OrderEvent(
                    order=order,
                    kind=OrderEventKind.STATUS_CHANGED,
                    from_status=from_status,
                    to_status=target,
                    params={"note": message},
                    actor=actor,
                )
            )
    OrderEvent.objects.bulk_create(events, batch_size=500)
    for event in events:
        order_status_changed.send(
            sender=Order,
            order=event.order,
            from_status=event.from_status,
            to_status=event.to_status,
            actor=actor,
            reason=message,
        )
