from __future__ import annotations


class ApiKeyError(Exception):
    """An API key operation was refused; the message is safe to show to the user."""


class ApiKeyNotAllowed(ApiKeyError):
    """The reseller may not create keys (not approved or active), or has too many."""


class ApiKeyNotUsable(ApiKeyError):
    """The key is revoked or expired, so it cannot be rotated."""
