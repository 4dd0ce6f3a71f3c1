from __future__ import annotations


class ApiKeyError(Exception):
    """An API key operation was refused; the message is safe to show to the user."""


class ApiKeyNotAllowed(ApiKeyError):
    """The reseller may not create keys (not approved or active), or has too many."""


class ApiKeyNotUsable(ApiKeyError):
    """The key is revoked or expired, so it cannot be rotated."""


class IdempotencyConflict(Exception):
    """A request with this Idempotency-Key is still being processed (HTTP 409)."""


class IdempotencyMismatch(Exception):
    """The Idempotency-Key was first used with a different request body (HTTP 422)."""
