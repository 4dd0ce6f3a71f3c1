"""Issue 11 #11: a POST body that is not declared `application/json` is refused with a 415 in
the API's JSON error shape, and nothing is saved (it used to be parsed as JSON anyway)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from orders.models import Order
from tests.apikeys.conftest import order_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""],
)
def test_a_body_not_sent_as_json_is_415_and_places_nothing(key, listings, content_type):
    response = Client().post(
        "/api/v1/orders",
        json.dumps(order_body()),
        content_type=content_type,
        **key.headers,
    )

    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "Content-Type: application/json" in body["detail"]
    assert body["errors"][0]["field"] == "Content-Type"
    assert not Order.objects.exists()


def test_json_with_a_charset_parameter_is_accepted(key, listings):
    response = Client().post(
        "/api/v1/orders",
        json.dumps(order_body()),
        content_type="application/json; charset=utf-8",
        **key.headers,
    )

    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_a_missing_key_is_still_401_before_the_body_is_looked_at(listings):
    response = Client().post("/api/v1/orders", "{}", content_type="text/plain")

    assert response.status_code == 401
