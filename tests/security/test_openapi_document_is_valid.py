"""Issue 11 #10: the OpenAPI document is valid OpenAPI 3.1, so clients can be generated."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

OLD_FIXED_EXAMPLE = "5f0c6f7e-9f6b-4c1e-9d1e-2b0c7a1f4e11"


def test_the_openapi_document_passes_openapi_spec_validator(client):
    document = client.get("/api/v1/openapi.json").json()

    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError listing every problem


def test_the_idempotency_key_example_is_a_single_fresh_looking_key_with_a_note(client):
    document = client.get("/api/v1/openapi.json").json()
    parameters = document["paths"]["/api/v1/orders"]["post"]["parameters"]
    header = next(p for p in parameters if p["name"] == "Idempotency-Key")

    # OpenAPI 3.1 wants a parameter's `examples` as a map of Example Objects, never a list.
    assert not isinstance(header.get("examples"), list)
    assert header["example"] != OLD_FIXED_EXAMPLE
    assert "for each order" in header["description"]
