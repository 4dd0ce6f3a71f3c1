from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.choices import GracePeriod
from apikeys.models import ApiKey
from apikeys.services import apikey_revoke, apikey_rotate
from orders.models import Order, OrderLine
from orders.services import order_place
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.apikeys.conftest import ApiClient, order_body
from tests.factories import ChannelFactory, ListingFactory, ProductFactory
from tests.orders.conftest import order_request

pytestmark = pytest.mark.django_db

READ_PATHS = ["/account", "/products", "/orders"]


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    return body


# --- Authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("path", READ_PATHS)
def test_a_request_without_a_key_is_401(key, path):
    response = ApiClient(None).get(path)

    assert response.status_code == 401
    assert "X-API-TOKEN" in _error(response)["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("not-a-key", "not an API key"),
        ("rpk_" + "a" * 62, "not an API key"),
    ],
)
def test_a_malformed_key_is_401(key, token, words):
    response = ApiClient(None).get("/account", HTTP_X_API_TOKEN=token)
    assert response.status_code == 401
    assert words in _error(response)["detail"]
    assert "keys start with rpk_ and are 66 characters long" in _error(response)["detail"]


def test_a_bad_bearer_token_without_an_api_token_header_is_explained(key):
    response = ApiClient(None).get("/account", HTTP_AUTHORIZATION="Bearer not-a-key")

    assert response.status_code == 401
    assert "not an API key" in _error(response)["detail"]


def test_with_both_headers_the_401_explains_the_api_token_header(key, reseller_with_user):
    apikey_revoke(api_key=key.model, actor=reseller_with_user[1])

    response = ApiClient(key).get("/account", HTTP_AUTHORIZATION="Bearer not-a-key")

    assert response.status_code == 401
    assert "revoked" in _error(response)["detail"]


def test_an_unknown_key_is_401(key):
    from apikeys import tokens

    unknown = tokens.generate_key().plaintext
    response = ApiClient(None).get("/account", HTTP_X_API_TOKEN=unknown)

    assert response.status_code == 401
    assert "Unknown API key" in _error(response)["detail"]


def test_a_revoked_key_is_401(api, key, reseller_with_user):
    apikey_revoke(api_key=key.model, actor=reseller_with_user[1])

    response = api.get("/orders")

    assert response.status_code == 401
    assert "revoked" in _error(response)["detail"]


def test_a_rotated_key_works_through_its_grace_period_then_is_401(api, key, reseller_with_user):
    new, plaintext = apikey_rotate(
        api_key=key.model, actor=reseller_with_user[1], grace_period=GracePeriod.ONE_HOUR
    )
    assert api.get("/account").status_code == 200
    assert api.get("/account", HTTP_X_API_TOKEN=plaintext).status_code == 200

    ApiKey.objects.filter(pk=key.model.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.get("/account")
    assert response.status_code == 401
    assert "expired" in _error(response)["detail"]


def test_the_key_is_also_accepted_as_a_bearer_token(key):
    response = ApiClient(None).get("/account", HTTP_AUTHORIZATION=f"Bearer {key.plaintext}")
    assert response.status_code == 200
    assert response.json()["api_key"]["prefix"] == key.model.prefix


def test_a_request_records_when_the_key_was_last_used(api, key):
    assert key.model.last_used_at is None
    api.get("/account")
    key.model.refresh_from_db()
    assert key.model.last_used_at is not None


def test_an_authenticated_read_does_not_write_when_last_used_is_fresh(
    api, key, django_assert_num_queries
):
    api.get("/account")
    # The authentication lookup and the account's card-on-file check: no UPDATE of
    # last_used_at.
    with django_assert_num_queries(2):
        assert api.get("/account").status_code == 200


# --- Account status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [ResellerStatus.PENDING, ResellerStatus.DENIED, ResellerStatus.SUSPENDED]
)
def test_a_reseller_that_may_not_order_gets_403_on_order_creation_and_nothing_is_saved(
    api, reseller, listings, status
):
    Reseller.objects.filter(pk=reseller.pk).update(status=status, status_reason="Because")

    response = api.post("/orders", order_body(), idempotency_key="k-1")

    assert response.status_code == 403
    assert status.label.lower() in _error(response)["detail"]
    assert not Order.objects.exists()
    # A 403 is not remembered: once reinstated, the same key places the order.
    Reseller.objects.filter(pk=reseller.pk).update(status=ResellerStatus.APPROVED)
    assert api.post("/orders", order_body(), idempotency_key="k-1").status_code == 201


