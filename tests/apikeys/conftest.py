from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import pytest
from django.test import Client

from apikeys.models import ApiKey
from apikeys.services import apikey_create
from tests.conftest import make_reseller_user

ORDER_BODY = {
    "reference_number": "PO-1",
    "shipping_address": {
        "name": "Jordan Customer",
        "company": "",
        "address_line1": "742 Evergreen Terrace",
        "address_line2": "",
        "city": "Springfield",
        "state": "OR",
        "postal_code": "97403",
        "country_code": "US",
        "phone": "",
        "email": "jordan@example.com",
    },
    "shipping_method": "Ground",
    "note": "",
    "source": "api",
    "items": [{"sku": "SKU-1", "quantity": 2}],
}


def order_body(reference: str = "PO-1", items=(("SKU-1", 2),), **overrides) -> dict:
    body = copy.deepcopy(ORDER_BODY)
    body["reference_number"] = reference
    body["items"] = [{"sku": sku, "quantity": quantity} for sku, quantity in items]
    body.update(overrides)
    return body


@dataclass
class Key:
    """An issued key and its plaintext, which tests need to call the API."""

    model: ApiKey
    plaintext: str

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_X_API_TOKEN": self.plaintext}


def issue_key(reseller, user, name: str = "ERP") -> Key:
    model, plaintext = apikey_create(reseller=reseller, name=name, actor=user)
    return Key(model, plaintext)


class ApiClient:
    """django.test.Client speaking JSON to /api/v1/ with one key."""

    def __init__(self, key: Key | None, client: Client | None = None) -> None:
        self.key = key
        self.client = client or Client()

    def _headers(self, headers: dict | None) -> dict:
        return {**(self.key.headers if self.key else {}), **(headers or {})}

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def post(self, path: str, body, *, idempotency_key: str | None = None, **headers):
        if idempotency_key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", **self._headers(headers)
        )


@pytest.fixture
def key(reseller_with_user) -> Key:
    reseller, user = reseller_with_user
    return issue_key(reseller, user)


@pytest.fixture
def api(key) -> ApiClient:
    return ApiClient(key)


@pytest.fixture
def other_key(other_reseller_with_user) -> Key:
    other, user = other_reseller_with_user
    return issue_key(other, user, name="Other ERP")


@pytest.fixture
def other_api(other_key) -> ApiClient:
    return ApiClient(other_key)


@pytest.fixture
def make_reseller_with_key(channel):
    def make(**reseller_fields) -> tuple:
        reseller, user = make_reseller_user(channel=channel, **reseller_fields)
        return reseller, issue_key(reseller, user)

    return make
