"""Issue 11 item 9: no log line carries an API key or an Authorization / X-API-TOKEN value."""

from __future__ import annotations

import io
import logging

import pytest

from apikeys.services import apikey_create
from core.logging import RedactCredentialsFilter, redact


def _console_handler() -> logging.StreamHandler:
    """The handler settings.LOGGING configured, shared by the root and the "django" loggers."""
    (handler,) = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactCredentialsFilter) for f in handler.filters)
    ]
    assert handler in logging.getLogger("django").handlers
    return handler


@pytest.fixture
def captured_log():
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_token_scheme_api_key_is_redacted_in_debug(
    client, settings, captured_log, reseller_with_user
):
    settings.DEBUG = True
    reseller, user = reseller_with_user
    _, plaintext = apikey_create(reseller=reseller, name="ERP", actor=user)

    response = client.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Token {plaintext}")

    assert response.status_code == 401
    output = captured_log.getvalue()
    assert "Unexpected auth" in output  # django-ninja logged the header: the filter ran on it
    assert plaintext not in output
    assert plaintext.split("_")[1] not in output
    assert "[redacted]" in output


@pytest.mark.django_db
def test_an_exception_traceback_is_redacted(captured_log):
    try:
        raise ValueError("bad header X-API-TOKEN: rpk_abc123_secretvalue")
    except ValueError:
        logging.getLogger("orders").exception("failed with Authorization=%s", "Bearer s3cr3t")

    output = captured_log.getvalue()
    assert "s3cr3t" not in output
    assert "secretvalue" not in output
    assert "abc123" not in output
    assert output.count("[redacted]") >= 2


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("Unexpected auth - 'Token rpk_AbC_dEf123'", "dEf123"),
        ("{'HTTP_AUTHORIZATION': 'Bearer abc.def', 'HTTP_HOST': 'x'}", "abc.def"),
        ("{'HTTP_X_API_TOKEN': 'plainsecret'}", "plainsecret"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("x-api-token=anothersecret", "anothersecret"),
    ],
)
def test_redact_removes_each_credential_form(line, secret):
    assert secret not in redact(line)