@pytest.mark.parametrize(
    "status", [ResellerStatus.PENDING, ResellerStatus.DENIED, ResellerStatus.SUSPENDED]
)
def test_a_reseller_that_may_not_order_can_read_its_account_but_not_catalog_or_orders(
    api, reseller, status
):
    Reseller.objects.filter(pk=reseller.pk).update(status=status, status_reason="Because")

    account = api.get("/account")
    assert account.status_code == 200
    assert account.json()["status"] == status
    assert account.json()["may_order"] is False
    assert account.json()["status_reason"] == "Because"
    for path in ["/products", "/orders", "/orders/1"]:
        response = api.get(path)
        assert response.status_code == 403, path
        assert "/api/v1/account" in _error(response)["detail"]


# --- Account and products -------------------------------------------------------------------


def test_the_account_describes_the_caller(api, reseller, key):
    body = api.get("/account").json()

    assert body["id"] == reseller.pk
    assert body["company_name"] == reseller.company_name
    assert body["status"] == "approved"
    assert body["channel"]["slug"] == reseller.channel.slug
    assert body["api_key"] == {
        "prefix": key.model.prefix,
        "name": "ERP",
        "created_at": body["api_key"]["created_at"],
        "expires_at": None,
    }


def test_each_key_answers_only_for_its_own_account(api, other_api, reseller, other_key):
    mine, theirs = api.get("/account").json(), other_api.get("/account").json()

    assert (mine["id"], mine["api_key"]["prefix"]) == (reseller.pk, api.key.model.prefix)
    assert (theirs["id"], theirs["api_key"]["prefix"]) == (
        other_key.model.reseller_id,
        other_key.model.prefix,
    )
    assert mine["id"] != theirs["id"]


def test_products_are_the_resellers_channel_listings_at_channel_prices(api, listings):
    other_channel = ChannelFactory(slug="wholesale")
    ListingFactory(channel=other_channel, product=ProductFactory(sku="ELSEWHERE"))
    ListingFactory(channel=listings[0].channel, product=ProductFactory(sku="OFF"), is_active=False)

    body = api.get("/products").json()

    assert [item["sku"] for item in body["items"]] == ["SKU-1", "SKU-2", "SKU-3"]
    assert body["items"][0]["price"] == "1.50"
    assert body["items"][0]["currency"] == "USD"
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)


def test_products_can_be_filtered_by_sku_and_paged(api, listings):
    assert [p["sku"] for p in api.get("/products", {"sku": "SKU-2"}).json()["items"]] == ["SKU-2"]

    page = api.get("/products", {"page": 2, "page_size": 2}).json()
    assert [p["sku"] for p in page["items"]] == ["SKU-3"]
    assert (page["count"], page["page"], page["page_size"], page["pages"]) == (3, 2, 2, 2)
    assert api.get("/products", {"page": 9}).json()["items"] == []


def _queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert api.get(path).status_code == 200
    return len(context)


def test_the_product_list_needs_the_same_few_queries_at_two_sizes(api, channel):
    api.get("/account")  # last_used_at is now fresh: no UPDATE below
    ListingFactory(channel=channel, product=ProductFactory(sku="ONE"))
    small = _queries(api, "/products")
    for n in range(30):
        ListingFactory(channel=channel, product=ProductFactory(sku=f"BULK-{n:03d}"))
    large = _queries(api, "/products")

    assert small == large <= 3  # key lookup, count, page


# --- Orders ---------------------------------------------------------------------------------


def test_an_order_is_placed_with_its_invoice_and_capture_decision(api, reseller, listings):
    response = api.post("/orders", order_body(items=[("SKU-1", 2), ("SKU-3", 1)]))

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get()
    assert body["id"] == order.pk
    assert body["number"] == order.number
    assert body["source"] == "api"
    assert body["status"] == "open"
    assert body["shipping_address"]["city"] == "Springfield"
    assert body["lines"] == [
        {
            "sku": "SKU-1",
            "title": order.lines.all()[0].title,
            "quantity": 2,
            "unit_price": "1.50",
            "line_total": "3.00",
        },
        {
            "sku": "SKU-3",
            "title": order.lines.all()[1].title,
            "quantity": 1,
            "unit_price": "3.50",
            "line_total": "3.50",
        },
    ]
    assert body["invoice"]["subtotal"] == "6.50"
    assert body["invoice"]["total"] == str(order.total)
    assert set(body["invoice"]) == {
        "subtotal",
        "shipping",
        "fees",
        "other",
        "discounts",
        "tax",
        "total",
        "lines",
        "invoice_number",
        "due_date",
        "tax_exemption",
    }
    assert body["invoice"]["invoice_number"] == order.invoice_number
    assert body["invoice"]["tax"] == "0.00"
    assert body["invoice"]["due_date"] is None
    assert body["payment"]["capture_mode"] == order.capture_mode
    assert body["payment"]["payment_status"] == order.payment_status
    assert order.reseller == reseller
    assert order.source == "api"


