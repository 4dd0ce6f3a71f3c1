"""What every app's `api.py` shares: the error shape, pagination, input base and field types,
and the caller's reseller. The one router that mounts the apps' routers, with the error
handlers, authentication and rate limit, is `api.v1`.

Request bodies forbid unknown fields, so a typo such as `refrence_number` is a 422 naming the
field instead of a silently dropped value. Money is a decimal string ("12.50"), never a float.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, BeforeValidator, ConfigDict


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


def errors(*status_codes: int) -> dict[frozenset[int], type]:
    """The error answers an operation documents, all in the ErrorOut shape. Every operation can
    be refused a key (401) or throttled (429)."""
    return {frozenset({401, 429, *status_codes}): ErrorOut}


# --- Pagination ---------------------------------------------------------------------------


class PageMeta(Schema):
    count: int = Field(description="Items matching the filters, over all pages.")
    page: int
    page_size: int
    pages: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="1-based page number.")
    page_size: int = Field(50, ge=1, le=200)


def paginate(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    """One page of model instances; the page schema reads each item's attributes."""
    count = queryset.count()
    offset = (query.page - 1) * query.page_size
    rows = list(queryset[offset : offset + query.page_size]) if offset < count else []
    return {
        "items": rows,
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, math.ceil(count / query.page_size)),
    }


# --- The caller ---------------------------------------------------------------------------


def api_key(request: HttpRequest):
    """The API key the request authenticated with (set by the shared authentication)."""
    return request.auth  # type: ignore[attr-defined]


def ordering_reseller(request: HttpRequest):
    """The caller's reseller, if its status allows using the catalog and orders API."""
    reseller = api_key(request).reseller
    if not reseller.may_order:
        raise HttpError(
            403,
            f"This account is {reseller.get_status_display().lower()}; only approved or active "
            "accounts can use the catalog and orders API. GET /api/v1/account shows the status.",
        )
    return reseller
