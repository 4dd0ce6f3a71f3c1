"""Request and response shapes of the JSON API (SPEC section 7), with examples for the docs.

Request bodies forbid unknown fields, so a typo such as `refrence_number` is a 422 naming the
field instead of a silently dropped value. Money is a decimal string ("12.50"), never a float.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictInt, field_validator

from orders.choices import CaptureMode, InvoiceLineKind, OrderSource, OrderStatus, PaymentStatus
from orders.models import NOTE_MAX_LENGTH, ship_to_field
from orders.services import MAX_LINES, MAX_QUANTITY
from resellers.choices import ResellerStatus


def _without_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; without this check such input would be a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


Text = Annotated[str, AfterValidator(_without_nul)]

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    # pydantic would also take a Unix timestamp ("0") or a datetime for a date; the documented
    # format is YYYY-MM-DD, and anything else is a mistake worth a 422.
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.match(value)):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]

# Literal types from the model choices, so the OpenAPI enums cannot drift from the database.
OrderStatusValue = Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]
OrderSourceValue = Literal[tuple(OrderSource.values)]  # type: ignore[valid-type]
# What an integration may say placed its order; "portal" orders come from the portal only.
ApiOrderSourceValue = Literal[  # type: ignore[valid-type]
    OrderSource.API.value,
    OrderSource.INVENTORY_SOURCE.value,
]
CaptureModeValue = Literal[tuple(CaptureMode.values)]  # type: ignore[valid-type]
PaymentStatusValue = Literal[tuple(PaymentStatus.values)]  # type: ignore[valid-type]
InvoiceLineKindValue = Literal[tuple(InvoiceLineKind.values)]  # type: ignore[valid-type]
ResellerStatusValue = Literal[tuple(ResellerStatus.values)]  # type: ignore[valid-type]

Money = Annotated[Decimal, Field(description='A decimal string, e.g. "12.50".')]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Errors -------------------------------------------------------------------------------


class ErrorItem(Schema):
    field: str = Field(description="Where the problem is: a body path, query or header name.")
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong and what to do about it.")
    errors: list[ErrorItem] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "The order is not valid; nothing was saved.",
                    "errors": [
                        {
                            "field": "items[0].sku",
                            "message": "Line 1: SKU “MUG-LARGE” is not in your catalog.",
                        }
                    ],
                }
            ]
        }
    )


# --- Account and products -----------------------------------------------------------------


class ChannelOut(Schema):
    name: str
    slug: str
    currency: str = Field(examples=["USD"])


class ApiKeyOut(Schema):
    prefix: str = Field(examples=["rpk_AbCdEf123456"])
    name: str
    created_at: datetime
    expires_at: datetime | None = Field(
        description="Set when the key was rotated with a grace period: it stops working then."
    )


class AccountOut(Schema):
    id: int
    company_name: str
    contact_name: str
    email: str
    status: ResellerStatusValue
    may_order: bool = Field(
        description="Only approved and active accounts may place orders or read the catalog "
        "and orders through the API."
    )
    status_reason: str = Field(description="Why the account was denied or suspended, if it was.")
    channel: ChannelOut | None
    api_key: ApiKeyOut = Field(description="The key this request was authenticated with.")


class ProductOut(Schema):
    sku: str = Field(examples=["MUG-CERAMIC"])
    title: str
    description: str
    price: Money = Field(description="Your channel price, a decimal string.")
    currency: str = Field(examples=["USD"])
    msrp: Money
    weight: Decimal = Field(description="Pounds, a decimal string.")
    stock: int


class PageMeta(Schema):
    count: int = Field(description="Items matching the filters, over all pages.")
    page: int
    page_size: int
    pages: int


class ProductPage(PageMeta):
    items: list[ProductOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="1-based page number.")
    page_size: int = Field(50, ge=1, le=200)


class ProductQuery(PageQuery):
    sku: Text | None = Field(None, max_length=64, description="Only this SKU (exact match).")


# --- Orders -------------------------------------------------------------------------------


def _ship_to_max(name: str) -> int:
    # The one ship-to field list: each length is the Order column's (orders.models).
    return ship_to_field(name).max_length


class AddressIn(InputSchema):
    name: Text = Field(max_length=_ship_to_max("name"), examples=["Jane Doe"])
    company: Text | None = Field(None, max_length=_ship_to_max("company"))
    address_line1: Text = Field(max_length=_ship_to_max("address_line1"), examples=["1 Main St"])
    address_line2: Text | None = Field(None, max_length=_ship_to_max("address_line2"))
    city: Text = Field(max_length=_ship_to_max("city"), examples=["Springfield"])
    state: Text = Field(max_length=_ship_to_max("state"), examples=["IL"])
    postal_code: Text = Field(max_length=_ship_to_max("postal_code"), examples=["62701"])
    country_code: str = Field(
        min_length=2,
        max_length=_ship_to_max("country_code"),
        pattern=r"^[A-Za-z]{2}$",
        description="ISO 3166-1 alpha-2 code.",
        examples=["US"],
    )
    phone: Text | None = Field(None, max_length=_ship_to_max("phone"))
    email: Text | None = Field(
        None, max_length=_ship_to_max("email"), json_schema_extra={"format": "email"}
    )

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise ValueError("must be a valid email address") from error
        return value


class ItemIn(InputSchema):
    sku: Text = Field(min_length=1, max_length=64, examples=["MUG-CERAMIC"])
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY, examples=[2])


ORDER_EXAMPLE = {
    "reference_number": "PO-1001",
    "shipping_address": {
        "name": "Jane Doe",
        "company": "",
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "country_code": "US",
        "phone": "+1 555 0100",
        "email": "jane@example.com",
    },
    "shipping_method": "ground",
    "note": "Leave at the back door.",
    "source": "api",
    "items": [{"sku": "MUG-CERAMIC", "quantity": 2}],
}


class OrderIn(InputSchema):
    reference_number: Text = Field(
        min_length=1,
        max_length=64,
        description="Your own order number; unique per account.",
        examples=["PO-1001"],
    )
    shipping_address: AddressIn
    shipping_method: Text | None = Field(None, max_length=100, examples=["ground"])
    note: Text | None = Field(None, max_length=NOTE_MAX_LENGTH)
    source: ApiOrderSourceValue = Field(
        OrderSource.API.value,
        description="`inventory_source` when Inventory Source places the order for you.",
    )
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_LINES)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ORDER_EXAMPLE]})


class AddressOut(Schema):
    name: str
    company: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country_code: str
    phone: str
    email: str


class OrderLineOut(Schema):
    sku: str
    title: str
    quantity: int
    unit_price: Money
    line_total: Money


class InvoiceLineOut(Schema):
    kind: InvoiceLineKindValue
    label: str
    amount: Money = Field(description="Positive for charges, negative for discounts and credits.")
    rule_name: str = Field(description="The rule that produced this line.")


class InvoiceOut(Schema):
    subtotal: Money
    shipping: Money
    fees: Money
    other: Money
    discounts: Money = Field(description="Discounts and credits, as a negative or zero amount.")
    total: Money
    lines: list[InvoiceLineOut]


class PaymentOut(Schema):
    capture_mode: CaptureModeValue
    payment_status: PaymentStatusValue
    max_auto_capture: Money | None


class OrderOut(Schema):
    id: int
    number: str = Field(examples=["SO-0000042"])
    reference_number: str
    source: OrderSourceValue
    status: OrderStatusValue
    currency: str
    shipping_address: AddressOut
    shipping_method: str
    note: str
    lines: list[OrderLineOut]
    invoice: InvoiceOut
    payment: PaymentOut = Field(description="The capture decision the payment rules made.")
    created_at: datetime
    updated_at: datetime


class OrderSummaryOut(Schema):
    id: int
    number: str
    reference_number: str
    source: OrderSourceValue
    status: OrderStatusValue
    currency: str
    total: Money
    payment_status: PaymentStatusValue
    created_at: datetime
    updated_at: datetime


class OrderPage(PageMeta):
    items: list[OrderSummaryOut]


class OrderQuery(PageQuery):
    status: OrderStatusValue | None = None
    source: OrderSourceValue | None = None
    created_from: IsoDate | None = Field(
        None, description="Placed on or after this day (site time zone, UTC by default)."
    )
    created_to: IsoDate | None = Field(
        None, description="Placed on or before this day (site time zone, UTC by default)."
    )
    reference: Text | None = Field(None, max_length=64, description="Exact reference number.")