def test_an_api_order_is_placed_by_the_integration_not_by_the_keys_creator(api, listings):
    api.post("/orders", order_body())

    order = Order.objects.get()
    assert order.created_by is None
    assert order.events.get().actor_display == "system"


def test_an_order_without_an_idempotency_key_is_not_fingerprinted(api, listings, monkeypatch):
    def fingerprint(payload):
        raise AssertionError("fingerprinted without an Idempotency-Key")

    monkeypatch.setattr("orders.api._fingerprint", fingerprint)

    assert api.post("/orders", order_body()).status_code == 201


def test_an_order_from_inventory_source_keeps_its_source(api, listings):
    response = api.post("/orders", order_body(source="inventory_source"))

    assert response.status_code == 201
    assert Order.objects.get().source == "inventory_source"


def test_an_api_order_is_the_same_as_the_fetched_one(api, listings):
    created = api.post("/orders", order_body()).json()
    fetched = api.get(f"/orders/{created['id']}")

    assert fetched.status_code == 200
    assert fetched.json() == created


def test_a_reseller_cannot_fetch_another_resellers_order(api, other_api, listings):
    theirs = other_api.post("/orders", order_body("THEIRS")).json()

    response = api.get(f"/orders/{theirs['id']}")

    assert response.status_code == 404
    assert _error(response)["detail"] == f"You have no order with id {theirs['id']}."


def test_a_missing_order_is_404_in_json(api):
    response = api.get("/orders/999999")
    assert response.status_code == 404
    _error(response)


def test_the_order_list_never_shows_another_resellers_orders(api, other_api, listings):
    api.post("/orders", order_body("MINE"))
    other_api.post("/orders", order_body("THEIRS"))

    body = api.get("/orders").json()
    assert [order["reference_number"] for order in body["items"]] == ["MINE"]
    assert body["count"] == 1
    assert api.get("/orders", {"reference": "THEIRS"}).json()["items"] == []


def test_orders_can_be_filtered_by_status_source_dates_and_reference(api, reseller, listings):
    for reference, source in [("A-1", "api"), ("A-2", "inventory_source"), ("A-3", "api")]:
        api.post("/orders", order_body(reference, source=source))
    Order.objects.filter(reference_number="A-3").update(status="shipped")
    Order.objects.filter(reference_number="A-1").update(
        created_at=timezone.now() - timedelta(days=10)
    )
    today = timezone.localdate()

    def references(**params):
        return sorted(o["reference_number"] for o in api.get("/orders", params).json()["items"])

    assert references() == ["A-1", "A-2", "A-3"]
    assert references(status="shipped") == ["A-3"]
    assert references(source="inventory_source") == ["A-2"]
    assert references(reference="A-2") == ["A-2"]
    assert references(created_from=today.isoformat()) == ["A-2", "A-3"]
    assert references(created_to=(today - timedelta(days=5)).isoformat()) == ["A-1"]


def test_the_order_list_needs_the_same_few_queries_at_two_sizes(api, reseller, listings):
    api.get("/account")
    order_place(reseller=reseller, request=order_request("FIRST"))
    small = _queries(api, "/orders")
    for n in range(25):
        order_place(reseller=reseller, request=order_request(f"BULK-{n}"))
    large = _queries(api, "/orders")

    assert small == large <= 3


# --- Bad input ------------------------------------------------------------------------------


def test_an_unlisted_sku_is_422_with_the_field_and_nothing_is_saved(api, listings):
    response = api.post("/orders", order_body(items=[("SKU-1", 1), ("NOPE", 1)]))

    assert response.status_code == 422
    body = _error(response)
    assert body["errors"] == [
        {"field": "items[1].sku", "message": "Line 2: SKU “NOPE” is not in your catalog."}
    ]
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_a_duplicate_reference_is_422(api, listings):
    api.post("/orders", order_body("SAME"))
    response = api.post("/orders", order_body("SAME"))

    assert response.status_code == 422
    assert _error(response)["errors"][0]["field"] == "reference_number"
    assert Order.objects.count() == 1


