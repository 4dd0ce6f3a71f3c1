"""The JSON API at /api/v1/ (SPEC section 7): the one router that mounts every app's `api.py`.

Each app's router holds its operations and schemas (`apikeys.api` the account,
`channels.api` the catalog, `orders.api` the orders). What they share is here or below:
authentication and the per-key rate limit (`apikeys.security`), idempotency
(`apikeys.services.api_idempotent`), the error shape and pagination (`core.api`), and the
error handlers that turn every refusal into that one JSON shape (this module).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from apikeys import api as account_api
from apikeys.exceptions import IdempotencyConflict, IdempotencyMismatch
from apikeys.security import (
    TOKEN_HEADER,
    ApiKeyRateThrottle,
    ApiTokenBearer,
    ApiTokenHeader,
    authentication_failure_message,
)
from channels import api as catalog_api
from fulfilment import api as fulfilment_api
from orders import api as orders_api
from orders.exceptions import OrderValidationError, ResellerCannotOrder

logger = logging.getLogger(__name__)

DESCRIPTION = f"""
Place and track orders from your own systems or an order automation service such as
Inventory Source.

**Authentication.** Create a key in the portal under **Settings** and send it in the
`{TOKEN_HEADER}` header (`Authorization: Bearer <key>` works too). Keys look like
`rpk_…`. A missing, unknown, revoked or expired key is a `401`.

**Account status.** `GET /account` answers for every account status, so an integration can
see why it is refused. The catalog and order operations are for approved and active accounts
only; pending, denied and suspended accounts get `403`.

**Idempotency.** Send an `Idempotency-Key` header (any printable string up to 255 characters,
e.g. a UUID) with `POST /orders`. A retry with the same key and body within 24 hours returns
the first answer (with `Idempotent-Replayed: true`) instead of placing a second order; the same
key with a different body is `422`; a retry while the first request is still running is `409`.
Failed attempts are not remembered, so after fixing the problem you may retry with the same
key.

**Errors** are JSON: `{{"detail": "…", "errors": [{{"field": "…", "message": "…"}}]}}`.
Field paths look like `shipping_address.city` or `items[0].quantity`.

**Rate limit.** Each key may make a fixed number of requests per minute; past it the answer is
`429` with a `Retry-After` header in seconds.

**Lists** are paginated with `page` and `page_size` (at most 200) and report `count` and
`pages`.
"""


class UnsupportedMediaType(Exception):
    pass


class JsonBodyParser(Parser):
    """Bodies are JSON and must say so: a `text/plain` or form body is refused (415) instead of
    being parsed as JSON anyway. Runs after authentication and the rate limit."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise UnsupportedMediaType(request.content_type or "none")
        return super().parse_body(request)


api = NinjaAPI(
    parser=JsonBodyParser(),
    title="Reseller Portal API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[ApiTokenHeader(), ApiTokenBearer()],
    throttle=[ApiKeyRateThrottle()],
)

# One line per app that exposes API data, in the order the document lists them.
api.add_router("", account_api.router)
api.add_router("", catalog_api.router)
api.add_router("", orders_api.router)
api.add_router("", fulfilment_api.router)


INVALID_REQUEST = "The request is not valid; see errors for each field. Nothing was saved."


# --- Errors: one JSON shape for every 4xx -------------------------------------------------


def error_response(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    body = {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}
    return api.create_response(request, body, status=status)


def _field_path(location: Iterable[Any]) -> str:
    """("body", "payload", "items", 0, "sku") -> "items[0].sku", as order_place names fields."""
    parts = list(location)
    if parts[:1] == ["body"]:
        parts = parts[2:]  # the "payload" argument name is not part of the document
    elif parts[:1] in (["query"], ["path"], ["header"]):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden":
        return "Unknown field; remove it. The accepted fields are listed at /api/v1/docs."
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ").rstrip(".") + "."


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_field_path(error.get("loc", ())), _field_message(error)) for error in exc.errors]
    return error_response(request, 422, INVALID_REQUEST, errors)


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = error_response(request, 401, authentication_failure_message(request))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, Throttled):
        return error_response(
            request,
            429,
            f"Too many requests: each API key may make {settings.API_RATE_LIMIT_PER_MINUTE} "
            "requests a minute. Retry after the number of seconds in the Retry-After header.",
        )
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return error_response(
            request,
            415,
            f"The request body must be JSON sent with Content-Type: application/json (this "
            f"request said {cause}). Nothing was saved.",
            [("Content-Type", "Send Content-Type: application/json.")],
        )
    if exc.status_code == 400 and cause is not None:
        # ninja could not parse the body; say exactly why, whatever DEBUG is.
        if isinstance(cause, json.JSONDecodeError):
            reason = f"{cause.msg} at line {cause.lineno}, column {cause.colno}"
        elif isinstance(cause, UnicodeDecodeError):
            reason = "it is not UTF-8 text"
        else:
            reason = "it could not be read"
        return error_response(
            request,
            400,
            f"The request body is not valid JSON ({reason}). Send a JSON object with "
            "Content-Type: application/json.",
            [("body", reason)],
        )
    return error_response(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Not found.")


@api.exception_handler(OrderValidationError)
def _on_order_invalid(request: HttpRequest, exc: OrderValidationError) -> HttpResponse:
    return error_response(request, 422, "The order is not valid; nothing was saved.", exc.errors)


@api.exception_handler(ResellerCannotOrder)
def _on_cannot_order(request: HttpRequest, exc: ResellerCannotOrder) -> HttpResponse:
    return error_response(request, 403, str(exc))


@api.exception_handler(IdempotencyConflict)
def _on_idempotency_conflict(request: HttpRequest, exc: IdempotencyConflict) -> HttpResponse:
    response = error_response(request, 409, str(exc), [("Idempotency-Key", str(exc))])
    response["Retry-After"] = "1"
    return response


@api.exception_handler(IdempotencyMismatch)
def _on_idempotency_mismatch(request: HttpRequest, exc: IdempotencyMismatch) -> HttpResponse:
    return error_response(request, 422, str(exc), [("Idempotency-Key", str(exc))])


@api.exception_handler(RequestDataTooBig)
def _on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises this when request.body is first read with a Content-Length over
    # DATA_UPLOAD_MAX_MEMORY_SIZE, before a byte of the body is read into memory.
    return error_response(
        request,
        413,
        f"The request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} "
        "bytes. Send fewer lines per order.",
    )


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Still a bug, and logged as one, but the client gets JSON rather than an HTML page.
    logger.error("unhandled API error path=%s", request.path, exc_info=exc)
    return error_response(
        request, 500, "Something went wrong on our side; it has been logged. Retry later."
    )
