"""Property-based run of the whole API against its own OpenAPI document, in-process.

Schemathesis generates valid and invalid requests for every operation from
/api/v1/openapi.json and checks that none is a server error and that every answer (status
code, content type, headers, body) matches the document.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tests.factories import ListingFactory, ProductFactory


@pytest.fixture
def example_listing(channel):
    """The SKU of the documented example, so that example places a real order and the 201
    answer is checked against the schema too."""
    return ListingFactory(channel=channel, product=ProductFactory(sku="MUG-CERAMIC"))


@pytest.fixture
def keep_the_test_connection_open():
    """Requests go through the real WSGI handler, whose request signals close the database
    connection (django.test.Client unhooks them the same way). On PostgreSQL that would close
    the connection holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded at collection: building the document needs no database. (schemathesis'
# `from_fixture` lazy loading does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the project
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_always_matches_its_schema(
    case, key, example_listing, settings, keep_the_test_connection_open
):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    case.call_and_validate(
        headers={"X-API-TOKEN": key.plaintext},
        # A schema-valid order can still be refused for business reasons (a SKU not in the
        # catalog, a reference already used): a 422 there is correct, not a failure.
        excluded_checks=[positive_data_acceptance],
    )