def test_missing_fields_wrong_types_and_unknown_fields_are_422_per_field(api, listings):
    body = order_body()
    del body["shipping_address"]["city"]
    body["items"][0]["quantity"] = "2"
    body["refrence_number"] = "typo"

    response = api.post("/orders", body)

    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in _error(response)["errors"]}
    assert fields == {
        "shipping_address.city": "This field is required.",
        "items[0].quantity": "Input should be a valid integer.",
        "refrence_number": (
            "Unknown field; remove it. The accepted fields are listed at /api/v1/docs."
        ),
    }
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(items=[]), "items"),
        (lambda b: b["items"][0].update(quantity=0), "items[0].quantity"),
        (lambda b: b["items"][0].update(quantity=1.5), "items[0].quantity"),
        (lambda b: b["items"][0].update(quantity=True), "items[0].quantity"),
        (lambda b: b["items"][0].update(quantity=10**30), "items[0].quantity"),
        (
            lambda b: b["shipping_address"].update(country_code="USA"),
            "shipping_address.country_code",
        ),
        (lambda b: b["shipping_address"].update(name="   "), "shipping_address.name"),
        (lambda b: b["shipping_address"].update(name="x" * 151), "shipping_address.name"),
        (lambda b: b["shipping_address"].update(email="not-an-email"), "shipping_address.email"),
        (lambda b: b.update(reference_number="nul\x00byte"), "reference_number"),
        (lambda b: b.update(source="portal"), "source"),
        (lambda b: b.update(shipping_address="1 Main St"), "shipping_address"),
    ],
)
def test_bad_values_are_422_naming_the_field(api, listings, mutate, field):
    body = order_body()
    mutate(body)

    response = api.post("/orders", body)

    assert response.status_code == 422
    assert field in [error["field"] for error in _error(response)["errors"]]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "raw", ["{not json", "", "[]", '"text"', "null", b"\xff\xfe\x00", "{" * 5000]
)
def test_a_body_that_is_not_a_json_object_is_a_json_4xx(api, listings, raw):
    response = api.post("/orders", raw)

    assert response.status_code in (400, 422)
    _error(response)
    assert not Order.objects.exists()


def test_a_huge_body_is_413_before_it_is_read(api, listings, settings):
    body = json.dumps(order_body(items=[(f"SKU-{n}", 1) for n in range(80_000)]))
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = api.post("/orders", body)

    assert response.status_code == 413
    limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes"
    assert f"larger than the limit of {limit}" in _error(response)["detail"]
    assert not Order.objects.exists()


def test_a_lower_upload_limit_is_a_json_413_too_not_a_500(api, listings, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps(order_body(items=[(f"SKU-{n}", 1) for n in range(500)]))
    assert len(body) > 10_000

    response = api.post("/orders", body)

    assert response.status_code == 413
    assert "limit of 10,000 bytes" in _error(response)["detail"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/orders", {"page": 0}),
        ("/orders", {"page": "x"}),
        ("/orders", {"page_size": 1000}),
        ("/orders", {"status": "lost"}),
        ("/orders", {"created_from": "yesterday"}),
        ("/products", {"sku": "a\x00b"}),
        ("/orders/0", {}),
        ("/orders/99999999999999999999999", {}),
    ],
)
def test_bad_query_and_path_values_are_json_4xx(api, path, params):
    response = api.get(path, params)

    assert 400 <= response.status_code < 500
    _error(response)


def test_an_unknown_api_path_is_a_json_404(api):
    response = api.get("/nothing/here")
    assert response.status_code == 404
    assert _error(response) == {
        "detail": "There is no API endpoint at /api/v1/nothing/here. "
        "See /api/v1/docs for the endpoints.",
        "errors": [],
    }


def test_an_invalid_idempotency_key_header_is_422(api, listings):
    response = api.post("/orders", order_body(), idempotency_key="has spaces")

    assert response.status_code == 422
    assert _error(response)["errors"][0]["field"] == "Idempotency-Key"


# --- Rate limit -----------------------------------------------------------------------------


def test_past_the_rate_limit_a_key_gets_429_with_retry_after(api, other_api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3

    statuses = [api.get("/account").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api.get("/account")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "3 requests a minute" in _error(response)["detail"]
    # The limit is per key.
    assert other_api.get("/account").status_code == 200


def test_the_rate_limit_can_be_turned_off(api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    assert {api.get("/account").status_code for _ in range(5)} == {200}


# --- Docs -----------------------------------------------------------------------------------


def test_the_openapi_document_and_docs_are_public_and_local(client):
    schema = client.get("/api/v1/openapi.json").json()
    docs = client.get("/api/v1/docs")

    assert set(schema["paths"]) == {
        "/api/v1/account",
        "/api/v1/products",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/cancel",
        "/api/v1/shipments",
    }
    assert set(schema["paths"]["/api/v1/orders"]) == {"get", "post"}
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiTokenHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-TOKEN"}
    assert schemes["ApiTokenBearer"] == {"type": "http", "scheme": "bearer"}
    assert schema["components"]["schemas"]["OrderIn"]["examples"][0]["reference_number"]
    post = schema["paths"]["/api/v1/orders"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()
